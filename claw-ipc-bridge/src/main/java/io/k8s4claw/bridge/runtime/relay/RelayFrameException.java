package io.k8s4claw.bridge.runtime.relay;

/** A relay line that is not a valid frame; the message says what and where (character offset in the line). */
public final class RelayFrameException extends Exception {
    private final int offset;

    public RelayFrameException(String message, int offset) {
        super(message + " (at character " + offset + " of the line)");
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
