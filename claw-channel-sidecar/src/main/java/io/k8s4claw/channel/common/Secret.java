package io.k8s4claw.channel.common;

import java.util.Objects;

/**
 * A credential (bot token, signing secret). {@link #toString()} never reveals it, so a secret that ends up
 * in a log line or an exception message shows as {@code Secret[NAME]}; read the value only where it is
 * put on the wire.
 */
public final class Secret {
    private final String name;
    private final String value;

    public Secret(String name, String value) {
        this.name = Objects.requireNonNull(name);
        this.value = Objects.requireNonNull(value);
    }

    public String name() {
        return name;
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "Secret[" + name + "]";
    }
}
