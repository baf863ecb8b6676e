package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * Monitoring switches. {@code metrics} decides whether the chart's PodMonitor scrapes the Claw's bridge and channel
 * sidecars (the operator labels the pod {@code claw.prismer.ai/metrics: "true"}); logs always go to stdout and
 * tracing does not exist, so {@code logs: false} and {@code tracing: true} are refused (CEL and the Java validator).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObservabilitySpec {

    /** Let Prometheus scrape the bridge and channel sidecars (the chart's PodMonitor selects the pod by a label). */
    @JsonPropertyDescription("Let Prometheus scrape the bridge and channel sidecars: the operator labels the pod "
            + "claw.prismer.ai/metrics=true, which the chart's PodMonitor selects. false: the pod is not "
            + "labelled and not scraped (the containers still serve /metrics).")
    @Default("true")
    private Boolean metrics;

    /** Logs to stdout for the cluster's collector; always on, so false is refused. */
    @JsonPropertyDescription(
            "Every container logs to stdout for the cluster's log collector. Always on: false is refused.")
    @Default("true")
    @ValidationRule(value = "self", message = ClawRules.LOGS_OFF_UNSUPPORTED)
    private Boolean logs;

    /** OpenTelemetry tracing: not supported, so true is refused. */
    @JsonPropertyDescription("OpenTelemetry tracing: not supported, true is refused.")
    @Default("false")
    @ValidationRule(value = "!self", message = ClawRules.TRACING_UNSUPPORTED)
    private Boolean tracing;

    public ObservabilitySpec() {}

    public Boolean getMetrics() {
        return metrics;
    }

    public void setMetrics(Boolean metrics) {
        this.metrics = metrics;
    }

    public Boolean getLogs() {
        return logs;
    }

    public void setLogs(Boolean logs) {
        this.logs = logs;
    }

    public Boolean getTracing() {
        return tracing;
    }

    public void setTracing(Boolean tracing) {
        this.tracing = tracing;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ObservabilitySpec that = (ObservabilitySpec) o;
        return Objects.equals(metrics, that.metrics)
                && Objects.equals(logs, that.logs)
                && Objects.equals(tracing, that.tracing);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metrics, logs, tracing);
    }

    @Override
    public String toString() {
        return "ObservabilitySpec{" + "metrics=" + metrics + ", " + "logs=" + logs + ", " + "tracing=" + tracing + "}";
    }
}
