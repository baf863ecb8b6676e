package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** The agent runtime a Claw runs ({@code spec.runtime}); immutable after create. */
public enum RuntimeType {
    /** OpenClaw (Node.js gateway). */
    OPENCLAW("openclaw"),
    /** NanoClaw (needs a container engine; adapters reject it). */
    NANOCLAW("nanoclaw"),
    /** ZeroClaw (Rust). */
    ZEROCLAW("zeroclaw"),
    /** PicoClaw (Go). */
    PICOCLAW("picoclaw"),
    /** IronClaw (Rust, needs PostgreSQL). */
    IRONCLAW("ironclaw"),
    /** Hermes Agent by Nous Research. */
    HERMESCLAW("hermesclaw"),
    /** Nanobot (HKUDS); added by this project. */
    NANOBOT("nanobot"),
    /** Any image described by {@code spec.custom}. */
    CUSTOM("custom");

    private final String wireValue;

    RuntimeType(String wireValue) {
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
    public static RuntimeType fromWire(String value) {
        for (RuntimeType v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(RuntimeType::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
