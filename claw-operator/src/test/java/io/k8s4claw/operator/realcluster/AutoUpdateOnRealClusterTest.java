package io.k8s4claw.operator.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.LocalObjectRef;
import io.k8s4claw.api.v1alpha1.VersionHistoryStatus;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.testkit.process.PeerProcesses;
import io.k8s4claw.testkit.registry.OciRegistry;
import io.k8s4claw.testkit.registry.RegistryInstaller;
import io.k8s4claw.testkit.registry.TokenIssuer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Auto-update end to end: the operator (the deployed ServiceAccount, {@code deploy/rbac}) on the real control plane
 * ({@link RealCluster}: the real StatefulSet controller rolls the pod) lists the tags of a ZeroClaw image in the real
 * CNCF distribution registry in token-auth mode (the anonymous bearer flow of a public ghcr.io package) and rolls,
 * waits for health, rolls back and opens a circuit. {@link KubeletStandIn} reports a release's container not ready
 * where the test says that release is broken — what the kubelet reports when the runtime's health probe fails.
 * The schedule ({@code 0 3 * * *}) and the 2 minute health timeout run on a clock the test moves: no waiting for 03:00.
 */
class AutoUpdateOnRealClusterTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    RealCluster real;
    String ns;
    KubernetesClient client;
    KubernetesClient operatorClient;
    KubeletStandIn kubelet;
    ClawOperator operator;
    TokenIssuer tokens;
    OciRegistry registry;
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T01:00:00Z"));
    long testStart;

    @BeforeEach
    void start() {
        String password = PeerProcesses.randomHexSecret();
        tokens = new TokenIssuer("k8s4claw-test-registry")
                .user("release-bot", password)
                .publicRepository("zeroclaw-labs/zeroclaw");
        registry =
                OciRegistry.startWithTokenAuth(RegistryInstaller.ensureBuilt(), dir, tokens, "release-bot", password);
        registry.push("zeroclaw-labs/zeroclaw", "v0.8.1", "v0.8.1", "latest");
        real = RealCluster.shared();
        testStart = real.audit().mark();
        ns = real.newNamespace("autoupdate");
        client = real.adminClient();
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("zeroclaw-keys")
                        .withNamespace(ns)
                        .endMetadata()
                        .withStringData(Map.of("API_KEY", "sk-test"))
                        .build())
                .create();
        kubelet = new KubeletStandIn(client, ns);
        operatorClient = real.operatorClient();
        operator = new ClawOperator(
                new ClawOperator.Settings(
                        operatorClient,
                        RuntimeAdapters.load(),
                        new SidecarImages(
                                "ghcr.io/k8s4claw/claw-ipc-bridge:test", "ghcr.io/k8s4claw/claw-channel-sidecar:test"),
                        Set.of(ns),
                        Optional.empty(),
                        Optional.of(Duration.ofMillis(500)),
                        4),
                new OperatorMetrics(),
                clock());
        operator.start();
    }

    InstantSource clock() {
        return now::get;
    }

    @AfterEach
    void stop() {
        try {
            assertThat(real.refusals(testStart, RealCluster.OPERATOR_USER)).isEmpty();
        } finally {
            operator.close();
            kubelet.close();
            operatorClient.close();
            client.close();
            registry.close();
            tokens.close();
        }
    }

    Claw claw(String name, String repository, String autoUpdate) {
        return Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  runtime: zeroclaw
                  config:
                    provider: openrouter
                    model: anthropic/claude-sonnet-4-20250514
                  credentials:
                    secretRef:
                      name: zeroclaw-keys
                  image:
                    repository: %s
                    tag: v0.8.1
                  autoUpdate:
                %s
                """.formatted(name, ns, repository, autoUpdate.indent(4)), Claw.class);
    }

    @Test
    void rollsToANewReleaseRollsBackABrokenOneAndOpensItsCircuit() {
        String repo = registry.host() + "/zeroclaw-labs/zeroclaw";
        client.resource(claw("agent", repo, """
                enabled: true
                versionConstraint: "^0.8.0"
                schedule: "0 3 * * *"
                healthTimeout: 2m
                maxRollbacks: 2
                """)).create();
        // First sight: the running release is healthy, the registry has nothing newer.
        AutoUpdateStatus s = awaitStatus(
                "agent", a -> "UpToDate".equals(reason("agent")) && "v0.8.1".equals(a.getLastGoodVersion()));
        assertThat(s.getCurrentVersion()).isEqualTo("v0.8.1");
        assertThat(s.getNextCheck()).isEqualTo("2026-12-01T03:00:00Z");
        assertThat(tokens.requests())
                .anyMatch(r -> r.user() == null && r.granted().contains("zeroclaw-labs/zeroclaw:pull"));
        assertThat(image("agent")).isEqualTo(repo + ":v0.8.1");

        // A release appears; at 03:00 the operator rolls to it and records it healthy.
        registry.push("zeroclaw-labs/zeroclaw", "v0.8.2", "v0.8.2");
        registry.push("zeroclaw-labs/zeroclaw", "v0.9.0", "v0.9.0"); // outside ^0.8.0
        now.set(Instant.parse("2026-12-01T03:00:00Z"));
        s = awaitStatus("agent", a -> "v0.8.2".equals(a.getLastGoodVersion()));
        assertThat(s.getCurrentVersion()).isEqualTo("v0.8.2");
        assertThat(s.getPreviousVersion()).isEqualTo("v0.8.1");
        assertThat(s.getVersionHistory()).last().satisfies(e -> {
            assertThat(e.getVersion()).isEqualTo("v0.8.2");
            assertThat(e.getStatus()).isEqualTo(VersionHistoryStatus.HEALTHY);
        });
        assertThat(image("agent")).isEqualTo(repo + ":v0.8.2");
        assertThat(real.plane().kubectl(null, "-n", ns, "get", "claw", "agent").stdout())
                .contains("v0.8.2");
        assertThat(eventReasons()).contains("UpdateStarted", "UpdateSucceeded");

        // A broken release: its container never becomes ready. Rolled out at 03:00, rolled back after 2 minutes.
        registry.push("zeroclaw-labs/zeroclaw", "v0.8.3", "v0.8.3");
        kubelet.unhealthyImages.add(repo + ":v0.8.3");
        now.set(Instant.parse("2026-12-02T03:00:00Z"));
        awaitStatus("agent", a -> "v0.8.3".equals(a.getPendingVersion()));
        await().atMost(TIMEOUT).until(() -> (repo + ":v0.8.3").equals(image("agent")));
        now.set(Instant.parse("2026-12-02T03:02:00Z"));
        s = awaitStatus(
                "agent",
                a -> a.getPendingVersion() == null && Integer.valueOf(1).equals(a.getRollbackCount()));
        assertThat(s.getCurrentVersion()).isEqualTo("v0.8.2");
        assertThat(s.getVersionHistory()).last().satisfies(e -> {
            assertThat(e.getVersion()).isEqualTo("v0.8.3");
            assertThat(e.getStatus()).isEqualTo(VersionHistoryStatus.ROLLED_BACK);
            assertThat(e.getReason()).startsWith("not healthy within 2m");
        });
        await().atMost(TIMEOUT).until(() -> (repo + ":v0.8.2").equals(image("agent")) && ready("agent"));
        assertThat(eventReasons()).contains("RolledBack");

        // The next night it is tried once more and fails again: maxRollbacks (2) reached, its circuit opens.
        now.set(Instant.parse("2026-12-03T03:00:00Z"));
        awaitStatus("agent", a -> "v0.8.3".equals(a.getPendingVersion()));
        now.set(Instant.parse("2026-12-03T03:02:00Z"));
        s = awaitStatus(
                "agent",
                a -> a.getFailedVersions() != null && a.getFailedVersions().contains("v0.8.3"));
        assertThat(s.getCircuitOpen()).isTrue();
        assertThat(s.getCurrentVersion()).isEqualTo("v0.8.2");
        assertThat(eventReasons()).contains("CircuitOpen");
        await().atMost(TIMEOUT).until(() -> (repo + ":v0.8.2").equals(image("agent")) && ready("agent"));

        // The night after: the circuit holds, nothing is rolled, the condition says why.
        now.set(Instant.parse("2026-12-04T03:00:00Z"));
        awaitStatus("agent", a -> "2026-12-04T03:00:00Z".equals(a.getLastCheck()));
        Condition c = condition("agent");
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("CircuitOpen");
        assertThat(c.getMessage()).contains("v0.8.3").contains("spec.autoUpdate");
        assertThat(image("agent")).isEqualTo(repo + ":v0.8.2");

        // Editing spec.autoUpdate closes the circuit: the fixed v0.8.3 (now healthy) is tried at once and kept.
        kubelet.unhealthyImages.clear();
        client.resources(Claw.class).inNamespace(ns).withName("agent").edit(cl -> {
            cl.getSpec().getAutoUpdate().setMaxRollbacks(3);
            return cl;
        });
        s = awaitStatus("agent", a -> "v0.8.3".equals(a.getLastGoodVersion()));
        assertThat(s.getFailedVersions()).isNull();
        assertThat(image("agent")).isEqualTo(repo + ":v0.8.3");
    }

    @Test
    void aRegistryThatFailsIsAConditionAndTheRunningVersionStays() {
        int closed = PeerProcesses.freeLoopbackPort();
        client.resource(claw("unreachable", "127.0.0.1:" + closed + "/zeroclaw-labs/zeroclaw", "enabled: true"))
                .create();
        client.resource(claw("missing", registry.host() + "/zeroclaw-labs/nope", "enabled: true"))
                .create();
        await().atMost(TIMEOUT).until(() -> "RegistryUnreachable".equals(reason("unreachable")));
        await().atMost(TIMEOUT)
                .until(() -> "RepositoryNotFound".equals(reason("missing"))
                        || "RegistryUnauthorized".equals(reason("missing")));
        Condition c = condition("unreachable");
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getMessage())
                .contains("cannot reach registry 127.0.0.1:" + closed)
                .contains("v0.8.1 keeps running");
        AutoUpdateStatus s = get("unreachable").getStatus().getAutoUpdate();
        assertThat(s.getRegistryFailures()).isGreaterThanOrEqualTo(1);
        assertThat(Instant.parse(s.getNextCheck())).isAfter(now.get());
        assertThat(image("unreachable")).endsWith(":v0.8.1");
        assertThat(image("missing")).endsWith(":v0.8.1");
        assertThat(ready("unreachable")).isTrue();
        assertThat(eventReasons()).contains("RegistryCheckFailed");
    }

    @Test
    void aPrivateRepositoryIsListedWithTheClawsPullSecret() {
        registry.push("acme/zeroclaw", "private-v0.8.1", "v0.8.1");
        registry.push("acme/zeroclaw", "private-v0.8.2", "v0.8.2");
        String reader = "reader-" + PeerProcesses.randomHexSecret().substring(0, 8);
        String password = PeerProcesses.randomHexSecret();
        tokens.user(reader, password);
        String repo = registry.host() + "/acme/zeroclaw";
        // Without credentials the registry refuses: a condition, the running version kept.
        client.resource(claw("anonymous", repo, "enabled: true")).create();
        await().atMost(TIMEOUT).until(() -> "RegistryUnauthorized".equals(reason("anonymous")));
        assertThat(condition("anonymous").getMessage()).contains("spec.image.pullSecrets");
        // With a kubernetes.io/dockerconfigjson Secret in spec.image.pullSecrets it lists, and the pod pulls with it
        // too.
        String auth = Base64.getEncoder().encodeToString((reader + ":" + password).getBytes(StandardCharsets.UTF_8));
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("acme-pull")
                        .withNamespace(ns)
                        .endMetadata()
                        .withType("kubernetes.io/dockerconfigjson")
                        .withStringData(Map.of(
                                ".dockerconfigjson",
                                "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}"))
                        .build())
                .create();
        Claw withSecret = claw("authenticated", repo, "enabled: true");
        withSecret.getSpec().getImage().setPullSecrets(List.of(ref("acme-pull")));
        client.resource(withSecret).create();
        AutoUpdateStatus s = awaitStatus("authenticated", a -> "v0.8.2".equals(a.getLastGoodVersion()));
        assertThat(s.getCurrentVersion()).isEqualTo("v0.8.2");
        assertThat(tokens.requests())
                .anyMatch(r -> reader.equals(r.user()) && r.granted().contains("acme/zeroclaw:pull"));
        StatefulSet sts = client.apps()
                .statefulSets()
                .inNamespace(ns)
                .withName("authenticated")
                .get();
        assertThat(sts.getSpec().getTemplate().getSpec().getImagePullSecrets())
                .extracting(r -> r.getName())
                .containsExactly("acme-pull");
        assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .noneMatch(e -> e.getMessage() != null && e.getMessage().contains(password));
    }

    static LocalObjectRef ref(String name) {
        LocalObjectRef r = new LocalObjectRef();
        r.setName(name);
        return r;
    }

    Claw get(String name) {
        return client.resources(Claw.class).inNamespace(ns).withName(name).get();
    }

    AutoUpdateStatus awaitStatus(String name, Predicate<AutoUpdateStatus> until) {
        AtomicReference<AutoUpdateStatus> seen = new AtomicReference<>();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Claw c = get(name);
            AutoUpdateStatus a =
                    c == null || c.getStatus() == null ? null : c.getStatus().getAutoUpdate();
            seen.set(a);
            return a != null && until.test(a);
        });
        return seen.get();
    }

    Condition condition(String name) {
        Claw c = get(name);
        return c == null || c.getStatus() == null || c.getStatus().getConditions() == null
                ? null
                : c.getStatus().getConditions().stream()
                        .filter(x -> "AutoUpdate".equals(x.getType()))
                        .findFirst()
                        .orElse(null);
    }

    String reason(String name) {
        Condition c = condition(name);
        return c == null ? null : c.getReason();
    }

    String image(String name) {
        StatefulSet sts =
                client.apps().statefulSets().inNamespace(ns).withName(name).get();
        return sts == null
                ? null
                : sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    boolean ready(String name) {
        Claw c = get(name);
        return c != null
                && c.getStatus() != null
                && c.getStatus().getConditions() != null
                && c.getStatus().getConditions().stream()
                        .anyMatch(x -> "Ready".equals(x.getType()) && "True".equals(x.getStatus()));
    }

    List<String> eventReasons() {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .map(Event::getReason)
                .toList();
    }
}
