package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** What happens to the Claw's volumes when the Claw is deleted. */
public enum ReclaimPolicy {
    /** Claims lose their owner reference and survive (the default). */
    RETAIN("Retain"),
    /** Output is archived to object storage, then claims are kept. */
    ARCHIVE("Archive"),
    /** Claims are deleted with the Claw. */
    DELETE("Delete");

    private final String wireValue;

    ReclaimPolicy(String wireValue) {
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
    public static ReclaimPolicy fromWire(String value) {
        for (ReclaimPolicy v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(ReclaimPolicy::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
