package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Messaging platform of a ClawChannel. */
public enum ChannelType {
    /** Slack (Socket Mode). */
    SLACK("slack"),
    /** Telegram Bot API. */
    TELEGRAM("telegram"),
    /** WhatsApp. */
    WHATSAPP("whatsapp"),
    /** Discord gateway. */
    DISCORD("discord"),
    /** Matrix. */
    MATRIX("matrix"),
    /** Generic HTTP webhook. */
    WEBHOOK("webhook"),
    /** A user-supplied sidecar image ({@code spec.sidecar}). */
    CUSTOM("custom");

    private final String wireValue;

    ChannelType(String wireValue) {
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
    public static ChannelType fromWire(String value) {
        for (ChannelType v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of " + allowedValues());
    }

    /** Every accepted spelling, in declaration order, for error messages. */
    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(ChannelType::wireValue).toList();
    }

    @Override
    public String toString() {
        return wireValue;
    }
}
