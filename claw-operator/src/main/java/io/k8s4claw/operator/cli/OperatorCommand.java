package io.k8s4claw.operator.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.HealthServer;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.reconcile.WritePath;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code claw operator}: runs the operator against the current kubeconfig or the in-cluster config. */
@Command(
        name = "operator",
        mixinStandardHelpOptions = true,
        description =
                "Run the operator (kubeconfig or in-cluster service account). Serves /healthz, /readyz and /metrics.")
final class OperatorCommand implements Callable<Integer> {

    @Option(
            names = "--namespaces",
            defaultValue = "${env:WATCH_NAMESPACES}",
            description = "Comma-separated namespaces to manage; empty = all (env WATCH_NAMESPACES)")
    String namespaces;

    @Option(
            names = "--health-port",
            defaultValue = "8080",
            description = "Port of /healthz, /readyz, /metrics (default ${DEFAULT-VALUE})")
    int healthPort;

    @Option(
            names = "--leader-election",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Take the Lease claw-operator-leader before reconciling (default on)")
    boolean leaderElection;

    @Option(
            names = "--lease-namespace",
            defaultValue = "${env:POD_NAMESPACE}",
            description = "Namespace of the Lease (env POD_NAMESPACE)")
    String leaseNamespace;

    @Option(names = "--bridge-image", description = "Bridge image for Claws that name none")
    String bridgeImage;

    @Option(names = "--channel-sidecar-image", description = "Channel sidecar image for ClawChannels that name none")
    String channelImage;

    @Option(names = "--reconcile-threads", defaultValue = "10")
    int threads;

    // Server-side apply by default: on a real apiserver it wrote as little and converged no slower than create/PUT
    // (claw-operator/docs/design.md), and it records field ownership, which GitOps tools expect to coexist with.
    @Option(
            names = "--write-path",
            defaultValue = "SERVER_SIDE_APPLY",
            description =
                    "How changed children are written: SERVER_SIDE_APPLY (field manager claw-operator, default) or "
                            + "UPDATE (create/PUT)")
    WritePath writePath;

    @Override
    public Integer call() throws Exception {
        Set<String> watched = namespaces == null || namespaces.isBlank()
                ? Set.of()
                : Arrays.stream(namespaces.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toSet());
        OperatorMetrics metrics = new OperatorMetrics();
        KubernetesClient client =
                metrics.timingApiRequests(new KubernetesClientBuilder()).build();
        // A standby (not holding the Lease) has no informers running yet; it is still "ready" to Kubernetes so a
        // rollout of a two-replica Deployment can proceed. The leader is ready once its informers are healthy.
        AtomicBoolean leading = new AtomicBoolean(!leaderElection);
        Optional<LeaderElectionConfiguration> election = leaderElection
                ? Optional.of(new LeaderElectionConfiguration(
                        "claw-operator-leader",
                        leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace,
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        null,
                        new LeaderCallbacks(() -> leading.set(true), () -> leading.set(false), leader -> {}),
                        true))
                : Optional.empty();
        ClawOperator operator = new ClawOperator(
                new ClawOperator.Settings(
                        client,
                        RuntimeAdapters.load(),
                        SidecarImages.defaults().withOverrides(bridgeImage, channelImage),
                        watched,
                        election,
                        Optional.empty(),
                        threads,
                        writePath),
                metrics);
        try (HealthServer health = new HealthServer(
                new InetSocketAddress(healthPort),
                operator::alive,
                () -> leading.get() ? operator.ready() : operator.alive(),
                metrics)) {
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                operator.close();
                                client.close();
                                stop.countDown();
                            },
                            "claw-operator-shutdown"));
            operator.start();
            stop.await();
        }
        return 0;
    }
}
