package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

import java.util.Objects;

/** Monitoring switches. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObservabilitySpec {

    /** Expose Prometheus metrics. */
    @JsonPropertyDescription("Expose Prometheus metrics.")
    @Default("true")
    private Boolean metrics;

    /** Structured log collection. */
    @JsonPropertyDescription("Structured log collection.")
    @Default("true")
    private Boolean logs;

    /** OpenTelemetry tracing. */
    @JsonPropertyDescription("OpenTelemetry tracing.")
    @Default("false")
    private Boolean tracing;

    public ObservabilitySpec() {
    }

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
        return Objects.equals(metrics, that.metrics) && Objects.equals(logs, that.logs) && Objects.equals(tracing, that.tracing);
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
