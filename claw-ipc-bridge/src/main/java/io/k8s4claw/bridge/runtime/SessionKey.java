package io.k8s4claw.bridge.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One conversation as the runtime should see it: (channel name, conversation id, thread id). Every message of
 * the same key continues the same runtime session (history, memory); different keys never share one.
 *
 * <p>The channel <em>name</em> (not its type) scopes the key, so two Slack workspaces wired as two ClawChannels
 * cannot collide, and a thread is its own session (as Hermes does natively for threads).
 *
 * <p>Two renderings, both stable (changing them would cut every conversation off from its history):
 * <ul>
 *   <li>{@link #hermesSessionId()} — Hermes {@code session_id}: {@code <channel>.<conversation>[.<thread>]}, each part
 *       escaped so only {@code [A-Za-z0-9-]} remain verbatim and every other byte of its UTF-8 form becomes
 *       {@code _XX} (upper-case hex). The result is path-safe (no {@code /}, no {@code ..}, no CR/LF/NUL) as Hermes
 *       requires; above 200 characters it becomes {@code h-} + SHA-256 hex of the unescaped triple.
 *       Example: ({@code telegram-main}, {@code -100123}, "") → {@code telegram-main.-100123};
 *       ({@code slack}, {@code C0123}, {@code 1767225600.000100}) → {@code slack.C0123.1767225600_2E000100}.</li>
 *   <li>{@link #hermesSessionKeyHeader()} — {@code X-Hermes-Session-Key} (long-term memory scope):
 *       {@code bridge:<channel>:<conversation>[:<thread>]} with the same escaping; ≤ 256 characters (hashed as
 *       {@code bridge:h:<sha256 hex>} above that).</li>
 * </ul>
 */
public record SessionKey(String channelName, String conversationId, String threadId) {

    private static final int MAX_SESSION_ID = 200;
    private static final int MAX_HEADER = 256;

    public SessionKey {
        if (channelName == null || channelName.isEmpty()) {
            throw new IllegalArgumentException("session key: channelName must not be empty");
        }
        if (conversationId == null || conversationId.isEmpty()) {
            throw new IllegalArgumentException("session key: conversationId must not be empty");
        }
        threadId = Objects.requireNonNullElse(threadId, "");
    }

    public String hermesSessionId() {
        String id =
                escape(channelName) + "." + escape(conversationId) + (threadId.isEmpty() ? "" : "." + escape(threadId));
        return id.length() <= MAX_SESSION_ID ? id : "h-" + digest();
    }

    public String hermesSessionKeyHeader() {
        String key = "bridge:" + escape(channelName) + ":" + escape(conversationId)
                + (threadId.isEmpty() ? "" : ":" + escape(threadId));
        return key.length() <= MAX_HEADER ? key : "bridge:h:" + digest();
    }

    static String escape(String part) {
        var out = new StringBuilder(part.length());
        for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                out.append((char) c);
            } else {
                out.append('_')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private String digest() {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest((channelName + "\n" + conversationId + "\n" + threadId)
                                    .getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }
}
