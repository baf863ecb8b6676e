package io.k8s4claw.operator.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawPhase;
import io.k8s4claw.api.v1alpha1.VolumeStatus;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.archive.ArchiveBeforeUpdate;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.reconcile.TestRuntimeAdapter;
import io.k8s4claw.operator.snapshot.VolumeSnapshots;
import io.k8s4claw.operator.update.PreUpdateHook;
import io.k8s4claw.testkit.snapshot.SnapshotCrds;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Agent state that survives (issue #17) on the real control plane ({@link RealCluster}: kube-apiserver, etcd,
 * kube-controller-manager; the operator as its deployed ServiceAccount): sandboxed runtimes (RuntimeClass),
 * suspend/resume, and scheduled VolumeSnapshots with the external-snapshotter's own CRDs ({@link SnapshotCrds},
 * fetched from its Go module).
 *
 * <p>What only node-side or CSI components do is played by the test, the same way {@link KubeletStandIn} plays the
 * kubelet: the kubelet's pod status (KubeletStandIn), and the CSI snapshot controller's part — marking a
 * VolumeSnapshot {@code readyToUse} with a {@code creationTime} — written by this test to the snapshot's status.
 * Cron firings are not waited for: the operator's clock is a {@link MovableClock} the test moves an hour at a time.
 */
class AgentStateOnRealApiServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    RealCluster real;
    KubeletStandIn kubelet;
    KubernetesClient client;
    KubernetesClient operatorClient;
    ClawOperator operator;
    MovableClock clock;
    String ns;
    long testStart;

    /** The operator's clock for snapshot schedules, moved by the test. */
    static final class MovableClock implements InstantSource {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }
    }

    @BeforeEach
    void startOperator() {
        real = RealCluster.shared();
        testStart = real.audit().mark();
        ns = real.newNamespace("state");
        client = real.adminClient();
        kubelet = new KubeletStandIn(client, ns);
        operatorClient = real.operatorClient();
        clock = new MovableClock();
        operator = new ClawOperator(
                new ClawOperator.Settings(
                        operatorClient,
                        RuntimeAdapters.of(List.of(new TestRuntimeAdapter())),
                        new SidecarImages(
                                "ghcr.io/k8s4claw/claw-ipc-bridge:test", "ghcr.io/k8s4claw/claw-channel-sidecar:test"),
                        Set.of(ns),
                        Optional.empty(),
                        Optional.of(Duration.ofMillis(500)),
                        2),
                new OperatorMetrics(),
                clock);
        operator.start();
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("hermes-api-keys")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("OPENROUTER_API_KEY", "sk-one")
                        .build())
                .create();
    }

    @AfterEach
    void stop() {
        try {
            // deploy/rbac/cluster-wide.yaml covers the RuntimeClass reads and the VolumeSnapshot writes.
            assertThat(real.refusals(testStart, RealCluster.OPERATOR_USER)).isEmpty();
        } finally {
            operator.close();
            kubelet.close();
            operatorClient.close();
            client.close();
        }
    }

    private Claw claw(String name, String extraSpec) {
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
                %s
                """.formatted(name, ns, extraSpec.indent(2)), Claw.class);
    }

    private Claw get(String name) {
        return client.resources(Claw.class).inNamespace(ns).withName(name).get();
    }

    private ClawPhase phase(String name) {
        Claw c = get(name);
        return c == null || c.getStatus() == null ? null : c.getStatus().getPhase();
    }

    private Optional<Condition> condition(String name, String type) {
        Claw c = get(name);
        if (c == null || c.getStatus() == null || c.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return c.getStatus().getConditions().stream()
                .filter(x -> x.getType().equals(type))
                .findFirst();
    }

    private StatefulSet sts(String name) {
        return client.apps().statefulSets().inNamespace(ns).withName(name).get();
    }

    private void edit(String name, Consumer<Claw> change) {
        await().atMost(TIMEOUT).ignoreException(KubernetesClientException.class).until(() -> {
            client.resources(Claw.class).inNamespace(ns).withName(name).edit(c -> {
                change.accept(c);
                return c;
            });
            return true;
        });
    }

    @Test
    void aMissingRuntimeClassIsAConditionAndNoPodUntilItExistsThenThePodRunsUnderIt() {
        String runtimeClass = "gvisor-" + ns;
        client.resource(claw("sandboxed", """
                persistence:
                  session:
                    size: 1Gi
                security:
                  runtimeClassName: %s
                """.formatted(runtimeClass))).create();

        await().atMost(TIMEOUT)
                .until(() -> condition("sandboxed", ClawApi.CONDITION_RUNTIME_CLASS_FOUND)
                        .filter(c -> "False".equals(c.getStatus()))
                        .isPresent());
        Condition missing =
                condition("sandboxed", ClawApi.CONDITION_RUNTIME_CLASS_FOUND).orElseThrow();
        assertThat(missing.getReason()).isEqualTo("RuntimeClassNotFound");
        assertThat(missing.getMessage()).contains("RuntimeClass " + runtimeClass, "does not exist");
        assertThat(phase("sandboxed")).isEqualTo(ClawPhase.PENDING);
        assertThat(condition("sandboxed", ClawApi.CONDITION_READY).orElseThrow().getReason())
                .isEqualTo("RuntimeClassNotFound");
        // No StatefulSet whose pods the apiserver's RuntimeClass admission would refuse one by one.
        assertThat(sts("sandboxed")).isNull();

        client.resource(Serialization.unmarshal("""
                apiVersion: node.k8s.io/v1
                kind: RuntimeClass
                metadata:
                  name: %s
                handler: runsc
                """.formatted(runtimeClass), RuntimeClass.class))
                .create();
        try {
            await().atMost(TIMEOUT).until(() -> phase("sandboxed") == ClawPhase.RUNNING);
            assertThat(sts("sandboxed").getSpec().getTemplate().getSpec().getRuntimeClassName())
                    .isEqualTo(runtimeClass);
            // The real StatefulSet controller made the pod and the apiserver's RuntimeClass admission accepted it.
            Pod pod = client.pods().inNamespace(ns).withName("sandboxed-0").get();
            assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo(runtimeClass);
            Condition found = condition("sandboxed", ClawApi.CONDITION_RUNTIME_CLASS_FOUND)
                    .orElseThrow();
            assertThat(found.getStatus()).isEqualTo("True");
            assertThat(found.getMessage()).contains("handler runsc");
        } finally {
            client.resources(RuntimeClass.class).withName(runtimeClass).delete();
        }
    }

    @Test
    void suspendScalesToZeroKeepsClaimsSecretsAndTheBridgeLogAndResumeBringsTheSameStateBack() {
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("slack-team-tokens")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("SLACK_APP_TOKEN", "xapp-1")
                        .addToStringData("SLACK_BOT_TOKEN", "xoxb-1")
                        .build())
                .create();
        client.resource(Serialization.unmarshal("""
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
                """.formatted(ns), ClawChannel.class))
                .create();
        client.resource(claw("napper", """
                channels:
                  - name: slack-team
                persistence:
                  session:
                    size: 1Gi
                  workspace:
                    size: 1Gi
                """)).create();
        await().atMost(TIMEOUT).until(() -> phase("napper") == ClawPhase.RUNNING);
        Map<String, String> claimsBefore =
                uids(client.persistentVolumeClaims().inNamespace(ns).list().getItems());
        Map<String, String> secretsBefore =
                uids(client.secrets().inNamespace(ns).list().getItems());
        assertThat(claimsBefore).containsKeys("session-napper-0", "workspace-napper-0");
        // The bridge's durable log lives on the session claim, so what survives the claim survives suspension.
        assertThat(sts("napper").getSpec().getTemplate().getSpec().getInitContainers().stream()
                        .filter(c -> c.getName().equals("claw-ipc-bridge"))
                        .findFirst()
                        .orElseThrow()
                        .getVolumeMounts())
                .anyMatch(m -> m.getName().equals("session"));

        edit("napper", c -> c.getSpec().setSuspended(true));
        await().atMost(TIMEOUT)
                .until(() -> phase("napper") == ClawPhase.SUSPENDED
                        && client.pods().inNamespace(ns).withName("napper-0").get() == null);
        assertThat(sts("napper").getSpec().getReplicas()).isZero();
        Condition ready = condition("napper", ClawApi.CONDITION_READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("Suspended");
        assertThat(ready.getMessage()).contains("spec.suspended: false to resume");
        assertThat(uids(client.persistentVolumeClaims().inNamespace(ns).list().getItems()))
                .isEqualTo(claimsBefore);
        assertThat(uids(client.secrets().inNamespace(ns).list().getItems())).isEqualTo(secretsBefore);

        edit("napper", c -> c.getSpec().setSuspended(false));
        await().atMost(TIMEOUT).until(() -> phase("napper") == ClawPhase.RUNNING);
        assertThat(sts("napper").getSpec().getReplicas()).isEqualTo(1);
        // The same claims (same uids), mounted again by the new pod.
        assertThat(uids(client.persistentVolumeClaims().inNamespace(ns).list().getItems()))
                .isEqualTo(claimsBefore);
        assertThat(uids(client.secrets().inNamespace(ns).list().getItems())).isEqualTo(secretsBefore);
        Pod pod = client.pods().inNamespace(ns).withName("napper-0").get();
        assertThat(pod.getSpec().getVolumes().stream()
                        .filter(v -> v.getPersistentVolumeClaim() != null)
                        .map(v -> v.getPersistentVolumeClaim().getClaimName())
                        .toList())
                .contains("session-napper-0", "workspace-napper-0");
    }

    @Test
    void snapshotsWithoutTheSnapshotApiAreAConditionThenAreTakenOnScheduleAndPrunedBeyondRetain() {
        removeSnapshotCrds();
        client.resource(claw("snappy", """
                persistence:
                  session:
                    size: 1Gi
                    snapshot:
                      enabled: true
                      schedule: "0 * * * *"
                      retain: 2
                      volumeSnapshotClass: csi-snapclass
                  workspace:
                    size: 1Gi
                    snapshot:
                      enabled: true
                      schedule: "30 */2 * * *"
                """)).create();

        // No snapshot API: said in a condition; the Claw itself runs undisturbed.
        await().atMost(TIMEOUT)
                .until(() -> phase("snappy") == ClawPhase.RUNNING
                        && condition("snappy", ClawApi.CONDITION_SNAPSHOTS_READY)
                                .filter(c -> "False".equals(c.getStatus()))
                                .isPresent());
        Condition noApi = condition("snappy", ClawApi.CONDITION_SNAPSHOTS_READY).orElseThrow();
        assertThat(noApi.getReason()).isEqualTo("SnapshotAPIMissing");
        assertThat(noApi.getMessage())
                .contains("snapshot.storage.k8s.io/v1", "session, workspace", "external-snapshotter CRDs");
        assertThat(condition("snappy", ClawApi.CONDITION_READY).orElseThrow().getStatus())
                .isEqualTo("True");

        installSnapshotCrds();
        await().atMost(TIMEOUT)
                .until(() -> condition("snappy", ClawApi.CONDITION_SNAPSHOTS_READY)
                        .filter(c -> "True".equals(c.getStatus()))
                        .isPresent());
        assertThat(condition("snappy", ClawApi.CONDITION_SNAPSHOTS_READY)
                        .orElseThrow()
                        .getMessage())
                .contains("session: first snapshot at");
        assertThat(snapshots()).isEmpty();

        // An hour later the session's hourly firing is due (and maybe the workspace's every-other-hour one).
        List<String> sessionNames = new ArrayList<>();
        for (int hour = 1; hour <= 3; hour++) {
            clock.advance(Duration.ofHours(1));
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            String expected = VolumeSnapshots.snapshotName("session-snappy-0", now.truncatedTo(ChronoUnit.HOURS));
            sessionNames.add(expected);
            await().atMost(TIMEOUT)
                    .until(() -> snapshots().containsKey(expected)
                            && expected.equals(volume("snappy", "session").getLastSnapshotName()));
            assertThat(volume("snappy", "session").getLastSnapshotReady()).isFalse();
            GenericKubernetesResource taken = snapshots().get(expected);
            assertThat(spec(taken))
                    .containsEntry("volumeSnapshotClassName", "csi-snapclass")
                    .containsEntry("source", Map.of("persistentVolumeClaimName", "session-snappy-0"));
            // The CSI snapshot controller's part, played here: the snapshot is cut and ready.
            markReady(expected, now);
            await().atMost(TIMEOUT)
                    .until(() -> Boolean.TRUE.equals(volume("snappy", "session").getLastSnapshotReady()));
            assertThat(volume("snappy", "session").getLastSnapshot()).isEqualTo(now.toString());
        }
        // retain: 2 — the first hour's snapshot was deleted when the third was taken.
        await().atMost(TIMEOUT)
                .until(() -> snapshots().keySet().stream()
                        .filter(n -> n.startsWith("session-"))
                        .collect(Collectors.toSet())
                        .equals(Set.copyOf(sessionNames.subList(1, 3))));
        // The workspace names no class: the field is left out and the cluster's default class applies.
        List<GenericKubernetesResource> workspace = snapshots().values().stream()
                .filter(s -> "workspace".equals(s.getMetadata().getLabels().get(VolumeSnapshots.LABEL_VOLUME)))
                .toList();
        assertThat(workspace)
                .isNotEmpty()
                .allSatisfy(s -> assertThat(spec(s))
                        .doesNotContainKey("volumeSnapshotClassName")
                        .containsEntry("source", Map.of("persistentVolumeClaimName", "workspace-snappy-0")));
        assertThat(workspace)
                .allSatisfy(s -> assertThat(s.getMetadata().getName()).matches("workspace-snappy-0-\\d{8}-\\d{2}30"));
        // A snapshot the CSI driver fails: the condition says so and names it.
        GenericKubernetesResource newestWorkspace = workspace.stream()
                .max(Comparator.comparing(s -> s.getMetadata().getName()))
                .orElseThrow();
        failSnapshot(
                newestWorkspace.getMetadata().getName(), "no VolumeSnapshotClass for driver test.k8s4claw.io/stand-in");
        await().atMost(TIMEOUT)
                .until(() -> condition("snappy", ClawApi.CONDITION_SNAPSHOTS_READY)
                        .filter(c -> "SnapshotFailed".equals(c.getReason()))
                        .isPresent());
        assertThat(condition("snappy", ClawApi.CONDITION_SNAPSHOTS_READY)
                        .orElseThrow()
                        .getMessage())
                .contains(newestWorkspace.getMetadata().getName(), "no VolumeSnapshotClass for driver");
        assertThat(phase("snappy")).isEqualTo(ClawPhase.RUNNING);
    }

    private void archiveSecretAndClaw(String name) {
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("archive-s3")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("AWS_ACCESS_KEY_ID", "AKARCHIVER")
                        .addToStringData("AWS_SECRET_ACCESS_KEY", "archiver-secret")
                        .build())
                .create();
        client.resource(claw(name, """
                persistence:
                  reclaimPolicy: Archive
                  session:
                    size: 1Gi
                  output:
                    size: 1Gi
                    archive:
                      enabled: false
                      destination:
                        type: minio
                        bucket: claws
                        prefix: agents/
                        endpoint: http://minio.storage:9000
                        forcePathStyle: true
                        secretRef:
                          name: archive-s3
                      trigger:
                        schedule: "@daily"
                """)).create();
        await().atMost(TIMEOUT).until(() -> phase(name) == ClawPhase.RUNNING);
    }

    /** The kubelet's part for a Job's pod, played here: the archiver container ran to the end with this outcome. */
    private void jobPodEnds(String job, int exitCode, String terminationMessage) {
        await().atMost(TIMEOUT)
                .until(() -> !client.pods()
                        .inNamespace(ns)
                        .withLabel("job-name", job)
                        .list()
                        .getItems()
                        .isEmpty());
        Pod pod = client.pods()
                .inNamespace(ns)
                .withLabel("job-name", job)
                .list()
                .getItems()
                .get(0);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        await().atMost(TIMEOUT).ignoreException(KubernetesClientException.class).until(() -> {
            Pod fresh = client.pods()
                    .inNamespace(ns)
                    .withName(pod.getMetadata().getName())
                    .get();
            fresh.setStatus(new PodStatusBuilder()
                    .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                    .withStartTime(now)
                    .addNewCondition()
                    .withType("Ready")
                    .withStatus("False")
                    .withReason("PodCompleted")
                    .withLastTransitionTime(now)
                    .endCondition()
                    .addToContainerStatuses(KubeletStandIn.terminated(
                            "archive",
                            fresh.getSpec().getContainers().get(0).getImage(),
                            exitCode,
                            terminationMessage,
                            now))
                    .build());
            client.pods().inNamespace(ns).resource(fresh).updateStatus();
            return true;
        });
    }

    @Test
    void deletingWithArchiveStopsTheRuntimeArchivesEveryClaimInAJobAndThenReleasesTheClaims() {
        archiveSecretAndClaw("archivist");
        String uid = get("archivist").getMetadata().getUid();
        client.resources(Claw.class).inNamespace(ns).withName("archivist").delete();

        // The runtime is stopped first, then one Job per claim; the deletion waits and says so.
        await().atMost(TIMEOUT)
                .until(() -> client.batch()
                                        .v1()
                                        .jobs()
                                        .inNamespace(ns)
                                        .withName("archivist-archive-session")
                                        .get()
                                != null
                        && client.batch()
                                        .v1()
                                        .jobs()
                                        .inNamespace(ns)
                                        .withName("archivist-archive-output")
                                        .get()
                                != null);
        assertThat(sts("archivist").getSpec().getReplicas()).isZero();
        assertThat(client.pods().inNamespace(ns).withName("archivist-0").get()).isNull();
        await().atMost(TIMEOUT)
                .until(() -> condition("archivist", ClawApi.CONDITION_ARCHIVED)
                        .filter(c -> "Archiving".equals(c.getReason()))
                        .isPresent());
        assertThat(phase("archivist")).isEqualTo(ClawPhase.TERMINATING);
        assertThat(condition("archivist", ClawApi.CONDITION_ARCHIVED)
                        .orElseThrow()
                        .getMessage())
                .contains("archiving to s3://claws", "session", "output");

        Job session = client.batch()
                .v1()
                .jobs()
                .inNamespace(ns)
                .withName("archivist-archive-session")
                .get();
        var container =
                session.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs())
                .containsSubsequence(
                        "archive",
                        "--dir",
                        "/volume",
                        "--bucket",
                        "claws",
                        "--key",
                        "agents/" + ns + "/archivist/session/" + uid + ".tar.gz");
        assertThat(container.getArgs()).contains("--endpoint", "http://minio.storage:9000", "--path-style");
        assertThat(String.join(" ", container.getArgs()))
                .doesNotContain("archiver-secret")
                .doesNotContain("AKARCHIVER");
        assertThat(container.getEnv())
                .allSatisfy(e ->
                        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("archive-s3"));
        assertThat(session.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getVolumes()
                        .get(0)
                        .getPersistentVolumeClaim()
                        .getClaimName())
                .isEqualTo("session-archivist-0");
        assertThat(session.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getVolumes()
                        .get(0)
                        .getPersistentVolumeClaim()
                        .getReadOnly())
                .isTrue();

        // The Job controller is the real one; the archiver containers' exits are played here (no kubelet).
        jobPodEnds(
                "archivist-archive-session",
                0,
                "archived 3 file(s), 4096 bytes in 1 part(s) to s3://claws/agents/session sha256:ab");
        jobPodEnds(
                "archivist-archive-output",
                0,
                "archived 1 file(s), 1024 bytes in 1 part(s) to s3://claws/agents/output sha256:cd");
        await().atMost(TIMEOUT).until(() -> get("archivist") == null);
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("session-archivist-0")
                        .get())
                .isNotNull();
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("output-archivist-0")
                        .get())
                .isNotNull();
        assertThat(client.v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("Deleted");
            assertThat(e.getMessage()).contains("archived: ").contains("to s3://claws/agents/session");
        });
    }

    @Test
    void aFailedArchiveKeepsTheClaimsAndSaysWhy() {
        archiveSecretAndClaw("unlucky");
        client.resources(Claw.class).inNamespace(ns).withName("unlucky").delete();
        jobPodEnds(
                "unlucky-archive-session",
                5,
                "archive failed (TRANSFER): archiving /volume to s3://claws/x: Connection reset");
        jobPodEnds(
                "unlucky-archive-output",
                0,
                "archived 1 file(s), 1024 bytes in 1 part(s) to s3://claws/agents/output sha256:cd");
        await().atMost(TIMEOUT).until(() -> get("unlucky") == null);
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("session-unlucky-0")
                        .get())
                .isNotNull();
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("output-unlucky-0")
                        .get())
                .isNotNull();
        assertThat(client.v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("ArchiveFailed");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage())
                    .contains("the claims are kept", "session (Job unlucky-archive-session)", "Connection reset");
        });
    }

    @Test
    void aClawStartsFromAnArchiveOrASnapshotAndAMissingArchiveKeepsTheRuntimeFromStartingOnAnEmptyVolume() {
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("archive-s3")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("AWS_ACCESS_KEY_ID", "AKARCHIVER")
                        .addToStringData("AWS_SECRET_ACCESS_KEY", "archiver-secret")
                        .build())
                .create();
        String key = "agents/" + ns + "/old/session/5e1d.tar.gz";
        // The restore step's outcome is the archiver's termination message; the kubelet's report of it is played here.
        kubelet.failingInitContainers.put(
                "claw-restore-session",
                "restore failed (MISSING): reading the checksum s3://claws/" + key
                        + ".sha256 (an archive without one was never completed): no such object");
        client.resource(claw("phoenix", """
                persistence:
                  session:
                    size: 1Gi
                    restoreFrom:
                      archiveKey: %s
                  workspace:
                    size: 1Gi
                    restoreFrom:
                      snapshot: workspace-old-0-20261201-0300
                  output:
                    size: 1Gi
                    archive:
                      enabled: false
                      destination:
                        type: minio
                        bucket: claws
                        endpoint: http://minio.storage:9000
                        forcePathStyle: true
                        secretRef:
                          name: archive-s3
                      trigger:
                        schedule: "@daily"
                """.formatted(key))).create();

        await().atMost(TIMEOUT)
                .until(() -> condition("phoenix", ClawApi.CONDITION_RESTORED)
                                .filter(c -> "False".equals(c.getStatus()))
                                .isPresent()
                        && phase("phoenix") == ClawPhase.FAILED);
        Condition failed = condition("phoenix", ClawApi.CONDITION_RESTORED).orElseThrow();
        assertThat(failed.getReason()).isEqualTo("RestoreFailed");
        assertThat(failed.getMessage())
                .contains("does not start on an empty volume", "session: restore failed (MISSING)", key);
        assertThat(condition("phoenix", ClawApi.CONDITION_READY).orElseThrow().getMessage())
                .contains("restore failed (MISSING)");
        assertThat(condition("phoenix", ClawApi.CONDITION_RUNTIME_READY)
                        .orElseThrow()
                        .getStatus())
                .isEqualTo("False");

        // The restore step runs first, as the runtime's user, on the session claim; nothing secret on its command line.
        var pod = sts("phoenix").getSpec().getTemplate().getSpec();
        var restore = pod.getInitContainers().get(0);
        assertThat(restore.getName()).isEqualTo("claw-restore-session");
        assertThat(restore.getArgs())
                .containsSubsequence("restore", "--dir", "/restore", "--bucket", "claws", "--key", key);
        assertThat(restore.getArgs()).contains("--endpoint", "http://minio.storage:9000", "--path-style");
        assertThat(String.join(" ", restore.getArgs())).doesNotContain("archiver-secret");
        assertThat(restore.getVolumeMounts())
                .anyMatch(m -> m.getName().equals("session") && m.getMountPath().equals("/restore"));
        // restoreFrom.snapshot: the real StatefulSet controller made the claim with the snapshot as its dataSource.
        await().atMost(TIMEOUT)
                .until(() -> client.persistentVolumeClaims()
                                .inNamespace(ns)
                                .withName("workspace-phoenix-0")
                                .get()
                        != null);
        var dataSource = client.persistentVolumeClaims()
                .inNamespace(ns)
                .withName("workspace-phoenix-0")
                .get()
                .getSpec()
                .getDataSource();
        assertThat(dataSource.getKind()).isEqualTo("VolumeSnapshot");
        assertThat(dataSource.getApiGroup()).isEqualTo("snapshot.storage.k8s.io");
        assertThat(dataSource.getName()).isEqualTo("workspace-old-0-20261201-0300");

        // The archive is there after all (uploaded late): the restarted step succeeds and the runtime starts.
        kubelet.failingInitContainers.clear();
        kubelet.initContainerMessages.put(
                "claw-restore-session", "restored 3 file(s) from s3://claws/" + key + " (4096 bytes, sha256:ab)");
        // As the condition advises: the pod is deleted; the StatefulSet controller makes a new one, whose step
        // succeeds.
        client.pods().inNamespace(ns).withName("phoenix-0").delete();
        await().atMost(TIMEOUT).until(() -> phase("phoenix") == ClawPhase.RUNNING);
        Condition restored = condition("phoenix", ClawApi.CONDITION_RESTORED).orElseThrow();
        assertThat(restored.getStatus()).isEqualTo("True");
        assertThat(restored.getMessage()).contains("session: restored 3 file(s) from s3://claws/" + key);
    }

    @Test
    void beforeAnAutoUpdateEveryClaimIsArchivedBesideTheRunningPodAndAFailedArchiveRefusesThatVersion() {
        archiveSecretAndClaw("updater");
        Claw claw = get("updater");
        var hook = new ArchiveBeforeUpdate(() -> operatorClient, "ghcr.io/k8s4claw/claw-operator:test");
        var first = hook.beforeUpdate(claw, "1.0.0", "1.1.0");
        assertThat(first)
                .isInstanceOfSatisfying(
                        PreUpdateHook.Decision.Wait.class,
                        w -> assertThat(w.reason()).isEqualTo("archiving session, output to s3://claws first"));
        String sessionJob = ArchiveBeforeUpdate.preUpdateJobName(claw, VolumeRole.SESSION, "1.1.0");
        String outputJob = ArchiveBeforeUpdate.preUpdateJobName(claw, VolumeRole.OUTPUT, "1.1.0");
        var job =
                client.batch().v1().jobs().inNamespace(ns).withName(sessionJob).get();
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains(
                        "--key",
                        "agents/" + ns + "/updater/session/before-1.1.0-"
                                + claw.getMetadata().getUid() + ".tar.gz");
        // The runtime keeps running (the update has not begun): the archiver goes where its ReadWriteOnce claim is
        // mounted.
        var affinity = job.getSpec()
                .getTemplate()
                .getSpec()
                .getAffinity()
                .getPodAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .get(0);
        assertThat(affinity.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(affinity.getLabelSelector().getMatchLabels())
                .containsEntry("statefulset.kubernetes.io/pod-name", "updater-0");
        assertThat(sts("updater").getSpec().getReplicas()).isEqualTo(1);
        assertThat(phase("updater")).isEqualTo(ClawPhase.RUNNING);

        jobPodEnds(sessionJob, 0, "archived 3 file(s), 4096 bytes in 1 part(s) to s3://claws/x sha256:ab");
        assertThat(hook.beforeUpdate(claw, "1.0.0", "1.1.0")).isInstanceOf(PreUpdateHook.Decision.Wait.class);
        jobPodEnds(outputJob, 0, "archived 1 file(s), 1024 bytes in 1 part(s) to s3://claws/y sha256:cd");
        await().atMost(TIMEOUT)
                .until(() -> hook.beforeUpdate(claw, "1.0.0", "1.1.0") instanceof PreUpdateHook.Decision.Proceed);

        // The next version: its archive fails, so that version is refused with the archiver's reason.
        hook.beforeUpdate(claw, "1.1.0", "1.2.0");
        jobPodEnds(
                ArchiveBeforeUpdate.preUpdateJobName(claw, VolumeRole.SESSION, "1.2.0"),
                5,
                "archive failed (CREDENTIALS): the object store refused the credentials (InvalidAccessKeyId)");
        jobPodEnds(
                ArchiveBeforeUpdate.preUpdateJobName(claw, VolumeRole.OUTPUT, "1.2.0"),
                0,
                "archived 1 file(s), 1024 bytes in 1 part(s) to s3://claws/z sha256:ef");
        await().atMost(TIMEOUT)
                .until(() -> hook.beforeUpdate(claw, "1.1.0", "1.2.0") instanceof PreUpdateHook.Decision.Refuse);
        var refused = (PreUpdateHook.Decision.Refuse) hook.beforeUpdate(claw, "1.1.0", "1.2.0");
        assertThat(refused.reason()).contains("1.2.0 is not rolled out", "session", "refused the credentials");
    }

    private VolumeStatus volume(String claw, String role) {
        Claw c = get(claw);
        if (c.getStatus() == null || c.getStatus().getPersistence() == null) {
            return new VolumeStatus();
        }
        VolumeStatus v = switch (role) {
            case "session" -> c.getStatus().getPersistence().getSession();
            case "workspace" -> c.getStatus().getPersistence().getWorkspace();
            default -> c.getStatus().getPersistence().getOutput();
        };
        return v == null ? new VolumeStatus() : v;
    }

    private Map<String, GenericKubernetesResource> snapshots() {
        return client.genericKubernetesResources(VolumeSnapshots.CONTEXT).inNamespace(ns).list().getItems().stream()
                .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s, (a, b) -> a, TreeMap::new));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource s) {
        return (Map<String, Object>) s.getAdditionalProperties().get("spec");
    }

    private void markReady(String name, Instant at) {
        writeStatus(name, Map.of("readyToUse", true, "creationTime", at.toString(), "restoreSize", "1Gi"));
    }

    private void failSnapshot(String name, String message) {
        writeStatus(
                name,
                Map.of(
                        "readyToUse",
                        false,
                        "error",
                        Map.of("message", message, "time", Instant.now().toString())));
    }

    private void writeStatus(String name, Map<String, Object> status) {
        await().atMost(TIMEOUT).ignoreException(KubernetesClientException.class).until(() -> {
            GenericKubernetesResource s = client.genericKubernetesResources(VolumeSnapshots.CONTEXT)
                    .inNamespace(ns)
                    .withName(name)
                    .get();
            s.setAdditionalProperty("status", status);
            client.genericKubernetesResources(VolumeSnapshots.CONTEXT)
                    .inNamespace(ns)
                    .resource(s)
                    .updateStatus();
            return true;
        });
    }

    private void installSnapshotCrds() {
        for (Path crd : SnapshotCrds.ensureFetched()) {
            RealCluster.apply(real.plane(), crd);
        }
        await().atMost(TIMEOUT)
                .until(() -> real.plane()
                        .kubectl(
                                null,
                                "wait",
                                "--for=condition=Established",
                                "--timeout=5s",
                                "crd/volumesnapshots.snapshot.storage.k8s.io",
                                "crd/volumesnapshotclasses.snapshot.storage.k8s.io",
                                "crd/volumesnapshotcontents.snapshot.storage.k8s.io")
                        .ok());
    }

    /** The shared control plane may hold the CRDs from an earlier run of this class: start without them. */
    private void removeSnapshotCrds() {
        for (String crd : List.of("volumesnapshots", "volumesnapshotclasses", "volumesnapshotcontents")) {
            real.plane()
                    .kubectl(
                            null,
                            "delete",
                            "--ignore-not-found",
                            "--wait=true",
                            "crd/" + crd + ".snapshot.storage.k8s.io");
        }
        await().atMost(TIMEOUT)
                .until(() -> client.apiextensions()
                                .v1()
                                .customResourceDefinitions()
                                .withName("volumesnapshots.snapshot.storage.k8s.io")
                                .get()
                        == null);
    }

    private static Map<String, String> uids(List<? extends HasMetadata> objects) {
        return objects.stream()
                .collect(Collectors.toMap(
                        o -> o.getMetadata().getName(), o -> o.getMetadata().getUid(), (a, b) -> a, TreeMap::new));
    }
}
