package io.k8s4claw.operator.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.reconcile.ClawChannelReconciler;
import io.k8s4claw.operator.reconcile.ClawReconciler;
import io.k8s4claw.operator.reconcile.WritePath;
import io.k8s4claw.operator.selfconfig.SelfConfigAccessReconciler;
import io.k8s4claw.operator.selfconfig.SelfConfigReconciler;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;

/**
 * The JOSDK operator with its controllers (Claw, ClawChannel, ClawSelfConfig and the self-config access), configured
 * for what the project's test API server (and a plain cluster) support: no server-side apply anywhere — children are
 * written with create/update by {@code ChildApplier}, the primary's status and finalizers with JSON merge patches.
 */
public final class ClawOperator implements AutoCloseable {

    /** How the operator is set up; every field has a production default. */
    public record Settings(
            KubernetesClient client,
            RuntimeAdapters adapters,
            SidecarImages images,
            Set<String> namespaces,
            Optional<LeaderElectionConfiguration> leaderElection,
            Optional<Duration> maxReconcileInterval,
            int reconcileThreads,
            WritePath writePath) {

        /** With {@link WritePath#UPDATE}, the write path the fabric8 mock API server (which cannot apply) needs. */
        public Settings(
                KubernetesClient client,
                RuntimeAdapters adapters,
                SidecarImages images,
                Set<String> namespaces,
                Optional<LeaderElectionConfiguration> leaderElection,
                Optional<Duration> maxReconcileInterval,
                int reconcileThreads) {
            this(
                    client,
                    adapters,
                    images,
                    namespaces,
                    leaderElection,
                    maxReconcileInterval,
                    reconcileThreads,
                    WritePath.UPDATE);
        }
    }

    private final Operator operator;
    private final OperatorMetrics metrics;
    private final ClawReconciler clawReconciler;
    private volatile boolean started;

    public ClawOperator(Settings settings, OperatorMetrics metrics) {
        this(settings, metrics, InstantSource.system());
    }

    /** {@code clock}: when snapshot schedules fire (tests move it rather than wait for cron firings). */
    public ClawOperator(Settings settings, OperatorMetrics metrics, InstantSource clock) {
        this.metrics = metrics;
        this.operator = new Operator(o -> {
            o.withKubernetesClient(settings.client())
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .checkingCRDAndValidateLocalModel(false)
                    .withConcurrentReconciliationThreads(settings.reconcileThreads())
                    .withMetrics(metrics.queue())
                    .withCloseClientOnStop(false);
            settings.leaderElection().ifPresent(o::withLeaderElectionConfiguration);
        });
        ClawPlanner planner = new ClawPlanner(settings.adapters(), settings.images());
        clawReconciler =
                new ClawReconciler(planner, metrics, settings.writePath(), clock, settings.maxReconcileInterval());
        operator.register(clawReconciler, c -> {
            configureNamespaces(c, settings.namespaces());
            c.withItemStore(ClawReconciler.primaryStore());
            settings.maxReconcileInterval().ifPresent(c::withReconciliationMaxInterval);
        });
        operator.register(new ClawChannelReconciler(metrics), c -> {
            configureNamespaces(c, settings.namespaces());
            settings.maxReconcileInterval().ifPresent(c::withReconciliationMaxInterval);
        });
        // ClawSelfConfig requests (decided once, applied, kept for their retention), and the Role/RoleBinding that lets
        // a self-configuring Claw's pod create them.
        operator.register(
                new SelfConfigReconciler(planner, SelfConfigReconciler.DEFAULT_RETENTION),
                c -> configureNamespaces(c, settings.namespaces()));
        operator.register(new SelfConfigAccessReconciler(), c -> {
            configureNamespaces(c, settings.namespaces());
            c.withItemStore(SelfConfigAccessReconciler.primaryStore());
            settings.maxReconcileInterval().ifPresent(c::withReconciliationMaxInterval);
        });
    }

    private static void configureNamespaces(ControllerConfigurationOverrider<?> c, Set<String> namespaces) {
        if (namespaces.isEmpty()) {
            c.watchingAllNamespaces();
        } else {
            c.settingNamespaces(namespaces);
        }
    }

    public void start() {
        operator.start();
        started = true;
    }

    /** Started and every informer healthy (a standby waiting for the lease counts as ready). */
    public boolean ready() {
        return started && operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    public boolean alive() {
        return !started || operator.getRuntimeInfo().isStarted();
    }

    public OperatorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        operator.stop();
        clawReconciler.close();
    }
}
