package io.k8s4claw.operator.app;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One series per managed Claw, labelled {@code namespace} and {@code claw}, read at scrape time from what the last
 * reconciliation of each Claw saw: {@code claw_operator_claw_ready}, {@code claw_operator_claw_phase{phase}},
 * {@code claw_operator_claw_info{runtime,version}}, {@code claw_operator_claw_runtime_restarts} and the auto-update
 * state ({@code claw_operator_claw_auto_update_rollbacks}, {@code claw_operator_claw_auto_update_circuit_open}).
 * The chart's alerts and dashboards are built on them (charts/claw-operator/files).
 */
public final class ClawGauges {

    /**
     * What the operator last saw of one Claw.
     *
     * @param phase {@code status.phase}
     * @param ready the Ready condition is True
     * @param runtime the runtime type
     * @param version the runtime's version: the auto-updater's current version, else the runtime image's tag (""
     *                unknown)
     * @param runtimeRestarts restarts of the runtime container of the Claw's pod (0 without a pod)
     * @param rollbacks consecutive auto-update rollbacks ({@code status.autoUpdate.rollbackCount})
     * @param circuitOpen auto-update stopped after too many rollbacks
     */
    public record Sample(
            String phase,
            boolean ready,
            String runtime,
            String version,
            int runtimeRestarts,
            int rollbacks,
            boolean circuitOpen) {}

    private final Map<Key, Sample> samples = new ConcurrentHashMap<>();

    private record Key(String namespace, String name) {}

    ClawGauges(PrometheusRegistry registry) {
        GaugeWithCallback.builder()
                .name("claw_operator_claw_ready")
                .help("1 when the Claw's Ready condition is True, else 0")
                .labelNames("namespace", "claw")
                .callback(cb -> samples.forEach((k, s) -> cb.call(s.ready() ? 1 : 0, k.namespace(), k.name())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("claw_operator_claw_phase")
                .help("1 for the Claw's current status phase")
                .labelNames("namespace", "claw", "phase")
                .callback(cb -> samples.forEach((k, s) -> cb.call(1, k.namespace(), k.name(), s.phase())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("claw_operator_claw_info")
                .help("1 per Claw, labelled with its runtime type and version")
                .labelNames("namespace", "claw", "runtime", "version")
                .callback(
                        cb -> samples.forEach((k, s) -> cb.call(1, k.namespace(), k.name(), s.runtime(), s.version())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("claw_operator_claw_runtime_restarts")
                .help("Restarts of the runtime container of the Claw's pod (the pod's restartCount)")
                .labelNames("namespace", "claw")
                .callback(cb -> samples.forEach((k, s) -> cb.call(s.runtimeRestarts(), k.namespace(), k.name())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("claw_operator_claw_auto_update_rollbacks")
                .help("Consecutive auto-update rollbacks (status.autoUpdate.rollbackCount)")
                .labelNames("namespace", "claw")
                .callback(cb -> samples.forEach((k, s) -> cb.call(s.rollbacks(), k.namespace(), k.name())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("claw_operator_claw_auto_update_circuit_open")
                .help("1 when auto-update stopped after maxRollbacks rollbacks (status.autoUpdate.circuitOpen)")
                .labelNames("namespace", "claw")
                .callback(cb -> samples.forEach((k, s) -> cb.call(s.circuitOpen() ? 1 : 0, k.namespace(), k.name())))
                .register(registry);
    }

    public void observe(String namespace, String name, Sample sample) {
        samples.put(new Key(namespace, name), sample);
    }

    public void forget(String namespace, String name) {
        samples.remove(new Key(namespace, name));
    }
}
