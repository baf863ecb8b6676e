package io.k8s4claw.testkit.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the fake model answers to one request: the text in streamed pieces, with a pause before each piece
 * after the first, or (when {@code toolCall} is set) a call of one of the tools the request offered.
 */
public record ScriptedReply(List<String> chunks, Duration delayBetweenChunks, ToolCall toolCall) {

    /** A function call: the tool's name and its arguments as a JSON object text. */
    public record ToolCall(String name, String argumentsJson) {
        public ToolCall {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(argumentsJson, "argumentsJson");
        }
    }

    public ScriptedReply {
        chunks = List.copyOf(chunks);
        Objects.requireNonNull(delayBetweenChunks, "delayBetweenChunks");
    }

    public ScriptedReply(List<String> chunks, Duration delayBetweenChunks) {
        this(chunks, delayBetweenChunks, null);
    }

    /** The model calls {@code tool} with {@code argumentsJson} (finish reason {@code tool_calls}), no text. */
    public static ScriptedReply callTool(String tool, String argumentsJson) {
        return new ScriptedReply(List.of(), Duration.ZERO, new ToolCall(tool, argumentsJson));
    }

    /** {@code text} split into about {@code pieces} chunks (at least one), streamed without delay. */
    public static ScriptedReply of(String text, int pieces) {
        return of(text, pieces, Duration.ZERO);
    }

    public static ScriptedReply of(String text, int pieces, Duration delayBetweenChunks) {
        List<String> out = new ArrayList<>();
        int n = Math.max(1, Math.min(pieces, text.length()));
        int size = Math.max(1, (int) Math.ceil(text.length() / (double) n));
        for (int i = 0; i < text.length(); i += size) {
            out.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        if (out.isEmpty()) {
            out.add("");
        }
        return new ScriptedReply(out, delayBetweenChunks);
    }

    public String text() {
        return String.join("", chunks);
    }
}
