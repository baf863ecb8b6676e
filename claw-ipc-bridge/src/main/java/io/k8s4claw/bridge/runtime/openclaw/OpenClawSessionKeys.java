package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.bridge.runtime.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Session keys in OpenClaw's own channel format (docs/runtime-openclaw.md, "Messages"), so a conversation bridged here
 * looks like one its native channel plugin would have created. Keys are lower-cased (the gateway lower-cases them
 * anyway and reports them lower-cased in events).
 *
 * <table>
 *   <tr><th>conversation</th><th>key</th></tr>
 *   <tr><td>Slack channel / thread</td><td>{@code agent:main:slack:channel:<id>[:thread:<thread_ts>]}</td></tr>
 *   <tr><td>Slack group DM</td><td>{@code agent:main:slack:group:<id>[:thread:<ts>]}</td></tr>
 *   <tr><td>Slack DM</td><td>{@code agent:main:slack:direct:<userId>}</td></tr>
 *   <tr><td>Discord channel / thread</td><td>{@code agent:main:discord:channel:<id>[:thread:<threadId>]}</td></tr>
 *   <tr><td>Discord DM</td><td>{@code agent:main:discord:direct:<userId>}</td></tr>
 *   <tr><td>Telegram private / group / topic</td><td>{@code agent:main:telegram:direct:<chatId>},
 *       {@code agent:main:telegram:group:<chatId>[:topic:<threadId>]}</td></tr>
 *   <tr><td>other channel types (webhook)</td><td>{@code agent:main:<channel
 *       name>:<direct|group|channel>:<id>[:thread:<id>]}</td></tr>
 * </table>
 * A key longer than 512 characters (the gateway's limit) becomes {@code agent:main:bridge:h:<sha256>}.
 */
public final class OpenClawSessionKeys {

    static final int MAX_KEY = 512;

    private OpenClawSessionKeys() {}

    public static String forMessage(InboundMessage m) {
        String type = m.channelType().toLowerCase(Locale.ROOT);
        String conv = m.conversationId();
        String thread = m.threadId();
        String key = switch (type) {
            case "slack" ->
                switch (m.chatType()) {
                    case DIRECT -> "slack:direct:" + m.sender().id();
                    case GROUP -> "slack:group:" + conv + threadPart(thread);
                    default -> "slack:channel:" + conv + threadPart(thread);
                };
            case "discord" ->
                m.chatType() == InboundMessage.ChatType.DIRECT
                        ? "discord:direct:" + m.sender().id()
                        : "discord:channel:" + conv + threadPart(thread);
            case "telegram" ->
                m.chatType() == InboundMessage.ChatType.DIRECT
                        ? "telegram:direct:" + conv
                        : "telegram:group:" + conv + (thread.isEmpty() ? "" : ":topic:" + thread);
            default -> safe(m.channelName()) + ":" + kind(m.chatType()) + ":" + conv + threadPart(thread);
        };
        String full = ("agent:main:" + key).toLowerCase(Locale.ROOT);
        return full.length() <= MAX_KEY ? full : "agent:main:bridge:h:" + sha256(full);
    }

    private static String threadPart(String thread) {
        return thread.isEmpty() ? "" : ":thread:" + thread;
    }

    private static String kind(InboundMessage.ChatType t) {
        return switch (t) {
            case DIRECT -> "direct";
            case GROUP -> "group";
            default -> "channel";
        };
    }

    /** A channel name as a key head: never one of OpenClaw's own channel ids, no ':' inside. */
    private static String safe(String channelName) {
        return "bridge-" + channelName.replace(':', '-');
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The text sent to the agent: attributed as OpenClaw's own channels do (docs/runtime-openclaw.md, "Gateway facts":
     * {@code [Slack] Alice (U01ALICE): …}). The prefix tells the agent who speaks (the sender is not a protocol field)
     * and keeps a user's leading {@code /reset} or {@code /config} from being parsed as a gateway command.
     * Deterministic, so a re-delivery sends the same input under the same idempotency key (a different input would be
     * refused as a conflict).
     */
    public static String attributedText(InboundMessage m) {
        String platform = m.channelType().isEmpty()
                ? m.channelName()
                : Character.toUpperCase(m.channelType().charAt(0))
                        + m.channelType().substring(1);
        String who = m.sender().displayName().isEmpty()
                ? m.sender().id()
                : m.sender().displayName() + " (" + m.sender().id() + ")";
        StringBuilder text = new StringBuilder("[")
                .append(platform)
                .append("] ")
                .append(who)
                .append(": ")
                .append(m.text());
        for (InboundMessage.Attachment a : m.attachments()) {
            text.append("\n[attachment: ")
                    .append(a.name())
                    .append(", ")
                    .append(a.mimeType())
                    .append(", ")
                    .append(a.sizeBytes())
                    .append(" bytes, ")
                    .append(a.ref())
                    .append(']');
        }
        return text.toString();
    }
}
