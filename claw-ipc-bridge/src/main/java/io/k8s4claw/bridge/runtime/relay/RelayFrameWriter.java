package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.runtime.InboundMessage;
import java.util.Locale;

/**
 * Connector-to-gateway frames (docs/runtime-hermes-relay.md, "Wire") as compact JSON lines. Every line ends with
 * {@code \n}: Hermes keeps a line without one in its buffer until the next newline arrives.
 */
public final class RelayFrameWriter {

    private RelayFrameWriter() {}

    public static String descriptor(CapabilityDescriptor d) {
        Json root = Json.object().put("type", "descriptor");
        Json desc = root.putObject("descriptor")
                .put("contract_version", CapabilityDescriptor.CONTRACT_VERSION)
                .put("platform", d.platform())
                .put("label", d.label())
                .put("max_message_length", d.maxMessageLength())
                .put("supports_draft_streaming", false)
                .put("supports_edit", d.supportsEdit())
                .put("supports_threads", d.supportsThreads())
                .put("markdown_dialect", d.markdownDialect())
                .put("len_unit", d.lenUnit());
        d.supportedOps().forEach(desc.putArray("supported_ops")::add);
        return line(root);
    }

    /**
     * An {@code inbound} frame for a channel message. {@code platform} is the Hermes platform name. The
     * session-source fields keep conversations apart: chat id and type, user, thread, and (Slack/Discord) the
     * workspace/guild as {@code scope_id}. {@code is_bot} and {@code message_is_edit} are always sent: some
     * Hermes versions read them, others ignore them.
     */
    public static String inbound(String platform, InboundMessage m) {
        Json root = Json.object().put("type", "inbound");
        Json event = root.putObject("event")
                .put("text", m.text())
                .put("message_type", m.text().startsWith("/") ? "command" : "text")
                .put("message_id", relayMessageId(m));
        Json source = event.putObject("source")
                .put("platform", platform)
                .put("chat_id", m.conversationId())
                .put("chat_type", chatType(m))
                .put("user_id", m.sender().id());
        putOrNull(source, "user_name", m.sender().displayName());
        putOrNull(source, "chat_name", m.metadata().get("chat_name"));
        putOrNull(source, "thread_id", m.threadId());
        putOrNull(source, "chat_topic", m.metadata().get("chat_topic"));
        source.put("is_bot", m.sender().bot());
        source.put("message_is_edit", false);
        String scope = scopeId(m);
        if (scope != null) {
            source.put("scope_id", scope);
        }
        return line(root);
    }

    /** Hermes de-duplicates on platform:chat_id:message_id; the platform id when known, else the bus id. */
    static String relayMessageId(InboundMessage m) {
        return m.platformMessageId().isEmpty() ? m.messageId() : m.platformMessageId();
    }

    static String chatType(InboundMessage m) {
        return switch (m.chatType()) {
            case GROUP -> "group";
            case CHANNEL -> "channel";
            case DIRECT, UNSPECIFIED -> "dm";
        };
    }

    /** The workspace (Slack team) or guild (Discord) id, from the sidecar's metadata. */
    static String scopeId(InboundMessage m) {
        for (String key : new String[] {"scope_id", "team_id", "guild_id", "workspace_id"}) {
            String v = m.metadata().get(key);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    public static String outboundResult(String requestId, Json result) {
        Json root = Json.object().put("type", "outbound_result").put("requestId", requestId);
        root.set("result", result);
        return line(root);
    }

    public static Json success(String messageId) {
        Json r = Json.object().put("success", true);
        if (messageId != null) {
            r.put("message_id", messageId);
        }
        return r;
    }

    public static Json failure(String error) {
        return Json.object().put("success", false).put("error", error);
    }

    /** Refusing a destination: Hermes then does not fall back to another op for that chat. */
    public static Json egressDeclined(String platform) {
        return Json.object()
                .put("success", false)
                .put("code", "egress_declined")
                .put(
                        "error",
                        platform.toLowerCase(Locale.ROOT)
                                + " egress declined: target is not an approved destination for this connection");
    }

    public static String goingIdleAck() {
        return "{\"type\":\"going_idle_ack\"}\n";
    }

    private static void putOrNull(Json node, String field, String value) {
        if (value == null || value.isEmpty()) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static String line(Json node) {
        return node + "\n";
    }
}
