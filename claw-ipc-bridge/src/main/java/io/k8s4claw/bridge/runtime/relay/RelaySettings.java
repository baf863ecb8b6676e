package io.k8s4claw.bridge.runtime.relay;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of the relay listener.
 *
 * @param bindHost           loopback only ({@code 127.0.0.1}); Hermes runs in the same pod
 * @param port               {@code CLAW_RELAY_PORT}, default 8765; 0 picks a free port (tests)
 * @param secrets            {@code CLAW_RELAY_SECRET}: the HMAC secret Hermes has as {@code GATEWAY_RELAY_SECRET};
 *                           several comma-separated during a rotation
 * @param gatewayId          {@code CLAW_RELAY_GATEWAY_ID} (optional): only tokens for this {@code GATEWAY_RELAY_ID}
 *                           pass
 * @param pingInterval       the connector pings this often (Hermes pings every 30 s itself; older builds may not)
 * @param idleTimeout        a socket silent for this long (no frame, ping or pong) is dead and closed
 * @param outboundTimeout    how long a send/edit/typing may wait for the channel before we answer a failure
 *                           (Hermes gives up at 30 s and reports an ambiguous result)
 * @param maxLineChars       longest accepted frame line
 */
public record RelaySettings(
        String bindHost,
        int port,
        List<String> secrets,
        String gatewayId,
        Duration pingInterval,
        Duration idleTimeout,
        Duration outboundTimeout,
        int maxLineChars) {

    public static final int DEFAULT_PORT = 8765;

    public RelaySettings {
        Objects.requireNonNull(bindHost, "bindHost");
        secrets = List.copyOf(secrets);
        if (secrets.isEmpty() || secrets.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("hermes-relay needs CLAW_RELAY_SECRET (the GATEWAY_RELAY_SECRET Hermes "
                    + "signs its upgrade token with): set it from the relay Secret");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("CLAW_RELAY_PORT must be 0..65535, got " + port);
        }
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(outboundTimeout, "outboundTimeout");
    }

    public static RelaySettings defaults(int port, String secret) {
        return new RelaySettings(
                "127.0.0.1",
                port,
                List.of(secret),
                null,
                Duration.ofSeconds(20),
                Duration.ofSeconds(90),
                Duration.ofSeconds(25),
                4 * 1024 * 1024);
    }

    /**
     * From the bridge's environment ({@code CLAW_RELAY_PORT}, {@code CLAW_RELAY_SECRET},
     * {@code CLAW_RELAY_GATEWAY_ID}).
     */
    public static RelaySettings fromEnv(Map<String, String> env) {
        String portText = env.getOrDefault("CLAW_RELAY_PORT", Integer.toString(DEFAULT_PORT));
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CLAW_RELAY_PORT must be a number, got '" + portText + "'");
        }
        String secret = env.getOrDefault("CLAW_RELAY_SECRET", "");
        List<String> secrets = Arrays.stream(secret.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        RelaySettings d = defaults(port, "placeholder");
        String id = env.get("CLAW_RELAY_GATEWAY_ID");
        return new RelaySettings(
                d.bindHost(),
                port,
                secrets,
                id == null || id.isBlank() ? null : id.trim(),
                d.pingInterval(),
                d.idleTimeout(),
                d.outboundTimeout(),
                d.maxLineChars());
    }

    public RelaySettings withTimings(Duration pingInterval, Duration idleTimeout, Duration outboundTimeout) {
        return new RelaySettings(
                bindHost, port, secrets, gatewayId, pingInterval, idleTimeout, outboundTimeout, maxLineChars);
    }

    @Override
    public String toString() {
        // never print the secrets
        return "RelaySettings[" + bindHost + ":" + port + ", secrets=" + secrets.size() + ", gatewayId=" + gatewayId
                + ", ping=" + pingInterval + ", idle=" + idleTimeout + ", outboundTimeout=" + outboundTimeout + "]";
    }
}
