package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Who restarts the runtime process (added by this project). */
public enum Supervisor {
    /** The container runs the runtime directly; Kubernetes restarts it (the default). */
    KUBERNETES("kubernetes"),
    /** The image's own s6 supervisor runs inside the container. */
    S6("s6");

    private final String wireValue;

    Supervisor(String wireValue) {
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
    public static Supervisor fromWire(String value) {
        for (Supervisor v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(Supervisor::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
