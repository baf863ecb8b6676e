package io.k8s4claw.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ReclaimPolicy;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The operator's behaviour, written once and run against two API servers: the fabric8 mock
 * ({@link ClawOperatorTest}, with {@link ClusterEmulation} for the controllers it lacks) and a real kube-apiserver
 * with kube-controller-manager ({@code realcluster.ClawOperatorOnRealApiServerTest}). A subclass starts the
 * operator before each test and sets {@link #client}, {@link #ns}, {@link #metrics} and the {@link Cluster}.
 */
public abstract class ClawOperatorScenarios {

    protected static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * What the tests steer or observe below the API: the kubelet's readiness, garbage collection, the operator's
     * writes.
     */
    public interface Cluster {
        void podsBecomeReady(boolean ready);

        /** Containers (by name) reported not ready even when pods become ready. */
        Set<String> notReadyContainers();

        /** Applies changed readiness settings to the pods now. */
        void resync();

        /** Lets garbage collection run (the mock has none of its own; kube-controller-manager's runs by itself). */
        void collectGarbage();

        /** Forgets the writes seen so far. */
        void mark();

        /** The operator's writes in this test's namespace since {@link #mark()}, as "METHOD path". */
        List<String> operatorWrites();
    }

    protected String ns;
    protected KubernetesClient client;
    protected OperatorMetrics metrics;
    protected ClawOperator operator;

    protected abstract Cluster cluster();

    /** The HTTP method of a changed child's write: PUT (update) or PATCH (server-side apply). */
    protected String updateMethod() {
        return "PUT";
    }

    protected Claw claw(String name, String extraSpec) {
        return Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  runtime: hermesclaw
                  config:
                    model: nous-hermes-3
                  credentials:
                    secretRef:
                      name: hermes-api-keys
                  persistence:
                    session:
                      size: 5Gi
                      mountPath: /data/memory
                %s
                """.formatted(name, ns, extraSpec.indent(2)), Claw.class);
    }

    protected ClawChannel slackChannel() {
        return slack(ns);
    }

    protected static ClawChannel slack(String namespace) {
        return Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: ClawChannel
                metadata:
                  name: slack-team
                  namespace: %s
                spec:
                  type: slack
                  credentials:
                    secretRef:
                      name: slack-team-tokens
                  config:
                    defaultChannel: C0123456789
                """.formatted(namespace), ClawChannel.class);
    }

    protected void userSecrets() {
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("hermes-api-keys")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("OPENROUTER_API_KEY", "sk-one")
                        .build())
                .create();
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("slack-team-tokens")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("SLACK_APP_TOKEN", "xapp-1")
                        .addToStringData("SLACK_BOT_TOKEN", "xoxb-1")
                        .build())
                .create();
    }

    /** Changes a Claw's spec the way kubectl edit would (a patch, so concurrent status writes do not conflict). */
    protected void edit(String name, Consumer<Claw> change) {
        // The operator writes status concurrently; like kubectl, retry on a conflict with the fresh object.
        await().atMost(TIMEOUT).ignoreException(KubernetesClientException.class).until(() -> {
            client.resources(Claw.class).inNamespace(ns).withName(name).edit(c -> {
                change.accept(c);
                return c;
            });
            return true;
        });
    }

    protected Claw get(String name) {
        return client.resources(Claw.class).inNamespace(ns).withName(name).get();
    }

    protected StatefulSet sts(String name) {
        return client.apps().statefulSets().inNamespace(ns).withName(name).get();
    }

    protected String condition(Claw claw, String type) {
        if (claw == null || claw.getStatus() == null || claw.getStatus().getConditions() == null) {
            return null;
        }
        return claw.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .map(c -> c.getStatus())
                .findFirst()
                .orElse(null);
    }

    protected Claw createRunning(String name) {
        userSecrets();
        client.resource(slackChannel()).create();
        client.resource(claw(name, "channels:\n  - name: slack-team\n    mode: bidirectional"))
                .create();
        await().atMost(TIMEOUT)
                .until(() -> get(name).getStatus() != null
                        && get(name).getStatus().getPhase() != null
                        && "Running".equals(get(name).getStatus().getPhase().wireValue()));
        return get(name);
    }

    @Test
    void createMakesEveryChildAndReportsRunning() {
        Claw claw = createRunning("hermes-assistant");

        StatefulSet sts = sts("hermes-assistant");
        assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
        List<Container> init = sts.getSpec().getTemplate().getSpec().getInitContainers();
        assertThat(init).extracting(Container::getName).containsExactly("claw-ipc-bridge", "channel-slack-team");
        assertThat(init).allMatch(c -> "Always".equals(c.getRestartPolicy()));
        assertThat(sts.getSpec().getVolumeClaimTemplates())
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("session");
        assertThat(client.services()
                        .inNamespace(ns)
                        .withName("hermes-assistant")
                        .get()
                        .getSpec()
                        .getClusterIP())
                .isEqualTo("None");
        assertThat(client.configMaps()
                        .inNamespace(ns)
                        .withName("hermes-assistant-runtime-config")
                        .get()
                        .getData())
                .containsEntry("config.yaml", "model: nous-hermes-3\n");
        assertThat(client.serviceAccounts()
                        .inNamespace(ns)
                        .withName("hermes-assistant")
                        .get()
                        .getAutomountServiceAccountToken())
                .isFalse();
        assertThat(client.network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(ns)
                        .withName("hermes-assistant")
                        .get())
                .isNotNull();
        Secret key = client.secrets()
                .inNamespace(ns)
                .withName("hermes-assistant-api-server-key")
                .get();
        assertThat(Base64.getDecoder().decode(key.getData().get("API_SERVER_KEY")))
                .hasSize(64); // 32 random bytes, hex
        for (var child : List.of(
                sts,
                key,
                client.configMaps()
                        .inNamespace(ns)
                        .withName("hermes-assistant-runtime-config")
                        .get())) {
            assertThat(child.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(r ->
                            assertThat(r.getUid()).isEqualTo(claw.getMetadata().getUid()));
        }
        assertThat(claw.getMetadata().getFinalizers()).contains(ClawApi.FINALIZER);
        assertThat(claw.getStatus().getObservedGeneration())
                .isEqualTo(claw.getMetadata().getGeneration());
        for (String type : List.of("Ready", "ConfigValid", "RuntimeReady", "BridgeReady", "ChannelsReady")) {
            assertThat(condition(claw, type)).as(type).isEqualTo("True");
        }
        assertThat(claw.getStatus().getChannels())
                .singleElement()
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("Ready"));
        // The StatefulSet controller creates the claim on its own time; the operator reports it on the claim's event.
        await().atMost(TIMEOUT)
                .until(() -> get("hermes-assistant").getStatus().getPersistence() != null
                        && get("hermes-assistant").getStatus().getPersistence().getSession() != null);
        assertThat(get("hermes-assistant")
                        .getStatus()
                        .getPersistence()
                        .getSession()
                        .getPvcName())
                .isEqualTo("session-hermes-assistant-0");
        assertThat(get("hermes-assistant")
                        .getStatus()
                        .getPersistence()
                        .getSession()
                        .getCapacityBytes())
                .isEqualTo(5L * 1024 * 1024 * 1024);
        await().atMost(TIMEOUT)
                .until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                        .anyMatch(e -> "Running".equals(e.getReason())));
        assertThat(metrics.byPhase()).containsEntry("Running", 1L);
    }

    @Test
    void unchangedResyncMakesZeroWrites() {
        createRunning("steady");
        // Let the last status patch land, then watch several periodic resyncs (max interval 500 ms) go by.
        await().atMost(TIMEOUT).until(() -> {
            cluster().mark();
            double before = reconciles();
            await().atMost(TIMEOUT).until(() -> reconciles() >= before + 3);
            return cluster().operatorWrites().isEmpty();
        });
        cluster().mark();
        double before = reconciles();
        await().atMost(TIMEOUT).until(() -> reconciles() >= before + 4);
        assertThat(cluster().operatorWrites()).isEmpty();
    }

    @Test
    void aChildEditedOrDeletedByHandIsPutBack() {
        // The reconciles that follow a Claw's start skip rendering when nothing changed (RenderMemo): a hand edit of
        // a child must still bring back what the operator wrote, and a deleted child must be made again.
        createRunning("guarded");
        String configMap = "guarded-runtime-config";
        ConfigMap written =
                client.configMaps().inNamespace(ns).withName(configMap).get();
        String key = written.getData().keySet().iterator().next();
        client.configMaps().inNamespace(ns).withName(configMap).edit(c -> {
            c.getData().put(key, "edited by hand");
            return c;
        });
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(client.configMaps()
                                .inNamespace(ns)
                                .withName(configMap)
                                .get()
                                .getData())
                        .containsEntry(key, written.getData().get(key)));
        client.services().inNamespace(ns).withName("guarded").delete();
        await().atMost(TIMEOUT).until(() -> {
            var service = client.services().inNamespace(ns).withName("guarded").get();
            return service != null && service.getMetadata().getDeletionTimestamp() == null;
        });
    }

    protected double reconciles() {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("claw_operator_reconciliations"))
                .flatMap(s -> s.getDataPoints().stream())
                .filter(d -> "Claw".equals(d.getLabels().get("kind")))
                .mapToDouble(d -> ((CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                .sum();
    }

    @Test
    void specChangeUpdatesOnlyTheChangedChildrenAndRollsThePod() {
        createRunning("changing");
        String before = sts("changing")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get("config.claw.prismer.ai/config.yaml");
        awaitQuiet();
        cluster().mark();
        edit(
                "changing",
                c -> c.getSpec().setConfig(Serialization.unmarshal("{\"model\":\"nous-hermes-4\"}", JsonNode.class)));

        await().atMost(TIMEOUT)
                .until(() -> !before.equals(sts("changing")
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations()
                        .get("config.claw.prismer.ai/config.yaml")));
        assertThat(client.configMaps()
                        .inNamespace(ns)
                        .withName("changing-runtime-config")
                        .get()
                        .getData())
                .containsEntry("config.yaml", "model: nous-hermes-4\n");
        await().atMost(TIMEOUT)
                .until(() ->
                        "Running".equals(get("changing").getStatus().getPhase().wireValue()));
        List<String> childWrites = cluster().operatorWrites().stream()
                .filter(w -> !w.contains("/claws/") && !w.contains("/events"))
                .toList();
        assertThat(childWrites)
                .containsExactlyInAnyOrder(
                        updateMethod() + " /api/v1/namespaces/" + ns + "/configmaps/changing-runtime-config",
                        updateMethod() + " /apis/apps/v1/namespaces/" + ns + "/statefulsets/changing");
    }

    @Test
    void secretChangeRollsExactlyThePodsThatUseIt() {
        createRunning("rolling");
        // A second Claw reading the same Secret, and a bystander reading another one.
        client.resource(claw("sharing", "")).create();
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("other-keys")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("OPENROUTER_API_KEY", "sk-other")
                        .build())
                .create();
        Claw bystander = claw("bystander", "");
        bystander.getSpec().getCredentials().getSecretRef().setName("other-keys");
        client.resource(bystander).create();
        for (String name : List.of("sharing", "bystander")) {
            await().atMost(TIMEOUT)
                    .until(() -> get(name).getStatus() != null
                            && get(name).getStatus().getPhase() != null
                            && "Running".equals(get(name).getStatus().getPhase().wireValue()));
        }
        String annotation = "secret.claw.prismer.ai/hermes-api-keys";
        String before = sts("rolling")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(annotation);
        assertThat(before).startsWith("sha256:");
        assertThat(sts("sharing").getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(annotation, before);
        Map<String, String> generatedKey = client.secrets()
                .inNamespace(ns)
                .withName("rolling-api-server-key")
                .get()
                .getData();
        awaitQuiet();
        cluster().mark();
        // (the mock keeps stringData as written; a real API server would fold it into data)
        client.secrets().inNamespace(ns).withName("hermes-api-keys").edit(s -> {
            s.setStringData(Map.of("OPENROUTER_API_KEY", "sk-two"));
            return s;
        });

        await().atMost(TIMEOUT)
                .until(() -> !before.equals(sts("rolling")
                                .getSpec()
                                .getTemplate()
                                .getMetadata()
                                .getAnnotations()
                                .get(annotation))
                        && !before.equals(sts("sharing")
                                .getSpec()
                                .getTemplate()
                                .getMetadata()
                                .getAnnotations()
                                .get(annotation)));
        // The bystander was reconciled after the rotation too (a resync), and still nothing of its was written.
        double after = reconciles();
        cluster().resync();
        await().atMost(TIMEOUT).until(() -> reconciles() >= after + 3);
        assertThat(cluster().operatorWrites().stream()
                        .filter(w -> !w.contains("/claws/") && !w.contains("/events"))
                        .toList())
                .containsExactlyInAnyOrder(
                        updateMethod() + " /apis/apps/v1/namespaces/" + ns + "/statefulsets/rolling",
                        updateMethod() + " /apis/apps/v1/namespaces/" + ns + "/statefulsets/sharing");
        // The generated key was not rotated by any of this.
        assertThat(client.secrets()
                        .inNamespace(ns)
                        .withName("rolling-api-server-key")
                        .get()
                        .getData())
                .isEqualTo(generatedKey);
    }

    /**
     * A Claw the operator must refuse (ConfigValid False) that the API server accepts, and the messages the
     * refusal must name. On a real apiserver the CRD's own rules refuse more before the operator ever sees it.
     */
    protected abstract Claw invalidClaw();

    protected abstract List<String> invalidClawMessages();

    @Test
    void invalidSpecGetsConfigValidFalseAndNothingIsCreated() {
        userSecrets();
        client.resource(slackChannel()).create();
        client.resource(invalidClaw()).create();

        await().atMost(TIMEOUT).until(() -> "False".equals(condition(get("broken"), "ConfigValid")));
        Claw claw = get("broken");
        assertThat(claw.getStatus().getPhase().wireValue()).isEqualTo("Failed");
        String message = claw.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("ConfigValid"))
                .findFirst()
                .orElseThrow()
                .getMessage();
        assertThat(message).contains(invalidClawMessages());
        assertThat(cluster().operatorWrites())
                .allMatch(w -> w.contains("/claws/broken") || w.contains("/events") || w.contains("/clawchannels/"));
        assertThat(sts("broken")).isNull();
        assertThat(client.configMaps().inNamespace(ns).list().getItems())
                .filteredOn(c -> !c.getMetadata().getName().equals("kube-root-ca.crt"))
                .isEmpty();
        assertThat(client.services().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void missingChannelAndSecretAreConditionsThenResolve() {
        client.resource(claw("waiting", "channels:\n  - name: slack-team")).create();
        await().atMost(TIMEOUT).until(() -> "False".equals(condition(get("waiting"), "ChannelsReady")));
        Claw claw = get("waiting");
        assertThat(claw.getStatus().getPhase().wireValue()).isEqualTo("Pending");
        assertThat(claw.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getMessage())
                    .contains("ClawChannel(s) slack-team not found", "Secret(s) hermes-api-keys not found");
        });
        assertThat(sts("waiting")).isNull();

        userSecrets();
        client.resource(slackChannel()).create();
        await().atMost(TIMEOUT)
                .until(() ->
                        "Running".equals(get("waiting").getStatus().getPhase().wireValue()));
    }

    @Test
    void grownVolumeIsAppliedToTheClaim() {
        createRunning("growing");
        edit("growing", c -> c.getSpec().getPersistence().getSession().setSize("8Gi"));
        await().atMost(TIMEOUT)
                .until(() -> new Quantity("8Gi")
                        .equals(client.persistentVolumeClaims()
                                .inNamespace(ns)
                                .withName("session-growing-0")
                                .get()
                                .getSpec()
                                .getResources()
                                .getRequests()
                                .get("storage")));

        shrinkIsRefused("growing");
    }

    /**
     * Shrinking a claim: refused (by the operator's validation on the mock, by the CRD's transition rule on a real
     * apiserver).
     */
    protected abstract void shrinkIsRefused(String claw);

    @Test
    void specChangeOnARunningClawIsUpdatingUntilTheNewPodIsReady() {
        createRunning("upgrading");
        cluster().podsBecomeReady(false);
        edit(
                "upgrading",
                c -> c.getSpec().setConfig(Serialization.unmarshal("{\"model\":\"nous-hermes-4\"}", JsonNode.class)));
        await().atMost(TIMEOUT)
                .until(() -> "Updating"
                        .equals(get("upgrading").getStatus().getPhase().wireValue()));
        assertThat(condition(get("upgrading"), "Ready")).isEqualTo("False");
        cluster().podsBecomeReady(true);
        cluster().resync();
        await().atMost(TIMEOUT)
                .until(() ->
                        "Running".equals(get("upgrading").getStatus().getPhase().wireValue()));
        assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .anyMatch(e -> "Updating".equals(e.getReason()));
    }

    @Test
    void enablingAVolumeLaterReplacesTheStatefulSetAndKeepsTheClaims() {
        createRunning("expanding");
        String uid = sts("expanding").getMetadata().getUid();
        edit("expanding", c -> {
            var workspace = new VolumeSpec();
            workspace.setSize("2Gi");
            c.getSpec().getPersistence().setWorkspace(workspace);
        });
        await().atMost(TIMEOUT).until(() -> {
            StatefulSet replaced = sts("expanding"); // one read: the old one may be gone between two
            return replaced != null
                    && replaced.getSpec().getVolumeClaimTemplates().size() == 2;
        });
        assertThat(sts("expanding").getMetadata().getUid()).isNotEqualTo(uid);
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("session-expanding-0")
                        .get())
                .isNotNull();
        await().atMost(TIMEOUT)
                .until(() -> client.persistentVolumeClaims()
                                .inNamespace(ns)
                                .withName("workspace-expanding-0")
                                .get()
                        != null);
    }

    @Test
    void deleteWithRetainKeepsTheClaimWithoutOwner() {
        createRunning("keeper");
        PersistentVolumeClaim pvc = client.persistentVolumeClaims()
                .inNamespace(ns)
                .withName("session-keeper-0")
                .get();
        assertThat(pvc.getMetadata().getOwnerReferences()).isNullOrEmpty();
        client.resources(Claw.class).inNamespace(ns).withName("keeper").delete();
        await().atMost(TIMEOUT).until(() -> {
            cluster().collectGarbage();
            return get("keeper") == null && sts("keeper") == null;
        });
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("session-keeper-0")
                        .get())
                .isNotNull();
        assertThat(client.configMaps()
                        .inNamespace(ns)
                        .withName("keeper-runtime-config")
                        .get())
                .isNull();
    }

    @Test
    void deleteWithDeleteRemovesTheClaims() {
        userSecrets();
        Claw temp = claw("temp", "");
        temp.getSpec().getPersistence().setReclaimPolicy(ReclaimPolicy.DELETE);
        client.resource(temp).create();
        await().atMost(TIMEOUT).until(() -> {
            PersistentVolumeClaim pvc = client.persistentVolumeClaims()
                    .inNamespace(ns)
                    .withName("session-temp-0")
                    .get();
            return pvc != null
                    && pvc.getMetadata().getOwnerReferences() != null
                    && !pvc.getMetadata().getOwnerReferences().isEmpty();
        });
        client.resources(Claw.class).inNamespace(ns).withName("temp").delete();
        await().atMost(TIMEOUT)
                .until(() -> get("temp") == null
                        && client.persistentVolumeClaims()
                                        .inNamespace(ns)
                                        .withName("session-temp-0")
                                        .get()
                                == null);
    }

    @Test
    void channelDeletionIsHeldWhileAClawUsesIt() {
        createRunning("user");
        client.resource(claw("user2", "channels:\n  - name: slack-team")).create();
        await().atMost(TIMEOUT).until(() -> {
            ClawChannel c = client.resources(ClawChannel.class)
                    .inNamespace(ns)
                    .withName("slack-team")
                    .get();
            return c.getStatus() != null
                    && Integer.valueOf(2).equals(c.getStatus().getReferenceCount());
        });
        assertThat(client.resources(ClawChannel.class)
                        .inNamespace(ns)
                        .withName("slack-team")
                        .get()
                        .getStatus()
                        .getReferencingClaws())
                .containsExactly("user", "user2");
        client.resources(Claw.class).inNamespace(ns).withName("user2").delete();
        await().atMost(TIMEOUT)
                .until(() -> Integer.valueOf(1)
                        .equals(client.resources(ClawChannel.class)
                                .inNamespace(ns)
                                .withName("slack-team")
                                .get()
                                .getStatus()
                                .getReferenceCount()));
        client.resources(ClawChannel.class)
                .inNamespace(ns)
                .withName("slack-team")
                .delete();
        await().atMost(TIMEOUT)
                .until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                        .anyMatch(e -> "DeletionBlocked".equals(e.getReason())));
        ClawChannel held = client.resources(ClawChannel.class)
                .inNamespace(ns)
                .withName("slack-team")
                .get();
        assertThat(held).isNotNull();
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();

        client.resources(Claw.class).inNamespace(ns).withName("user").delete();
        await().atMost(TIMEOUT)
                .until(() -> client.resources(ClawChannel.class)
                                .inNamespace(ns)
                                .withName("slack-team")
                                .get()
                        == null);
    }

    @Test
    void podNotReadyAfterRunningIsDegraded() {
        createRunning("flaky");
        cluster().podsBecomeReady(false);
        cluster().resync();
        await().atMost(TIMEOUT)
                .until(() ->
                        "Degraded".equals(get("flaky").getStatus().getPhase().wireValue()));
        assertThat(condition(get("flaky"), "Ready")).isEqualTo("False");
        cluster().podsBecomeReady(true);
        cluster().resync();
        await().atMost(TIMEOUT)
                .until(() ->
                        "Running".equals(get("flaky").getStatus().getPhase().wireValue()));
    }

    @Test
    void aChannelSidecarNotReadyIsDegradedWithOnlyChannelsReadyFalse() {
        createRunning("sidecar");
        cluster().notReadyContainers().add("channel-slack-team");
        cluster().resync();
        await().atMost(TIMEOUT)
                .until(() ->
                        "Degraded".equals(get("sidecar").getStatus().getPhase().wireValue()));
        Claw claw = get("sidecar");
        assertThat(condition(claw, "RuntimeReady")).isEqualTo("True");
        assertThat(condition(claw, "BridgeReady")).isEqualTo("True");
        assertThat(condition(claw, "ChannelsReady")).isEqualTo("False");
        assertThat(condition(claw, "Ready")).isEqualTo("False");
        assertThat(claw.getStatus().getChannels())
                .singleElement()
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("NotReady"));
        cluster().notReadyContainers().clear();
        cluster().resync();
        await().atMost(TIMEOUT)
                .until(() ->
                        "Running".equals(get("sidecar").getStatus().getPhase().wireValue()));
    }

    /** Waits until a resync passes without the operator writing anything (status settled). */
    protected void awaitQuiet() {
        await().atMost(TIMEOUT).until(() -> {
            cluster().mark();
            double before = reconciles();
            await().atMost(TIMEOUT).until(() -> reconciles() >= before + 2);
            return cluster().operatorWrites().isEmpty();
        });
    }

    protected static Map<String, String> annotations(StatefulSet sts) {
        return sts.getSpec().getTemplate().getMetadata().getAnnotations();
    }
}
