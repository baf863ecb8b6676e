package io.k8s4claw.api.runtime;

import java.util.Objects;

/**
 * A port a runtime listens on.
 *
 * @param name     IANA-style port name (≤ 15 chars, lower case), used for containerPort and Service port names
 * @param port     the port number
 * @param purpose  what the port serves, for humans (docs, {@code claw render} comments)
 * @param exposure whether it is loopback-only or may be exposed
 */
public record RuntimePort(String name, int port, String purpose, PortExposure exposure) {
    public RuntimePort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(exposure, "exposure");
        if (!name.matches("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?")) {
            throw new IllegalArgumentException(
                    "port name '" + name + "' is not a valid IANA service name (≤ 15 lower-case letters, digits, '-')");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " of '" + name + "' is outside 1..65535");
        }
    }
}
