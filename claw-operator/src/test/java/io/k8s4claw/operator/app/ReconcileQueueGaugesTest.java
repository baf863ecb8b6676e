package io.k8s4claw.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.k8s4claw.api.v1alpha1.Claw;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The work-queue gauges follow the SDK's callbacks, including an execution finished without being started. */
class ReconcileQueueGaugesTest {

    final OperatorMetrics metrics = new OperatorMetrics();
    final ReconcileQueueGauges queue = metrics.queue();
    final Claw claw = claw();

    @Test
    void submittedStartedAndFinished() throws Exception {
        queue.reconcileCustomResource(claw, null, Map.of());
        queue.reconcileCustomResource(claw, null, Map.of());
        assertThat(gauge("claw_operator_reconciliations_queued")).isEqualTo(2);
        assertThat(gauge("claw_operator_reconciliations_running")).isZero();

        // Reconciler threads: one starts its execution, the other finds nothing to do and finishes at once.
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread worker = Thread.ofPlatform().start(() -> {
            queue.reconciliationExecutionStarted(claw, Map.of());
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            queue.reconciliationExecutionFinished(claw, Map.of());
        });
        running.await();
        assertThat(gauge("claw_operator_reconciliations_queued")).isEqualTo(1);
        assertThat(gauge("claw_operator_reconciliations_running")).isEqualTo(1);
        Thread early = Thread.ofPlatform().start(() -> queue.reconciliationExecutionFinished(claw, Map.of()));
        early.join();
        assertThat(gauge("claw_operator_reconciliations_queued")).isZero();
        assertThat(gauge("claw_operator_reconciliations_running")).isEqualTo(1);
        release.countDown();
        worker.join();
        assertThat(gauge("claw_operator_reconciliations_queued")).isZero();
        assertThat(gauge("claw_operator_reconciliations_running")).isZero();
    }

    double gauge(String name) {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals(name))
                .flatMap(s -> ((GaugeSnapshot) s).getDataPoints().stream())
                .filter(d -> "Claw".equals(d.getLabels().get("kind")))
                .mapToDouble(GaugeSnapshot.GaugeDataPointSnapshot::getValue)
                .sum();
    }

    static Claw claw() {
        Claw c = new Claw();
        c.setMetadata(new ObjectMetaBuilder().withName("a").withNamespace("ns").build());
        return c;
    }
}
