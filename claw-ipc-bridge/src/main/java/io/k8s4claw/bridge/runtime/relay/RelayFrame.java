package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.api.json.Json;

/**
 * Frames the Hermes gateway sends to the connector (docs/runtime-hermes-relay.md, "Wire"). Connector-to-gateway frames
 * are written by {@link RelayFrameWriter}.
 */
public sealed interface RelayFrame {

    /** {@code {"type":"hello","platform":…,"botId":…}}: answer with one descriptor. */
    record Hello(String platform, String botId) implements RelayFrame {}

    /**
     * {@code {"type":"outbound","requestId":…,"action":{"op":…},"platform"?,"botId"?}}: answer with an
     * {@code outbound_result} carrying the same {@code requestId} within 30 s.
     */
    record Outbound(String requestId, String op, Json action, String platform, String botId) implements RelayFrame {}

    /**
     * An {@code outbound} frame with a usable {@code requestId} but an unusable {@code action}: answered with a
     * failed result at once, so the gateway does not wait 30 s for it.
     */
    record MalformedOutbound(String requestId, String reason) implements RelayFrame {}

    /** {@code {"type":"going_idle"}}: answer {@code going_idle_ack} at once. */
    record GoingIdle() implements RelayFrame {}

    /** {@code {"type":"inbound_ack","bufferId":…}}. */
    record InboundAck(String bufferId) implements RelayFrame {}

    /** {@code {"type":"interrupt","session_key":…,"reason":…}} (multi-instance fleets; ignored here). */
    record Interrupt(String sessionKey, String reason) implements RelayFrame {}

    /** A well-formed frame of a type this connector does not know (forward compatibility: ignored). */
    record Unknown(String type) implements RelayFrame {}
}
