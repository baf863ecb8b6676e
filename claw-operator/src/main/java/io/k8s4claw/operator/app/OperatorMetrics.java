package io.k8s4claw.operator.app;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's Prometheus metrics: reconciliations and their errors and durations per kind, and the
 * managed Claws by phase. Registered on its own registry so tests and several operators in one JVM
 * (the benchmark) do not collide.
 */
public final class OperatorMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ClawGauges claws = new ClawGauges(registry);
    private final ReconcileQueueGauges queue = new ReconcileQueueGauges(registry);
    private final Counter reconciliations;
    private final Counter errors;
    private final Histogram durations;
    private final Counter childWrites;
    private final Counter secretReads;
    private final Histogram apiRequests;
    /** namespace/name → phase of every Claw the operator currently manages. */
    private final Map<String, String> phases = new ConcurrentHashMap<>();

    public OperatorMetrics() {
        reconciliations = Counter.builder()
                .name("claw_operator_reconciliations_total")
                .help("Reconciliations run, by resource kind")
                .labelNames("kind")
                .register(registry);
        errors = Counter.builder()
                .name("claw_operator_reconciliation_errors_total")
                .help("Reconciliations that ended in an error, by resource kind")
                .labelNames("kind")
                .register(registry);
        durations = Histogram.builder()
                .name("claw_operator_reconciliation_duration_seconds")
                .help("Time one reconciliation took, by resource kind")
                .labelNames("kind")
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
        childWrites = Counter.builder()
                .name("claw_operator_child_writes_total")
                .help("Create/update/delete calls on child objects, by child kind and operation")
                .labelNames("kind", "operation")
                .register(registry);
        secretReads = Counter.builder()
                .name("claw_operator_secret_reads_total")
                .help("Reads of a referenced user Secret's data to hash it (one per Secret version; never cached)")
                .register(registry);
        apiRequests = Histogram.builder()
                .name("claw_operator_api_request_duration_seconds")
                .help("Time from sending a request to the Kubernetes API server to its response's status line, by HTTP"
                        + " verb and status code (error: no response); watches are not timed")
                .labelNames("verb", "code")
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
        GaugeWithCallback.builder()
                .name("claw_operator_managed_claws")
                .help("Claws managed by this operator, by status phase")
                .labelNames("phase")
                .callback(cb -> byPhase().forEach((phase, n) -> cb.call(n, phase)))
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * {@code builder} with the interceptor that times every API request of the client it builds
     * ({@code claw_operator_api_request_duration_seconds}); the operator's client is built through it.
     */
    public KubernetesClientBuilder timingApiRequests(KubernetesClientBuilder builder) {
        ApiRequestTimer timer = new ApiRequestTimer(
                (verb, code, nanos) -> apiRequests.labelValues(verb, code).observe(nanos / 1e9));
        return builder.withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(ApiRequestTimer.NAME, timer));
    }

    /** The work-queue gauges, fed by the Java Operator SDK ({@code withMetrics}). */
    public ReconcileQueueGauges queue() {
        return queue;
    }

    /** The per-Claw series. */
    public ClawGauges claws() {
        return claws;
    }

    public void reconciled(String kind, long nanos, boolean failed) {
        reconciliations.labelValues(kind).inc();
        durations.labelValues(kind).observe(nanos / 1e9);
        // The error series exists from the first reconciliation on (at 0), so rate() and alerts see a kind without
        // errors.
        var kindErrors = errors.labelValues(kind);
        if (failed) {
            kindErrors.inc();
        }
    }

    public void childWrite(String kind, String operation) {
        childWrites.labelValues(kind, operation).inc();
    }

    public void secretRead() {
        secretReads.inc();
    }

    public void phase(String namespace, String name, String phase) {
        phases.put(namespace + "/" + name, phase);
    }

    public void forget(String namespace, String name) {
        phases.remove(namespace + "/" + name);
        claws.forget(namespace, name);
    }

    public Map<String, Long> byPhase() {
        Map<String, Long> counts = new TreeMap<>();
        phases.values().forEach(p -> counts.merge(p, 1L, Long::sum));
        return counts;
    }
}
