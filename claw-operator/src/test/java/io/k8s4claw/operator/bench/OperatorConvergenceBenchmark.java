package io.k8s4claw.operator.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawPhase;
import io.k8s4claw.operator.realcluster.KubeletStandIn;
import io.k8s4claw.operator.realcluster.RealCluster;
import io.k8s4claw.testkit.install.GoModuleBuild;
import io.k8s4claw.testkit.kubernetes.AuditLog;
import io.k8s4claw.testkit.kubernetes.ControlPlaneInstaller;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import io.k8s4claw.testkit.process.PeerProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (asserts nothing about speed; skipped unless {@code -Dbench=true}): the operator, as its own
 * JVM ({@code claw operator}, the Deployment's JVM flags and its ServiceAccount under the cluster-wide RBAC), against
 * a real kube-apiserver + etcd + kube-controller-manager on this machine. It converges a baseline of 100 Claws, then
 * 1,000 more (each with a Slack channel and two volumes: StatefulSet, Service, ConfigMap, generated Secret,
 * ServiceAccount, NetworkPolicy, status), and prints:
 * <ul>
 *   <li>time until every Claw of the run has its children and phase Running (pods made ready by
 *       {@link KubeletStandIn}; the real StatefulSet controller makes them);</li>
 *   <li>the operator's API requests and writes per Claw, counted by the apiserver (audit log);</li>
 *   <li>writes on a no-op resync of all of them (the operator restarted: it reconciles every Claw again);</li>
 *   <li>the operator's heap after a full GC and its RSS; the CPU seconds of the operator, kube-apiserver, etcd,
 *       kube-controller-manager and this JVM (kubelet stand-in, the client creating Claws) over the run, so the
 *       bottleneck is visible.</li>
 * </ul>
 *
 * <pre>./mvnw -q -pl claw-operator -am test -Dtest=OperatorConvergenceBenchmark -Dbench=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * ({@code -Dbench.claws}, {@code -Dbench.baseline}, {@code -Dbench.writePath=UPDATE} to measure the other write path;
 * {@code -Dbench.foreignSecrets=500 -Dbench.foreignSecretKiB=512} adds that many unrelated Secrets after convergence
 * and prints the operator's heap with them beside the heap without them.) Results: stdout and
 * {@code claw-operator/target/benchmark/operator-convergence.txt}.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class OperatorConvergenceBenchmark {

    static final Path OUT = Path.of("target/benchmark/operator-convergence.txt");
    static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    final StringBuilder report = new StringBuilder();

    @Test
    void converge() throws Exception {
        int baseline = Integer.getInteger("bench.baseline", 100);
        int claws = Integer.getInteger("bench.claws", 1000);
        // The controller manager's default client rate (20/s) would make the StatefulSet controller the bottleneck
        // of a 1,000-Claw run; a production controller manager is configured well above it too.
        try (LocalControlPlane plane = LocalControlPlane.start(
                ControlPlaneInstaller.ensureBuilt(),
                LocalControlPlane.Options.defaults()
                        .withControllerQps(1000)
                        .withProfiling(Integer.getInteger("bench.apiserverProfile", 0) > 0)
                        .withApiserverGogc(Integer.getInteger("bench.apiserverGogc", 0)))) {
            RealCluster real = RealCluster.prepare(plane);
            Path kubeconfig = real.operatorKubeconfig();
            line(
                    "Kubernetes %s (kube-apiserver%s, etcd %s, kube-controller-manager) on %d cores; operator: its "
                            + "own JVM (%s), %s;"
                            + " write path %s",
                    plane.binaries().kubernetesVersion(),
                    Integer.getInteger("bench.apiserverGogc", 0) > 0
                            ? " with GOGC=" + Integer.getInteger("bench.apiserverGogc")
                            : "",
                    plane.binaries().etcdVersion(),
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.version(),
                    String.join(" ", jvmFlags()),
                    writePath());
            try (KubernetesClient admin = real.adminClient()) {
                String nsA = prepareNamespace(real, admin, "bench-a");
                String nsB = prepareNamespace(real, admin, "bench-b");
                try (KubeletStandIn a = new KubeletStandIn(admin, nsA, false);
                        KubeletStandIn b = new KubeletStandIn(admin, nsB, false)) {
                    OperatorProcess operator = OperatorProcess.start(kubeconfig);
                    try {
                        Map<String, Long> cpuStart = cpu(plane, operator);
                        Run first = run(plane, real, admin, operator, nsA, baseline);
                        line("%s", first.line("baseline"));
                        Map<String, Long> cpuMid = cpu(plane, operator);
                        Map<String, Long> threadsMid = operator.cpuByThread();
                        Thread profile = apiserverProfile(plane);
                        Run second = run(plane, real, admin, operator, nsB, claws);
                        // Taken when the last Claw was Running: reading the audit log afterwards is not the run's.
                        Map<String, Long> cpuEnd = second.cpuAtEnd();
                        profile.join();
                        line("%s", second.line("main"));
                        reportProfile(plane);
                        line("time per Claw, main vs baseline: %.2fx", second.perClawMillis() / first.perClawMillis());
                        line(
                                "CPU seconds during the main run (%.1f s wall, %d cores = %.1f CPU-s available): %s",
                                second.millis() / 1000.0,
                                Runtime.getRuntime().availableProcessors(),
                                second.millis() / 1000.0 * Runtime.getRuntime().availableProcessors(),
                                shares(cpuMid, cpuEnd));
                        line("CPU seconds over both runs: %s", shares(cpuStart, cpuEnd));
                        line(
                                "operator CPU seconds during the main run by thread (largest 10): %s",
                                largest(threadsMid, second.operatorThreadsAtEnd(), 10));
                        long heap = operator.heapUsedAfterGc();
                        line(
                                "operator after convergence of %d Claws: heap used after full GC %.1f MiB (%.1f MiB "
                                        + "per 100 Claws), RSS %.1f MiB",
                                baseline + claws,
                                heap / 1048576.0,
                                heap / 1048576.0 / ((baseline + claws) / 100.0),
                                operator.rssBytes() / 1048576.0);
                        line("operator heap by class (top 15, after full GC):");
                        operator.heapHistogram(15).forEach(l -> line("  %s", l));
                        List<String> nativeMemory = operator.nativeMemory();
                        if (!nativeMemory.isEmpty()) {
                            line("operator native memory (NMT, committed): %s", String.join("; ", nativeMemory));
                        }
                        int foreign = Integer.getInteger("bench.foreignSecrets", 0);
                        if (foreign > 0) {
                            // Secrets no Claw references, in another namespace (Helm release Secrets, other tenants'
                            // credentials): the operator must hear about them (metadata) without holding their data.
                            int kib = Integer.getInteger("bench.foreignSecretKiB", 512);
                            long created = createForeignSecrets(real, admin, foreign, kib);
                            Thread.sleep(10_000); // the watch delivers them; nothing to wait on in the operator
                            long heapWith = operator.heapUsedAfterGc();
                            line(
                                    "%d unrelated Secrets of %d KiB (%.0f MiB of data) created in %d ms: operator "
                                            + "heap after full GC %.1f MiB"
                                            + " (without them %.1f MiB: %+.1f MiB), RSS %.1f MiB",
                                    foreign,
                                    kib,
                                    foreign * kib / 1024.0,
                                    created,
                                    heapWith / 1048576.0,
                                    heap / 1048576.0,
                                    (heapWith - heap) / 1048576.0,
                                    operator.rssBytes() / 1048576.0);
                        }

                        // A no-op resync of everything: a restarted operator reconciles every Claw once more.
                        operator.close();
                        long mark = real.audit().mark();
                        long resyncStart = System.nanoTime();
                        operator = OperatorProcess.start(kubeconfig);
                        OperatorProcess restarted = operator;
                        await().atMost(Duration.ofMinutes(10))
                                .pollInterval(Duration.ofMillis(500))
                                .until(() -> restarted.reconciliations("Claw") >= baseline + claws);
                        // Let a write caused by a reconcile still on its way land before counting.
                        Thread.sleep(2000);
                        List<AuditLog.Request> operatorRequests = real.audit().since(mark).stream()
                                .filter(r -> r.username().equals(RealCluster.OPERATOR_USER))
                                .toList();
                        long writes = operatorRequests.stream()
                                .filter(AuditLog.Request::isWrite)
                                .count();
                        line(
                                "no-op resync of all %d Claws (operator restarted, %.0f reconciles in %d ms): %d "
                                        + "writes, %d requests",
                                baseline + claws,
                                restarted.reconciliations("Claw"),
                                (System.nanoTime() - resyncStart) / 1_000_000,
                                writes,
                                operatorRequests.size());
                        operatorRequests.stream()
                                .filter(AuditLog.Request::isWrite)
                                .limit(10)
                                .forEach(r -> line("  write on resync: %s", r.line()));
                        line(
                                "operator after the restart (its informers listed everything anew): heap used after "
                                        + "full GC %.1f MiB, RSS %.1f MiB",
                                restarted.heapUsedAfterGc() / 1048576.0, restarted.rssBytes() / 1048576.0);
                    } finally {
                        operator.close();
                    }
                }
            }
        }
        Files.createDirectories(OUT.getParent());
        Files.writeString(OUT, report);
    }

    void line(String format, Object... args) {
        String text = String.format(format, args);
        report.append(text).append('\n');
        System.out.println(text);
    }

    static String prepareNamespace(RealCluster real, KubernetesClient admin, String ns) {
        // Hermes's default root start meets baseline, not restricted (claw-runtime-adapters docs).
        String created = real.newNamespace(ns, "baseline");
        admin.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("hermes-api-keys")
                        .withNamespace(created)
                        .endMetadata()
                        .addToStringData("OPENROUTER_API_KEY", "sk-bench")
                        .build())
                .create();
        admin.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("slack-team-tokens")
                        .withNamespace(created)
                        .endMetadata()
                        .addToStringData("SLACK_APP_TOKEN", "xapp")
                        .addToStringData("SLACK_BOT_TOKEN", "xoxb")
                        .build())
                .create();
        admin.resource(Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: ClawChannel
                metadata: {name: slack-team, namespace: %s}
                spec:
                  type: slack
                  credentials: {secretRef: {name: slack-team-tokens}}
                  config: {defaultChannel: C0123456789}
                """.formatted(created), ClawChannel.class))
                .create();
        return created;
    }

    /**
     * {@code count} Secrets of {@code kib} KiB of random data in a namespace of their own; returns the milliseconds it
     * took.
     */
    static long createForeignSecrets(RealCluster real, KubernetesClient admin, int count, int kib) {
        String ns = real.newNamespace("bench-foreign", "baseline");
        Random random = new Random(42);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[kib * 1024];
            random.nextBytes(data);
            admin.resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("unrelated-" + i)
                            .withNamespace(ns)
                            .addToLabels("owner", "helm")
                            .endMetadata()
                            .addToData("release", Base64.getEncoder().encodeToString(data))
                            .build())
                    .create();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    record Run(
            int claws,
            long millis,
            long requests,
            long writes,
            Map<String, Long> cpuAtEnd,
            Map<String, Long> operatorThreadsAtEnd) {
        double perClawMillis() {
            return (double) millis / claws;
        }

        String line(String label) {
            return String.format(
                    "%s: %d Claws converged (children made, phase Running) in %d ms (%.2f ms/Claw); operator API "
                            + "requests"
                            + " %d = %.1f per Claw, of which writes %d = %.1f per Claw",
                    label,
                    claws,
                    millis,
                    perClawMillis(),
                    requests,
                    (double) requests / claws,
                    writes,
                    (double) writes / claws);
        }
    }

    private Run run(
            LocalControlPlane plane,
            RealCluster real,
            KubernetesClient admin,
            OperatorProcess operator,
            String ns,
            int count) {
        long mark = real.audit().mark();
        double runningBefore = operator.managed("Running");
        double reconcilesBefore = operator.reconciliations("Claw");
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            admin.resource(Serialization.unmarshal("""
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
                    """.formatted(i, ns), Claw.class))
                    .create();
        }
        // Cheap wait on the operator's own phase gauge, then confirm against the API.
        long[] printed = {0};
        long[] checkedFailures = {0};
        await().atMost(Duration.ofMinutes(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!operator.alive()) {
                        throw new IllegalStateException("the operator exited (" + operator.exitReason() + ") with "
                                + (long) (operator.lastManagedRunning - runningBefore) + " of " + count
                                + " Claws Running");
                    }
                    long elapsed = System.nanoTime() - start;
                    if (printed[0] == 0 && elapsed > 20_000_000_000L && checkedFailures[0] < elapsed / 5_000_000_000L) {
                        // A pod the StatefulSet controller cannot create never becomes ready: say why instead of
                        // waiting. Every 5 s and by field selector: listing every event of the namespace each poll
                        // was load of the benchmark's own on the apiserver.
                        checkedFailures[0] = elapsed / 5_000_000_000L;
                        admin
                                .v1()
                                .events()
                                .inNamespace(ns)
                                .withField("reason", "FailedCreate")
                                .list()
                                .getItems()
                                .stream()
                                .findFirst()
                                .ifPresent(e -> {
                                    throw new IllegalStateException("pods are refused: " + e.getMessage());
                                });
                    }
                    double running = operator.managed("Running") - runningBefore;
                    if ((long) running / 100 > printed[0]) {
                        printed[0] = (long) running / 100;
                        System.out.printf(
                                "  %s: %d Running after %d ms%n",
                                ns, (long) running, (System.nanoTime() - start) / 1_000_000);
                    }
                    return running >= count;
                });
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> admin.resources(Claw.class).inNamespace(ns).list().getItems().stream()
                                .filter(c ->
                                        c.getStatus() != null && c.getStatus().getPhase() == ClawPhase.RUNNING)
                                .count()
                        == count);
        long millis = (System.nanoTime() - start) / 1_000_000;
        Map<String, Long> cpuAtEnd = cpu(plane, operator);
        Map<String, Long> operatorThreadsAtEnd = operator.cpuByThread();
        List<AuditLog.Request> all = real.audit().since(mark);
        List<AuditLog.Request> requests = all.stream()
                .filter(r -> r.username().equals(RealCluster.OPERATOR_USER))
                .toList();
        // Everyone's writes, so what else keeps the apiserver busy is visible (the controller manager's controllers,
        // the kubelet stand-in, the benchmark's own client); and everyone's reads (get, list, watch): a benchmark's own
        // polling or a controller's relisting shows there.
        printTop(all, AuditLog.Request::isWrite, "all writers", 12, ns, count);
        printTop(all, r -> !r.isWrite(), "all readers", 8, ns, count);
        line(
                "  %s: %.0f reconciles of a Claw (%.1f per Claw)",
                ns,
                operator.reconciliations("Claw") - reconcilesBefore,
                (operator.reconciliations("Claw") - reconcilesBefore) / count);
        requests.stream()
                .collect(Collectors.groupingBy(
                        OperatorConvergenceBenchmark::requestKind, TreeMap::new, Collectors.counting()))
                .forEach((kind, n) -> line("  %s: %s %d (%.2f per Claw)", ns, kind, n, (double) n / count));
        return new Run(
                count,
                millis,
                requests.size(),
                requests.stream().filter(AuditLog.Request::isWrite).count(),
                cpuAtEnd,
                operatorThreadsAtEnd);
    }

    /**
     * {@code -Dbench.apiserverProfile=<seconds>}: kube-apiserver's own CPU profile (Go pprof) over the first seconds
     * of the main run, written to {@code target/benchmark/kube-apiserver.pprof}; read it with
     * {@code go tool pprof -top <kube-apiserver binary> <file>}. {@link #reportProfile} checks what arrived (a
     * profile is gzip; anything else is the server's answer, e.g. a 404 when profiling is off) and prints its top
     * entries.
     */
    static Thread apiserverProfile(LocalControlPlane plane) {
        int seconds = Integer.getInteger("bench.apiserverProfile", 0);
        Thread thread = new Thread(() -> {
            if (seconds <= 0) {
                return;
            }
            try {
                Files.createDirectories(OUT.getParent());
                Process curl = new ProcessBuilder(
                                "curl",
                                "-sS",
                                "--fail-with-body",
                                "--cacert",
                                plane.caCertificate().toString(),
                                "-H",
                                "Authorization: Bearer " + plane.adminToken(),
                                "-o",
                                PROFILE.toString(),
                                plane.serverUrl() + "/debug/pprof/profile?seconds=" + seconds)
                        .inheritIO()
                        .start();
                curl.waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        return thread;
    }

    static final Path PROFILE = OUT.resolveSibling("kube-apiserver.pprof");

    /** What the profile holds: its top entries by cumulative CPU (Go's pprof), or why there is none. */
    void reportProfile(LocalControlPlane plane) throws IOException, InterruptedException {
        if (Integer.getInteger("bench.apiserverProfile", 0) <= 0) {
            return;
        }
        byte[] head = Files.exists(PROFILE) ? Files.readAllBytes(PROFILE) : new byte[0];
        if (head.length < 2 || (head[0] & 0xff) != 0x1f || (head[1] & 0xff) != 0x8b) {
            line(
                    "kube-apiserver profile: none (%s)",
                    head.length == 0
                            ? "nothing received"
                            : "the server answered: " + new String(head, StandardCharsets.UTF_8).strip());
            return;
        }
        Process pprof;
        try {
            pprof = new ProcessBuilder(
                            GoModuleBuild.goBinary(),
                            "tool",
                            "pprof",
                            "-top",
                            "-cum",
                            "-nodecount=40",
                            plane.binaries().kubeApiserver().toString(),
                            PROFILE.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            line("kube-apiserver profile: %s (%d bytes; no Go to read it: %s)", PROFILE, head.length, e.getMessage());
            return;
        }
        List<String> lines = new String(pprof.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();
        pprof.waitFor(60, TimeUnit.SECONDS);
        line("kube-apiserver profile %s, top by cumulative CPU:", PROFILE);
        lines.forEach(l -> line("  %s", l));
    }

    /** {@code VERB resource[/subresource]} of a request: what the per-Claw counts are made of. */
    /** The {@code limit} most frequent (user, request kind) pairs among the requests {@code which} selects. */
    private void printTop(
            List<AuditLog.Request> requests,
            Predicate<AuditLog.Request> which,
            String label,
            int limit,
            String ns,
            int count) {
        requests.stream()
                .filter(which)
                .collect(Collectors.groupingBy(
                        r -> r.username().replace("system:serviceaccount:", "") + " " + requestKind(r),
                        Collectors.counting()))
                .entrySet()
                .stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> line(
                        "  %s: %s: %s %d (%.2f per Claw)",
                        ns, label, e.getKey(), e.getValue(), (double) e.getValue() / count));
    }

    static String requestKind(AuditLog.Request request) {
        String[] parts = request.path().split("/");
        int ns = Arrays.asList(parts).indexOf("namespaces");
        String resource;
        if (ns >= 0 && parts.length > ns + 2) {
            resource = parts[ns + 2] + (parts.length > ns + 4 ? "/" + parts[ns + 4] : "");
        } else {
            resource = parts[parts.length - 1];
        }
        return request.verb() + " " + resource;
    }

    /**
     * {@code -Dbench.writePath=UPDATE|SERVER_SIDE_APPLY}: how the operator writes children (default: the CLI's, SSA).
     */
    static String writePath() {
        return System.getProperty("bench.writePath", "SERVER_SIDE_APPLY");
    }

    static List<String> jvmFlags() {
        // The Deployment's JAVA_TOOL_OPTIONS with its 768 MiB limit: the serial collector, MaxRAMPercentage=50 of the
        // limit (-Dbench.xmx to vary), string deduplication; -Dbench.operatorFlags adds flags (e.g. a JFR recording;
        // a later collector flag wins: -XX:-UseSerialGC -XX:+UseG1GC measures G1). Without the collector named, this
        // machine's 24 GiB would make the JVM pick G1, which it does not in the container.
        List<String> flags = new ArrayList<>(List.of(
                "-XX:+UseSerialGC",
                "-Xmx" + System.getProperty("bench.xmx", "384m"),
                "-XX:+UseStringDeduplication",
                "-XX:+ExitOnOutOfMemoryError"));
        String extra = System.getProperty("bench.operatorFlags", "").strip();
        if (!extra.isEmpty()) {
            flags.addAll(Arrays.asList(extra.split("\\s+")));
        }
        return flags;
    }

    private static Map<String, Long> cpu(LocalControlPlane plane, OperatorProcess operator) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        ticks.put("operator", ticks(operator.pid()));
        ticks.put("kube-apiserver", ticks(plane.apiserverProcess().pid()));
        ticks.put("etcd", ticks(plane.etcdProcess().pid()));
        ticks.put(
                "kube-controller-manager",
                ticks(plane.controllerManagerProcess().pid()));
        ticks.put(
                "benchmark JVM (kubelet stand-in, client)",
                ticks(ProcessHandle.current().pid()));
        return ticks;
    }

    /**
     * Heap used, from {@code jcmd GC.heap_info}: the sum of its heap lines ("… used 12891K [0x…"), one for G1, a
     * young and an old generation for Serial and Parallel (their spaces' lines give percentages).
     */
    static long heapUsed(String heapInfo) {
        Matcher used = Pattern.compile("used (\\d+)K \\[").matcher(heapInfo);
        long sum = 0;
        boolean found = false;
        while (used.find()) {
            sum += Long.parseLong(used.group(1)) * 1024;
            found = true;
        }
        return found ? sum : -1;
    }

    /** The largest entries of a CPU-ticks difference as "name 1.2 s", largest first. */
    static String largest(Map<String, Long> from, Map<String, Long> to, int top) {
        return to.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - from.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .map(e -> String.format("%s %.1f s", e.getKey(), e.getValue() / (double) TICKS_PER_SECOND))
                .collect(Collectors.joining(", "));
    }

    private static String shares(Map<String, Long> from, Map<String, Long> to) {
        long total = 0;
        for (String k : to.keySet()) {
            total += to.get(k) - from.get(k);
        }
        List<String> parts = new ArrayList<>();
        for (String k : to.keySet()) {
            long d = to.get(k) - from.get(k);
            parts.add(String.format(
                    "%s %.1f s (%.0f %%)", k, d / (double) TICKS_PER_SECOND, total == 0 ? 0 : 100.0 * d / total));
        }
        return String.join(", ", parts);
    }

    /** utime + stime of a process, in clock ticks, from /proc/&lt;pid&gt;/stat (fields 14 and 15). */
    static long ticks(long pid) {
        try {
            return ticksOf(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException e) {
            return 0;
        }
    }

    /** utime + stime from a process's or a thread's stat line (after its name, which may hold spaces). */
    static long ticksOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** {@code claw operator} in a JVM of its own, with its metrics endpoint. */
    static final class OperatorProcess implements AutoCloseable {
        private static final Pattern SAMPLE =
                Pattern.compile("^([a-z_]+)\\{([^}]*)\\} ([0-9.eE+-]+)$", Pattern.MULTILINE);
        private final Process process;
        private final int port;
        private final HttpClient http = HttpClient.newHttpClient();

        private OperatorProcess(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static OperatorProcess start(Path kubeconfig) throws IOException {
            int port = PeerProcesses.freeLoopbackPort();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(jvmFlags());
            command.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.k8s4claw.operator.cli.ClawCommand",
                    "operator",
                    "--no-leader-election",
                    "--health-port=" + port,
                    "--write-path=" + writePath()));
            Path log = Path.of("target/benchmark/operator-process.log");
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("KUBECONFIG", kubeconfig.toString());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            // The Deployment's environment: glibc's arenas capped as the image sets them (-Dbench.operatorEnv to vary).
            for (String pair : System.getProperty("bench.operatorEnv", "MALLOC_ARENA_MAX=2")
                    .split(",")) {
                if (pair.contains("=")) {
                    pb.environment().put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
                }
            }
            OperatorProcess operator = new OperatorProcess(pb.start(), port);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> operator.get("/readyz").statusCode() == 200);
            return operator;
        }

        long pid() {
            return process.pid();
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }

        /** Sum of a metric's samples whose labels contain {@code labelMatch}. */
        double metric(String name, String labelMatch) {
            try {
                // Only this metric: the whole page has a series per Claw for each per-Claw gauge (thousands of lines),
                // which the operator would render and this JVM parse every half second of the wait.
                String body = get("/metrics?name[]=" + name).body();
                double sum = 0;
                Matcher m = SAMPLE.matcher(body);
                while (m.find()) {
                    if (m.group(1).equals(name) && m.group(2).contains(labelMatch)) {
                        sum += Double.parseDouble(m.group(3));
                    }
                }
                return sum;
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        double lastManagedRunning;

        double managed(String phase) {
            double value = metric("claw_operator_managed_claws", "phase=\"" + phase + "\"");
            if ("Running".equals(phase) && value >= 0) {
                lastManagedRunning = value;
            }
            return value;
        }

        boolean alive() {
            return process.isAlive();
        }

        /** The operator log's last line naming an error (e.g. the OutOfMemoryError that ended it). */
        String exitReason() {
            try {
                List<String> lines = Files.readAllLines(Path.of("target/benchmark/operator-process.log"));
                for (int i = lines.size() - 1; i >= 0; i--) {
                    if (lines.get(i).contains("Error") || lines.get(i).contains("Terminating")) {
                        return "exit code " + process.exitValue() + ": "
                                + lines.get(i).strip();
                    }
                }
                return "exit code " + process.exitValue();
            } catch (IOException e) {
                return "exit code " + process.exitValue();
            }
        }

        /** The operator's largest heap consumers after a full GC: class, instances, MiB (jcmd GC.class_histogram). */
        /** NMT's committed memory by category, when the operator runs with -XX:NativeMemoryTracking (else empty). */
        List<String> nativeMemory() throws IOException, InterruptedException {
            String jcmd =
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process nmt = new ProcessBuilder(jcmd, String.valueOf(pid()), "VM.native_memory", "summary", "scale=MB")
                    .redirectErrorStream(true)
                    .start();
            List<String> lines = new String(nmt.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            nmt.waitFor(60, TimeUnit.SECONDS);
            Pattern category = Pattern.compile("^-\\s+(.+?)\\s+\\(reserved=\\d+MB, committed=(\\d+)MB\\).*$");
            Pattern total = Pattern.compile("^Total: reserved=\\d+MB, committed=(\\d+)MB.*$");
            List<String> result = new ArrayList<>();
            for (String l : lines) {
                Matcher c = category.matcher(l.strip());
                Matcher t = total.matcher(l.strip());
                if (t.matches()) {
                    result.add("total committed " + t.group(1) + " MiB");
                } else if (c.matches() && Integer.parseInt(c.group(2)) > 0) {
                    result.add(c.group(1) + " " + c.group(2) + " MiB");
                }
            }
            return result;
        }

        List<String> heapHistogram(int top) throws IOException, InterruptedException {
            String jcmd =
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process histogram = new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.class_histogram")
                    .redirectErrorStream(true)
                    .start();
            List<String> lines = new String(histogram.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            histogram.waitFor(60, TimeUnit.SECONDS);
            List<String> result = new ArrayList<>();
            Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
            for (String l : lines) {
                Matcher m = row.matcher(l);
                if (m.matches() && result.size() < top) {
                    result.add(String.format(
                            "%-70s %9s instances %7.1f MiB",
                            m.group(3), m.group(1), Long.parseLong(m.group(2)) / 1048576.0));
                }
            }
            return result;
        }

        double reconciliations(String kind) {
            return metric("claw_operator_reconciliations_total", "kind=\"" + kind + "\"");
        }

        long heapUsedAfterGc() throws IOException, InterruptedException {
            String jcmd =
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.run")
                    .redirectErrorStream(true)
                    .start()
                    .waitFor(60, TimeUnit.SECONDS);
            Process info = new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.heap_info")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            info.waitFor(60, TimeUnit.SECONDS);
            return heapUsed(out);
        }

        /**
         * The operator's CPU (clock ticks) by thread, threads of one kind summed: a pool's numbered threads under one
         * name ({@code GC Thread#0}, {@code GC Thread#1} → {@code GC Thread#n}), so JIT, collector and each pool of
         * the operator's own show apart. Linux shortens a thread's name to 15 characters. A thread that ended between
         * two readings takes its ticks with it (the pools here live as long as the process).
         */
        Map<String, Long> cpuByThread() {
            Map<String, Long> byGroup = new TreeMap<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid() + "/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                                .replaceAll("\\d+", "n");
                        byGroup.merge(name, ticksOf(stat), Long::sum);
                    } catch (NoSuchFileException gone) {
                        // the thread ended while the directory was read
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return byGroup;
        }

        long rssBytes() throws IOException {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return -1;
        }

        @Override
        public void close() {
            PeerProcesses.stopTree(process, false, Duration.ofSeconds(20));
        }
    }
}
