package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Kubernetes image pull policy. */
public enum ImagePullPolicy {
    /** Always pull. */
    ALWAYS("Always"),
    /** Pull when the image is missing on the node. */
    IF_NOT_PRESENT("IfNotPresent"),
    /** Never pull. */
    NEVER("Never");

    private final String wireValue;

    ImagePullPolicy(String wireValue) {
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
    public static ImagePullPolicy fromWire(String value) {
        for (ImagePullPolicy v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(ImagePullPolicy::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
