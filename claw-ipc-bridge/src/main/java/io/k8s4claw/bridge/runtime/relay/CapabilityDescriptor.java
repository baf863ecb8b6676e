package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The relay {@code descriptor} (docs/runtime-hermes-relay.md, "Wire": hello → descriptor): what the platform behind the
 * connector can do. All nine required fields are always written (a missing one makes Hermes' strict constructor fail
 * and reconnect forever).
 */
public record CapabilityDescriptor(
        String platform,
        String label,
        int maxMessageLength,
        boolean supportsEdit,
        boolean supportsThreads,
        String markdownDialect,
        String lenUnit,
        List<String> supportedOps) {

    public static final int CONTRACT_VERSION = 1;
    /** Ops this connector executes. */
    public static final Set<String> IMPLEMENTED_OPS = Set.of("send", "edit", "typing");
    /** Sent when the channel has no limit: Hermes treats ≤0 as 4096, so say "large" explicitly. */
    static final int UNLIMITED_LENGTH = 65_536;

    public CapabilityDescriptor {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(markdownDialect, "markdownDialect");
        Objects.requireNonNull(lenUnit, "lenUnit");
        supportedOps = List.copyOf(supportedOps);
        if (maxMessageLength <= 0) {
            throw new IllegalArgumentException("descriptor: max_message_length must be positive");
        }
        if (!supportedOps.contains("send")) {
            throw new IllegalArgumentException("descriptor: supported_ops must contain send");
        }
    }

    /**
     * Builds the descriptor answering a {@code hello} for {@code platform} from the capabilities the channel
     * sidecar announced in its bus {@code Hello}.
     */
    public static CapabilityDescriptor from(String platform, ChannelCapabilities caps) {
        int max = (int) Math.min(Integer.MAX_VALUE, caps.getMaxMessageLength());
        String unit = "chars";
        switch (caps.getLengthUnit()) {
            case UTF16_UNITS -> unit = "utf16";
            // A limit in UTF-8 bytes is met by any text of limit/4 code points (4 bytes at most each).
            case BYTES -> max = max / 4;
            default -> {}
        }
        if (max <= 0) {
            max = UNLIMITED_LENGTH;
        }
        List<String> ops = new ArrayList<>();
        ops.add("send");
        boolean edit = caps.getSupportsEdit();
        boolean explicit = caps.getSupportedOpsCount() > 0;
        if (edit && (!explicit || caps.getSupportedOpsList().contains("edit"))) {
            ops.add("edit");
        } else {
            edit = false;
        }
        if (explicit ? caps.getSupportedOpsList().contains("typing") : caps.getSupportsTyping()) {
            ops.add("typing");
        }
        return new CapabilityDescriptor(
                platform,
                label(platform),
                max,
                edit,
                caps.getSupportsThreads(),
                hermesDialect(caps.getMarkdownDialect()),
                unit,
                ops);
    }

    /**
     * Used when no sidecar for {@code platform} has registered yet (Hermes waits only 30 s for a descriptor): the
     * platform's documented limits, editing and typing only where every sidecar of that type supports them.
     */
    public static CapabilityDescriptor defaultsFor(String platform) {
        return switch (platform) {
            case "telegram" ->
                new CapabilityDescriptor(
                        platform,
                        "Telegram",
                        4096,
                        true,
                        false,
                        "markdown",
                        "utf16",
                        List.of("send", "edit", "typing"));
            case "slack" ->
                new CapabilityDescriptor(
                        platform, "Slack", 40_000, true, true, "slack", "chars", List.of("send", "edit", "typing"));
            case "discord" ->
                new CapabilityDescriptor(
                        platform, "Discord", 2000, true, true, "discord", "chars", List.of("send", "edit", "typing"));
            default ->
                new CapabilityDescriptor(
                        platform, label(platform), 4096, false, false, "markdown", "chars", List.of("send"));
        };
    }

    /** Hermes' vocabulary: "plain" turns code blocks off; markdown, markdown_v2, slack, discord keep them. */
    static String hermesDialect(String busDialect) {
        String d = busDialect == null ? "" : busDialect.toLowerCase(Locale.ROOT);
        return switch (d) {
            case "plain" -> "plain";
            case "telegram-markdownv2", "markdownv2", "markdown_v2" -> "markdown_v2";
            case "slack-mrkdwn", "mrkdwn", "slack" -> "slack";
            case "discord" -> "discord";
            default -> "markdown";
        };
    }

    static String label(String platform) {
        if (platform.isEmpty()) {
            return "Relay";
        }
        return Character.toUpperCase(platform.charAt(0)) + platform.substring(1);
    }
}
