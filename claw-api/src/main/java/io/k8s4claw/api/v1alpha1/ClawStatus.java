package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/** Observed state of a Claw. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClawStatus {

    /** Lifecycle phase. */
    @JsonPropertyDescription("Lifecycle phase.")
    private ClawPhase phase;

    /** Generation last reconciled. */
    @JsonPropertyDescription("Generation last reconciled.")
    private Long observedGeneration;

    /** Ready, ConfigValid, RuntimeReady, BridgeReady, ChannelsReady. */
    @JsonPropertyDescription("Ready, ConfigValid, RuntimeReady, BridgeReady, ChannelsReady.")
    private List<Condition> conditions;

    /** Per-channel state. */
    @JsonPropertyDescription("Per-channel state.")
    private List<ChannelStatus> channels;

    /** Volume state. */
    @JsonPropertyDescription("Volume state.")
    private PersistenceStatus persistence;

    /** Auto-update state. */
    @JsonPropertyDescription("Auto-update state.")
    private AutoUpdateStatus autoUpdate;

    public ClawStatus() {}

    public ClawPhase getPhase() {
        return phase;
    }

    public void setPhase(ClawPhase phase) {
        this.phase = phase;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public List<ChannelStatus> getChannels() {
        return channels;
    }

    public void setChannels(List<ChannelStatus> channels) {
        this.channels = channels;
    }

    public PersistenceStatus getPersistence() {
        return persistence;
    }

    public void setPersistence(PersistenceStatus persistence) {
        this.persistence = persistence;
    }

    public AutoUpdateStatus getAutoUpdate() {
        return autoUpdate;
    }

    public void setAutoUpdate(AutoUpdateStatus autoUpdate) {
        this.autoUpdate = autoUpdate;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ClawStatus that = (ClawStatus) o;
        return Objects.equals(phase, that.phase)
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions)
                && Objects.equals(channels, that.channels)
                && Objects.equals(persistence, that.persistence)
                && Objects.equals(autoUpdate, that.autoUpdate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(phase, observedGeneration, conditions, channels, persistence, autoUpdate);
    }

    @Override
    public String toString() {
        return "ClawStatus{" + "phase=" + phase + ", " + "observedGeneration=" + observedGeneration + ", "
                + "conditions=" + conditions + ", " + "channels=" + channels + ", " + "persistence=" + persistence
                + ", " + "autoUpdate=" + autoUpdate + "}";
    }
}
