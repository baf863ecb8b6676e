package io.k8s4claw.bridge.runtime.openclaw;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the bridge reaches the OpenClaw gateway (docs/runtime-openclaw.md, "Configuration" and "Connection").
 *
 * @param url              {@code CLAW_RUNTIME_URL}, e.g. {@code ws://127.0.0.1:18789/}: the literal IPv4 loopback
 *                         address, so the connection counts as local and keeps its scopes without a device identity
 * @param token            {@code CLAW_RUNTIME_TOKEN}: the shared gateway token ({@code OPENCLAW_GATEWAY_TOKEN})
 * @param instanceId       {@code client.instanceId}, for the gateway's presence list
 * @param handshakeTimeout no {@code hello-ok} this long after opening: close 4000 "connect timeout" and retry
 * @param requestTimeout   an answer to {@code chat.send}/{@code chat.history} must come within this
 * @param turnTimeout      {@code chat.send.timeoutMs}: the agent's budget for one turn
 * @param minBackoff       first reconnect delay (doubles, with jitter)
 * @param maxBackoff       reconnect delay cap
 * @param authRetry        after an auth/protocol refusal the bridge pauses this long before trying again
 */
public record OpenClawSettings(
        URI url,
        String token,
        String instanceId,
        Duration handshakeTimeout,
        Duration requestTimeout,
        Duration turnTimeout,
        Duration minBackoff,
        Duration maxBackoff,
        Duration authRetry) {

    public static final String CLIENT_ID = "gateway-client";
    public static final String CLIENT_MODE = "backend";
    public static final int PROTOCOL = 4;

    public OpenClawSettings {
        Objects.requireNonNull(url, "url");
        if (!"ws".equals(url.getScheme()) && !"wss".equals(url.getScheme())) {
            throw new IllegalArgumentException(
                    "openclaw-gateway: CLAW_RUNTIME_URL must be ws://127.0.0.1:<port>/, got " + url);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(
                    "openclaw-gateway needs CLAW_RUNTIME_TOKEN (the gateway's OPENCLAW_GATEWAY_TOKEN)");
        }
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(turnTimeout, "turnTimeout");
        Objects.requireNonNull(minBackoff, "minBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(authRetry, "authRetry");
    }

    public static OpenClawSettings defaults(URI url, String token) {
        return new OpenClawSettings(
                url,
                token,
                "claw-bridge",
                Duration.ofSeconds(15),
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                Duration.ofMinutes(5));
    }

    /**
     * From the bridge's environment: {@code CLAW_RUNTIME_URL} (default {@code ws://127.0.0.1:18789/}),
     * {@code CLAW_RUNTIME_TOKEN}.
     */
    public static OpenClawSettings fromEnv(Map<String, String> env) {
        String url =
                env.getOrDefault("CLAW_RUNTIME_URL", "ws://127.0.0.1:18789/").trim();
        // the gateway serves HTTP probes and the WebSocket on one port: accept its http(s) address too
        if (url.startsWith("http://")) {
            url = "ws://" + url.substring("http://".length());
        } else if (url.startsWith("https://")) {
            url = "wss://" + url.substring("https://".length());
        }
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("CLAW_RUNTIME_URL is not a URL: " + e.getMessage());
        }
        if (uri.getPath() == null || uri.getPath().isEmpty()) {
            uri = uri.resolve("/");
        }
        String pod = env.getOrDefault("HOSTNAME", "claw-bridge");
        OpenClawSettings d = defaults(uri, env.get("CLAW_RUNTIME_TOKEN"));
        return new OpenClawSettings(
                uri,
                d.token(),
                pod,
                d.handshakeTimeout(),
                d.requestTimeout(),
                d.turnTimeout(),
                d.minBackoff(),
                d.maxBackoff(),
                d.authRetry());
    }

    public OpenClawSettings withBackoff(Duration min, Duration max) {
        return new OpenClawSettings(
                url, token, instanceId, handshakeTimeout, requestTimeout, turnTimeout, min, max, authRetry);
    }

    @Override
    public String toString() {
        return "OpenClawSettings[" + url + ", token=<redacted>, instanceId=" + instanceId + "]";
    }
}
