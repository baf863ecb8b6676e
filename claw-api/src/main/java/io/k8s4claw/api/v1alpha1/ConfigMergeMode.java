package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** How {@code spec.config} is combined with the adapter's defaults (added by this project). */
public enum ConfigMergeMode {
    /** Maps merge recursively, lists and scalars from the spec replace (the default). */
    DEEP_MERGE("DeepMerge"),
    /** Top-level keys from the spec replace the defaults' keys wholesale. */
    OVERWRITE("Overwrite"),
    /** The spec's config is used as-is; only pinned (managed) values are added. */
    PASSTHROUGH("Passthrough");

    private final String wireValue;

    ConfigMergeMode(String wireValue) {
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
    public static ConfigMergeMode fromWire(String value) {
        for (ConfigMergeMode v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(ConfigMergeMode::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
