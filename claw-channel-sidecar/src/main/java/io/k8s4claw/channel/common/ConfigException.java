package io.k8s4claw.channel.common;

/** The sidecar's configuration is missing or malformed; the message names the key and what to do. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
