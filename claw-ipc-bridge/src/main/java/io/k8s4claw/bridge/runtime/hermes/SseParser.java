package io.k8s4claw.bridge.runtime.hermes;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server-sent events format (WHATWG HTML, "event stream interpretation") read from the chunks of a response body
 * as they arrive: lines end with LF, CR or CRLF (a CRLF may be split between chunks), {@code :} starts a comment,
 * {@code data} lines are joined with LF, a blank line dispatches the event, an event without data is dropped, the
 * {@code id} stays the last event id until the next one (an id containing NUL is ignored), {@code retry} is ignored
 * (the follower owns its backoff), a leading byte order mark is skipped. Lines are decoded as UTF-8 (malformed bytes
 * become U+FFFD). An event or line above {@link #MAX_BYTES} throws {@link TooLarge}: the stream is then treated as
 * broken. Not thread-safe: one per stream, fed on the connection's event loop.
 */
final class SseParser {

    /** Bounds one line and one event's data: far above any Hermes event, far below the bridge's heap. */
    static final int MAX_BYTES = 4 << 20;

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** What the parser found. */
    interface Listener {
        /**
         * One event.
         *
         * @param name        the {@code event} field, {@code "message"} when absent
         * @param lastEventId the last {@code id} seen on the stream so far, or null
         */
        void onEvent(String name, String data, String lastEventId);

        /** A comment line ({@code : keepalive}), without its colon and one leading space. */
        void onComment(String text);
    }

    /** An event or a line longer than {@link #MAX_BYTES}. */
    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("an event-stream line or event is larger than " + MAX_BYTES + " bytes");
        }
    }

    private final Listener listener;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean afterCr;
    private int bomBytesSeen;
    private boolean bomDone;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String eventName;
    private String lastEventId;
    private boolean stopped;

    SseParser(Listener listener) {
        this.listener = listener;
    }

    /** No more events are passed on, also not the rest of a chunk being fed (the follower is done with the run). */
    void stop() {
        stopped = true;
    }

    /** Reads every readable byte of {@code chunk} (without moving its reader index). */
    void feed(ByteBuf chunk) {
        int end = chunk.writerIndex();
        for (int i = chunk.readerIndex(); i < end && !stopped; i++) {
            accept(chunk.getByte(i));
        }
    }

    /** Reads {@code bytes} (the fuzz test feeds memory directly). */
    void feed(byte[] bytes) {
        for (int i = 0; i < bytes.length && !stopped; i++) {
            accept(bytes[i]);
        }
    }

    private void accept(byte b) {
        if (!bomDone) {
            if (b == BOM[bomBytesSeen]) {
                if (++bomBytesSeen == BOM.length) {
                    bomDone = true;
                }
                return;
            }
            bomDone = true;
            for (int i = 0; i < bomBytesSeen; i++) {
                accept(BOM[i]); // not a BOM after all: the bytes were content
            }
        }
        if (b == '\n') {
            if (afterCr) {
                afterCr = false; // the LF of a CRLF: the line ended at the CR
                return;
            }
            endLine();
        } else if (b == '\r') {
            afterCr = true;
            endLine();
        } else {
            afterCr = false;
            if (lineLength == line.length) {
                if (line.length >= MAX_BYTES) {
                    throw new TooLarge();
                }
                line = Arrays.copyOf(line, Math.min(MAX_BYTES, line.length * 2));
            }
            line[lineLength++] = b;
        }
    }

    private void endLine() {
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (line.length > 4096) {
            line = new byte[256]; // a long line once should not pin its buffer for the stream's life
        }
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            listener.onComment(text.startsWith(": ") ? text.substring(2) : text.substring(1));
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> eventName = value;
            case "data" -> {
                if (data.length() + value.length() + 1 > MAX_BYTES) {
                    throw new TooLarge();
                }
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                }
            }
            default -> {
                // retry and unknown fields: ignored, as the format says
            }
        }
    }

    private void dispatch() {
        String name = eventName == null || eventName.isEmpty() ? "message" : eventName;
        eventName = null;
        if (!hasData) {
            return;
        }
        String payload = data.toString();
        data.setLength(0);
        if (data.capacity() > 4096) {
            data.trimToSize();
        }
        hasData = false;
        listener.onEvent(name, payload, lastEventId);
    }
}
