package io.k8s4claw.operator.desired;

import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every object of a Claw carries: Kubernetes recommended labels plus k8s4claw's own. */
public final class ClawLabels {

    public static final String MANAGED_BY_VALUE = "claw-operator";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String LABEL_PART_OF = "app.kubernetes.io/part-of";

    private ClawLabels() {}

    /** Labels of every child object. */
    public static Map<String, String> of(Claw claw) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ClawApi.LABEL_NAME, ClawApi.LABEL_NAME_VALUE);
        labels.put(ClawApi.LABEL_INSTANCE, claw.getMetadata().getName());
        labels.put(LABEL_COMPONENT, "agent");
        labels.put(LABEL_PART_OF, "k8s4claw");
        labels.put(ClawApi.LABEL_MANAGED_BY, MANAGED_BY_VALUE);
        labels.put(ClawApi.LABEL_RUNTIME, claw.getSpec().getRuntime().wireValue());
        labels.put(ClawApi.LABEL_CLAW_INSTANCE, claw.getMetadata().getName());
        return labels;
    }

    /**
     * Marks a pod whose bridge and channel sidecars Prometheus should scrape: the chart's PodMonitor selects pods by it
     * (and the ports named {@code bridge-http} and {@code chN-http}). Absent when {@code spec.observability.metrics}
     * is false.
     */
    public static final String LABEL_METRICS = "claw.prismer.ai/metrics";

    /** Labels of the Claw's pod: those of every child, and {@link #LABEL_METRICS} unless metrics are switched off. */
    public static Map<String, String> pod(Claw claw, Map<String, String> childLabels) {
        Map<String, String> labels = new LinkedHashMap<>(childLabels);
        var observability = claw.getSpec().getObservability();
        if (observability == null || !Boolean.FALSE.equals(observability.getMetrics())) {
            labels.put(LABEL_METRICS, "true");
        }
        return labels;
    }

    /**
     * The pod selector. Only labels that never change for the life of a Claw: a StatefulSet's selector is
     * immutable, and the runtime is immutable too but is left out so the selector needs nothing but the name.
     */
    public static Map<String, String> selector(Claw claw) {
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(ClawApi.LABEL_NAME, ClawApi.LABEL_NAME_VALUE);
        selector.put(ClawApi.LABEL_CLAW_INSTANCE, claw.getMetadata().getName());
        return selector;
    }
}
