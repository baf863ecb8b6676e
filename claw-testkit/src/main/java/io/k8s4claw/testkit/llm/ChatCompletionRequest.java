package io.k8s4claw.testkit.llm;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code POST /v1/chat/completions} call as the fake model server received it.
 *
 * @param model    the requested model id
 * @param stream   {@code "stream": true}
 * @param hasTools the request offered tools (OpenClaw's agent turns do; its title/recap/utility calls do not)
 * @param messages role and flattened text of every message, in order
 * @param rawBody  the request body as received
 */
public record ChatCompletionRequest(
        String model, boolean stream, boolean hasTools, List<Message> messages, String rawBody) {

    /** OpenClaw appends its own context as a separate user message wrapped in these markers. */
    private static final String OPENCLAW_INTERNAL_CONTEXT = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>";
    /** OpenClaw prefixes the user's text with a timestamp such as {@code [Sat 2026-11-21 10:40 UTC] }. */
    private static final Pattern OPENCLAW_TIMESTAMP_PREFIX =
            Pattern.compile("^\\[[^\\]\\n]{0,64}\\d{1,2}:\\d{2}[^\\]\\n]{0,32}\\] ");
    /** ... and may append a runtime description after a blank line. */
    private static final String OPENCLAW_RUNTIME_SUFFIX = "\n\nRuntime: ";

    public record Message(String role, String text) {}

    public ChatCompletionRequest {
        messages = List.copyOf(messages);
    }

    /** Whether the conversation already holds a tool's result (a {@code tool} message): a tool call was answered. */
    public boolean hasToolResult() {
        return messages.stream().anyMatch(m -> "tool".equals(m.role()));
    }

    /**
     * The text the user typed in this turn: the last {@code user} message that is not OpenClaw's internal
     * context block, without OpenClaw's timestamp prefix and runtime suffix (as OpenClaw 2026.9.6 sends a turn: the
     * user's text is inside the last user message, not always the whole of it; docs/openclaw-and-relay-peers.md). Empty
     * when there is no user message.
     */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            Message m = messages.get(i);
            if (!"user".equals(m.role()) || m.text().startsWith(OPENCLAW_INTERNAL_CONTEXT)) {
                continue;
            }
            String text = OPENCLAW_TIMESTAMP_PREFIX.matcher(m.text()).replaceFirst("");
            int suffix = text.indexOf(OPENCLAW_RUNTIME_SUFFIX);
            return suffix >= 0 ? text.substring(0, suffix) : text;
        }
        return "";
    }
}
