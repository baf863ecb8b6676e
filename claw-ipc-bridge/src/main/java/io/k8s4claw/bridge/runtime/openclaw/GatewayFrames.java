package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.api.json.Json;

/**
 * Envelopes of gateway protocol v4 (docs/runtime-openclaw.md, "Connection"): closed objects, one JSON object per text
 * frame.
 */
public final class GatewayFrames {

    private GatewayFrames() {}

    /** A frame from the gateway. */
    public sealed interface Inbound {
        record Response(String id, boolean ok, Json payload, GatewayError error) implements Inbound {}

        /** @param seq the per-connection broadcast counter, -1 when absent ({@code connect.challenge}) */
        record Event(String event, Json payload, long seq) implements Inbound {}

        /** A frame this client does not understand (logged and ignored). */
        record Other(String why) implements Inbound {}
    }

    /**
     * {@code error} of a failed response.
     *
     * @param detailsCode  {@code error.details.code} (e.g. {@code AUTH_TOKEN_MISMATCH}, {@code PROTOCOL_MISMATCH}), or
     *                     ""
     * @param detailsReason {@code error.details.reason} (e.g. {@code startup-sidecars}, {@code chat-request-conflict}),
     *                      or ""
     * @param retryAfterMs -1 when absent
     */
    public record GatewayError(
            String code,
            String message,
            String detailsCode,
            String detailsReason,
            boolean retryable,
            long retryAfterMs) {}

    public static Inbound parse(String text) {
        Json node;
        try {
            node = Json.parse(text);
        } catch (Json.ParseException e) {
            return new Inbound.Other("not JSON: " + e.getMessage());
        }
        if (!node.isObject()) {
            return new Inbound.Other("not a JSON object");
        }
        switch (node.path("type").asText()) {
            case "res": {
                Json err = node.get("error");
                GatewayError error = null;
                if (err != null && err.isObject()) {
                    Json details = err.path("details");
                    error = new GatewayError(
                            err.path("code").asText(""),
                            err.path("message").asText(""),
                            details.path("code").asText(""),
                            details.path("reason").asText(""),
                            err.path("retryable").asBoolean(false),
                            err.path("retryAfterMs").canConvertToLong()
                                    ? err.path("retryAfterMs").asLong()
                                    : -1);
                }
                return new Inbound.Response(
                        node.path("id").asText(""), node.path("ok").asBoolean(false), node.path("payload"), error);
            }
            case "event":
                return new Inbound.Event(
                        node.path("event").asText(""),
                        node.path("payload"),
                        node.path("seq").canConvertToLong() ? node.path("seq").asLong() : -1);
            default:
                return new Inbound.Other(
                        "unknown frame type '" + node.path("type").asText() + "'");
        }
    }

    public static String request(String id, String method, Json params) {
        Json req = Json.object().put("type", "req").put("id", id).put("method", method);
        req.set("params", params);
        return req.toString();
    }

    /** Concatenated text of the {@code type:"text"} blocks of a transcript/event message. */
    public static String messageText(Json message) {
        if (message == null || message.isMissingNode() || message.isNull()) {
            return null;
        }
        Json content = message.path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (Json block : content) {
            if ("text".equals(block.path("type").asText())) {
                sb.append(block.path("text").asText(""));
            }
        }
        return sb.toString();
    }
}
