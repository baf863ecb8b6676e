package io.k8s4claw.channel.common;

/**
 * The platform side's health for {@code /readyz}: connected, (re)connecting with the last reason, or
 * failed for good (bad credentials, disabled app) with what the operator must fix. Thread-safe.
 */
public final class PlatformStatus {
    public enum State {
        CONNECTING,
        CONNECTED,
        FAILED
    }

    private volatile State state = State.CONNECTING;
    private volatile String detail = "connecting";

    public void connected(String detail) {
        if (state == State.FAILED) return;
        state = State.CONNECTED;
        this.detail = detail;
    }

    public void disconnected(String why) {
        if (state == State.FAILED) return;
        state = State.CONNECTING;
        detail = why;
    }

    /** Terminal: the sidecar stays up (so the failure is visible) but does not retry. */
    public void failed(String why) {
        state = State.FAILED;
        detail = why;
    }

    public State state() {
        return state;
    }

    public boolean isConnected() {
        return state == State.CONNECTED;
    }

    public boolean isFailed() {
        return state == State.FAILED;
    }

    public String detail() {
        return detail;
    }
}
