package io.k8s4claw.operator.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawPhase;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.reconcile.ClusterEmulation;
import io.k8s4claw.operator.reconcile.RequestLog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (asserts nothing about speed; skipped unless {@code -Dbench=true}): the real operator
 * with the real runtime adapters against the fabric8 CRUD mock converges a baseline of 100 Claws, then 1,000
 * more, and prints time to converge (all Running), the operator's API requests per Claw and its heap.
 *
 * <pre>./mvnw -q -pl claw-operator test -Dtest=OperatorConvergenceBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Results: stdout and {@code claw-operator/target/benchmark/operator-convergence.txt}.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
@EnableKubernetesMockClient(crud = true)
class OperatorConvergenceBenchmark {

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void converge() throws IOException {
        // The mock server logs every request through java.util.logging at INFO: not what is being measured.
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer").setLevel(java.util.logging.Level.WARNING);
        int baseline = Integer.getInteger("bench.baseline", 100);
        int claws = Integer.getInteger("bench.claws", 1000);
        KubernetesClient operatorClient = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(RequestLog.OPERATOR_AGENT)
                        .withRequestTimeout(60_000).build()).build();
        RequestLog log = new RequestLog(server);
        long heapBefore = usedHeapAfterGc();
        OperatorMetrics metrics = new OperatorMetrics();
        StringBuilder report = new StringBuilder();
        try (ClusterEmulation cluster = new ClusterEmulation(client);
             ClawOperator operator = new ClawOperator(new ClawOperator.Settings(operatorClient, RuntimeAdapters.load(),
                     SidecarImages.defaults(), Set.of(), Optional.empty(), Optional.empty(), 10), metrics)) {
            operator.start();
            long heapStarted = usedHeapAfterGc();
            report.append(String.format("operator heap after start (idle): %.1f MiB%n", (heapStarted - heapBefore) / 1048576.0));
            Result first = run("bench-a", baseline, log, metrics, 0);
            report.append(first.line("baseline"));
            progress(report);
            Result second = run("bench-b", claws, log, metrics, baseline);
            report.append(second.line("main"));
            progress(report);
            report.append(String.format("time per Claw, main vs baseline: %.2fx%n", second.perClawMillis() / first.perClawMillis()));
            long heapConverged = usedHeapAfterGc();
            report.append(String.format("heap after convergence (operator + its caches of %d Claws and ~%d children; includes the mock"
                    + " API server and the test's StatefulSet emulation in the same JVM): %.1f MiB used, +%.1f MiB over idle%n",
                    baseline + claws, (baseline + claws) * 9, heapConverged / 1048576.0, (heapConverged - heapStarted) / 1048576.0));
            report.append("managed Claws by phase: ").append(metrics.byPhase()).append('\n');
        }
        operatorClient.close();
        System.out.print(report);
        Path out = Path.of("target/benchmark/operator-convergence.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
    }

    /** Results so far, written as they come (a long run on a busy machine may be cut short). */
    private static void progress(CharSequence report) throws IOException {
        Path out = Path.of("target/benchmark/operator-convergence.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.print(report);
    }

    record Result(int claws, long millis, long operatorRequests) {
        double perClawMillis() {
            return (double) millis / claws;
        }

        String line(String label) {
            return String.format("%s: %d Claws converged (all Running) in %d ms (%.2f ms/Claw); operator API requests %d = %.1f per Claw%n",
                    label, claws, millis, perClawMillis(), operatorRequests, (double) operatorRequests / claws);
        }
    }

    private Result run(String namespace, int count, RequestLog log, OperatorMetrics metrics, int alreadyRunning) {
        client.resource(new SecretBuilder().withNewMetadata().withName("hermes-api-keys").withNamespace(namespace).endMetadata()
                .addToStringData("OPENROUTER_API_KEY", "sk-bench").build()).create();
        client.resource(new SecretBuilder().withNewMetadata().withName("slack-team-tokens").withNamespace(namespace).endMetadata()
                .addToStringData("SLACK_APP_TOKEN", "xapp").addToStringData("SLACK_BOT_TOKEN", "xoxb").build()).create();
        ClawChannel channel = Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: ClawChannel
                metadata: {name: slack-team, namespace: %s}
                spec: {type: slack, credentials: {secretRef: {name: slack-team-tokens}}, config: {defaultChannel: C0123456789}}
                """.formatted(namespace), ClawChannel.class);
        client.resource(channel).create();
        log.mark();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            client.resource(Serialization.unmarshal("""
                    apiVersion: claw.prismer.ai/v1alpha1
                    kind: Claw
                    metadata: {name: agent-%d, namespace: %s}
                    spec:
                      runtime: hermesclaw
                      config: {model: nous-hermes-3, learningEnabled: true}
                      credentials: {secretRef: {name: hermes-api-keys}}
                      persistence:
                        session: {size: 5Gi, mountPath: /data/memory}
                        workspace: {size: 20Gi, mountPath: /data/skills}
                      channels: [{name: slack-team, mode: bidirectional}]
                    """.formatted(i, namespace), Claw.class)).create();
        }
        // Cheap wait on the operator's own phase gauge, then confirm against the API (listing 1,000 Claws 4x a second
        // would load the mock server more than the operator does).
        long[] lastPrinted = {0};
        await().atMost(Duration.ofMinutes(40)).pollInterval(Duration.ofMillis(100)).until(() -> {
            long running = metrics.byPhase().getOrDefault("Running", 0L) - alreadyRunning;
            if (running / 100 > lastPrinted[0]) {
                lastPrinted[0] = running / 100;
                System.out.printf("  %s: %d Running after %d ms%n", namespace, running, (System.nanoTime() - start) / 1_000_000);
            }
            return running >= count;
        });
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() ->
                client.resources(Claw.class).inNamespace(namespace).list().getItems().stream()
                        .filter(c -> c.getStatus() != null && c.getStatus().getPhase() == ClawPhase.RUNNING).count() == count);
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Result(count, millis, log.operatorRequests());
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
