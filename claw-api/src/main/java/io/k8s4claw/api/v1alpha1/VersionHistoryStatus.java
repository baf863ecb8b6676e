package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Outcome of an auto-update attempt. */
public enum VersionHistoryStatus {
    /** The version became ready within the health timeout. */
    HEALTHY("Healthy"),
    /** The version was rolled back. */
    ROLLED_BACK("RolledBack");

    private final String wireValue;

    VersionHistoryStatus(String wireValue) {
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
    public static VersionHistoryStatus fromWire(String value) {
        for (VersionHistoryStatus v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(VersionHistoryStatus::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
