package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Observed state of one channel of a Claw. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ChannelStatus {

    /** ClawChannel name. */
    @JsonPropertyDescription("ClawChannel name.")
    private String name;

    /** Connection state. */
    @JsonPropertyDescription("Connection state.")
    private String status;

    /** Current pressure state. */
    @JsonPropertyDescription("Current pressure state.")
    private String backpressure;

    /** Most recent error. */
    @JsonPropertyDescription("Most recent error.")
    private String lastError;

    /** Current retry attempt. */
    @JsonPropertyDescription("Current retry attempt.")
    private Integer retryCount;

    /** Messages in the dead-letter queue. */
    @JsonPropertyDescription("Messages in the dead-letter queue.")
    private Long deadLetterCount;

    public ChannelStatus() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public String getBackpressure() {
        return backpressure;
    }

    public void setBackpressure(String backpressure) {
        this.backpressure = backpressure;
    }

    public String getLastError() {
        return lastError;
    }

    public void setLastError(String lastError) {
        this.lastError = lastError;
    }

    public Integer getRetryCount() {
        return retryCount;
    }

    public void setRetryCount(Integer retryCount) {
        this.retryCount = retryCount;
    }

    public Long getDeadLetterCount() {
        return deadLetterCount;
    }

    public void setDeadLetterCount(Long deadLetterCount) {
        this.deadLetterCount = deadLetterCount;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ChannelStatus that = (ChannelStatus) o;
        return Objects.equals(name, that.name)
                && Objects.equals(status, that.status)
                && Objects.equals(backpressure, that.backpressure)
                && Objects.equals(lastError, that.lastError)
                && Objects.equals(retryCount, that.retryCount)
                && Objects.equals(deadLetterCount, that.deadLetterCount);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, status, backpressure, lastError, retryCount, deadLetterCount);
    }

    @Override
    public String toString() {
        return "ChannelStatus{" + "name=" + name + ", " + "status=" + status + ", " + "backpressure=" + backpressure
                + ", " + "lastError=" + lastError + ", " + "retryCount=" + retryCount + ", " + "deadLetterCount="
                + deadLetterCount + "}";
    }
}
