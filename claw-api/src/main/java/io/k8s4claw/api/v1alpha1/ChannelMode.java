package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Direction of a channel. */
public enum ChannelMode {
    /** Messages only flow from the platform to the agent. */
    INBOUND("inbound"),
    /** Messages only flow from the agent to the platform. */
    OUTBOUND("outbound"),
    /** Both directions (the default). */
    BIDIRECTIONAL("bidirectional");

    private final String wireValue;

    ChannelMode(String wireValue) {
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
    public static ChannelMode fromWire(String value) {
        for (ChannelMode v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(ChannelMode::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
