package io.k8s4claw.testkit.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the fake model answers to one request: the text in streamed pieces, with a pause before each piece
 * after the first.
 */
public record ScriptedReply(List<String> chunks, Duration delayBetweenChunks) {

    public ScriptedReply {
        chunks = List.copyOf(chunks);
        Objects.requireNonNull(delayBetweenChunks, "delayBetweenChunks");
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
