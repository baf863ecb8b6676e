package io.k8s4claw.operator.app;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's work queue, from the Java Operator SDK's monitoring callbacks:
 * {@code claw_operator_reconciliations_queued{kind}} (submitted to the reconciler threads, not yet running) and
 * {@code claw_operator_reconciliations_running{kind}}.
 *
 * <p>The SDK submits an execution ({@link #reconcileCustomResource}), then a reconciler thread either starts it
 * ({@link #reconciliationExecutionStarted}) and finishes it later, or finishes it at once without starting (the
 * resource is gone, or another execution holds it). {@link #reconciliationExecutionFinished} runs on the thread that
 * picked the execution up, so a thread-local flag tells the two cases apart.
 */
public final class ReconcileQueueGauges implements Metrics {

    private record Counts(AtomicLong queued, AtomicLong running) {}

    private final Map<String, Counts> byKind = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> started = ThreadLocal.withInitial(() -> false);

    ReconcileQueueGauges(PrometheusRegistry registry) {
        GaugeWithCallback.builder()
                .name("claw_operator_reconciliations_queued")
                .help("Reconciliations submitted to the reconciler threads and not yet running, by resource kind")
                .labelNames("kind")
                .callback(cb -> byKind.forEach(
                        (kind, c) -> cb.call(Math.max(0, c.queued().get()), kind)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("claw_operator_reconciliations_running")
                .help("Reconciliations running now, by resource kind")
                .labelNames("kind")
                .callback(cb -> byKind.forEach(
                        (kind, c) -> cb.call(Math.max(0, c.running().get()), kind)))
                .register(registry);
    }

    private Counts of(HasMetadata resource) {
        return byKind.computeIfAbsent(
                resource.getKind() == null ? resource.getClass().getSimpleName() : resource.getKind(),
                k -> new Counts(new AtomicLong(), new AtomicLong()));
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        of(resource).queued().incrementAndGet();
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
        Counts c = of(resource);
        c.queued().decrementAndGet();
        c.running().incrementAndGet();
        started.set(true);
    }

    @Override
    public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
        Counts c = of(resource);
        if (started.get()) {
            c.running().decrementAndGet();
            started.set(false);
        } else {
            c.queued().decrementAndGet();
        }
    }
}
