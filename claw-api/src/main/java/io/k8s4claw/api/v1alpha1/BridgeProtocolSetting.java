package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** How the IPC bridge talks to the runtime (added by this project). */
public enum BridgeProtocolSetting {
    /** The adapter picks its default (the default). */
    AUTO("auto"),
    /** HTTP + server-sent events (Hermes API server). */
    SSE("sse"),
    /** The runtime dials the bridge's relay WebSocket (Hermes relay). */
    RELAY("relay"),
    /** The runtime's gateway WebSocket (OpenClaw). */
    GATEWAY("gateway");

    private final String wireValue;

    BridgeProtocolSetting(String wireValue) {
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
    public static BridgeProtocolSetting fromWire(String value) {
        for (BridgeProtocolSetting v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(BridgeProtocolSetting::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
