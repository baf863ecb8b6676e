package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.api.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the gateway's newline-delimited JSON (docs/runtime-hermes-relay.md, "Wire": Frames): text arrives in WebSocket
 * messages that are concatenated and split on {@code \n}; a trailing partial line waits for the rest. One instance per
 * socket; not thread-safe.
 *
 * <p>Bad lines never stop the stream: {@link #feed} returns them as {@link Line.Bad} with the reason and offset,
 * and the caller logs and skips them, as Hermes does. A line longer than {@code maxLineChars} is dropped up to its
 * newline and reported once.
 */
public final class RelayFrameParser {

    /** One line of the stream: a frame, or why it is not one. */
    public sealed interface Line {
        record Good(RelayFrame frame) implements Line {}

        /** @param index 0-based number of the line on this socket */
        record Bad(long index, String reason) implements Line {}
    }

    /** Frames are a few levels deep: deeper lines are refused before their tree is built. */
    private static final int MAX_NESTING = 64;

    private final int maxLineChars;
    private final StringBuilder pending = new StringBuilder();
    private boolean discarding;
    private long lineIndex;

    public RelayFrameParser(int maxLineChars) {
        if (maxLineChars < 2) {
            throw new IllegalArgumentException("maxLineChars must be at least 2");
        }
        this.maxLineChars = maxLineChars;
    }

    /** Adds the text of one WebSocket message and returns every complete line in it. */
    public List<Line> feed(CharSequence text) {
        List<Line> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                take(text, start, i, out);
                start = i + 1;
            }
        }
        if (start < text.length()) {
            if (discarding) {
                return out;
            }
            pending.append(text, start, text.length());
            if (pending.length() > maxLineChars) {
                out.add(new Line.Bad(lineIndex, "line longer than " + maxLineChars + " characters"));
                pending.setLength(0);
                discarding = true;
            }
        }
        return out;
    }

    /** Characters of an unfinished line waiting for its newline. */
    public int pendingChars() {
        return pending.length();
    }

    private void take(CharSequence text, int from, int to, List<Line> out) {
        long index = lineIndex++;
        if (discarding) {
            discarding = false;
            pending.setLength(0);
            return;
        }
        String line;
        if (pending.length() > 0) {
            pending.append(text, from, to);
            line = pending.toString();
            pending.setLength(0);
        } else {
            line = text.subSequence(from, to).toString();
        }
        if (line.length() > maxLineChars) {
            out.add(new Line.Bad(index, "line longer than " + maxLineChars + " characters"));
            return;
        }
        if (line.isBlank()) {
            return;
        }
        try {
            out.add(new Line.Good(parseLine(line)));
        } catch (RelayFrameException e) {
            out.add(new Line.Bad(index, e.getMessage()));
        }
    }

    /** Parses one complete line (without its newline). */
    public static RelayFrame parseLine(String line) throws RelayFrameException {
        Json node;
        try {
            node = Json.parse(line, MAX_NESTING);
        } catch (Json.ParseException e) {
            throw new RelayFrameException("not JSON: " + e.problem(), e.index());
        }
        if (!node.isObject()) {
            throw new RelayFrameException("a frame must be a JSON object", 0);
        }
        Json type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw new RelayFrameException("field 'type' must be a string", 0);
        }
        return switch (type.asText()) {
            case "hello" ->
                new RelayFrame.Hello(optionalText(node, "platform", "relay"), optionalText(node, "botId", ""));
            case "outbound" -> outbound(node);
            case "going_idle" -> new RelayFrame.GoingIdle();
            case "inbound_ack" -> new RelayFrame.InboundAck(optionalText(node, "bufferId", ""));
            case "interrupt" ->
                new RelayFrame.Interrupt(optionalText(node, "session_key", ""), optionalText(node, "reason", null));
            default -> new RelayFrame.Unknown(type.asText());
        };
    }

    private static RelayFrame outbound(Json node) throws RelayFrameException {
        Json requestId = node.get("requestId");
        if (requestId == null || !requestId.isTextual() || requestId.asText().isEmpty()) {
            throw new RelayFrameException("outbound: field 'requestId' must be a non-empty string", 0);
        }
        Json action = node.get("action");
        if (action == null || !action.isObject()) {
            return new RelayFrame.MalformedOutbound(requestId.asText(), "field 'action' must be an object");
        }
        Json op = action.get("op");
        if (op == null || !op.isTextual() || op.asText().isEmpty()) {
            return new RelayFrame.MalformedOutbound(requestId.asText(), "field 'action.op' must be a non-empty string");
        }
        return new RelayFrame.Outbound(
                requestId.asText(),
                op.asText(),
                action,
                optionalText(node, "platform", null),
                optionalText(node, "botId", null));
    }

    private static String optionalText(Json node, String field, String fallback) {
        Json v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : fallback;
    }
}
