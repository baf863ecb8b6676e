package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Action categories an agent may change about itself. */
public enum SelfConfigureAction {
    /** Install or remove skills. */
    SKILLS("skills"),
    /** Change runtime configuration. */
    CONFIG("config"),
    /** Write workspace files. */
    WORKSPACE_FILES("workspaceFiles"),
    /** Change environment variables. */
    ENV_VARS("envVars");

    private final String wireValue;

    SelfConfigureAction(String wireValue) {
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
    public static SelfConfigureAction fromWire(String value) {
        for (SelfConfigureAction v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(SelfConfigureAction::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
