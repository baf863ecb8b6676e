package io.k8s4claw.api.runtime;

import java.util.Arrays;
import java.util.Optional;

/**
 * How the in-pod bridge ({@code claw-ipc-bridge}) talks to a runtime. The wire names are the values of the
 * bridge's {@code CLAW_RUNTIME_PROTOCOL} environment variable.
 */
public enum BridgeProtocol {
    /** Hermes API server: {@code POST /v1/runs} + SSE events on 127.0.0.1:8642, bearer {@code API_SERVER_KEY}. */
    HERMES_SSE("hermes-sse"),
    /** Hermes relay connector: Hermes dials the bridge's WebSocket {@code ws://127.0.0.1:<relayPort>/relay}. */
    HERMES_RELAY("hermes-relay"),
    /** OpenClaw gateway WebSocket protocol v4 on {@code ws://127.0.0.1:18789/}. */
    OPENCLAW_GATEWAY("openclaw-gateway");

    private final String wireName;

    BridgeProtocol(String wireName) {
        this.wireName = wireName;
    }

    /** The value of {@code CLAW_RUNTIME_PROTOCOL}. */
    public String wireName() {
        return wireName;
    }

    public static Optional<BridgeProtocol> fromWireName(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
