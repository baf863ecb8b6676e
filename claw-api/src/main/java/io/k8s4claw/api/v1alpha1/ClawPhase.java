package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** High-level lifecycle phase in {@code status.phase}. */
public enum ClawPhase {
    /** Accepted, nothing created yet. */
    PENDING("Pending"),
    /** Children created, pod not ready yet. */
    PROVISIONING("Provisioning"),
    /** Runtime and every channel are ready. */
    RUNNING("Running"),
    /** Runtime runs but a channel or the bridge is not ready. */
    DEGRADED("Degraded"),
    /** A spec or version change is rolling out. */
    UPDATING("Updating"),
    /** Invalid spec or the pod cannot run. */
    FAILED("Failed"),
    /** Deletion in progress. */
    TERMINATING("Terminating"),
    /** spec.suspended: the runtime is scaled to zero, its state kept (added by this project). */
    SUSPENDED("Suspended");

    private final String wireValue;

    ClawPhase(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The spelling used in the custom resource. */
    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /**
     * Parses the custom-resource spelling.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code value} is not one of them
     */
    @JsonCreator
    public static ClawPhase fromWire(String value) {
        for (ClawPhase v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(ClawPhase::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
