package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** Outcome of a {@link ClawSelfConfig} in {@code status.phase} (k8s4claw's values). */
public enum SelfConfigPhase {
    /** Not decided yet. */
    PENDING("Pending"),
    /** Every requested change was made to the Claw. */
    APPLIED("Applied"),
    /** The operator could not make the change (API error); nothing was changed. */
    FAILED("Failed"),
    /** Not allowed or not valid; nothing was changed, {@code status.message} says why. */
    DENIED("Denied");

    private final String wireValue;

    SelfConfigPhase(String wireValue) {
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
    public static SelfConfigPhase fromWire(String value) {
        for (SelfConfigPhase v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of "
                + Arrays.stream(values()).map(SelfConfigPhase::wireValue).toList());
    }

    /** True once the operator has decided; a decided request is never evaluated again. */
    public boolean decided() {
        return this != PENDING;
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
