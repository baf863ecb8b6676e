package io.k8s4claw.channel.sdk;

/** Where the client's link to the bridge stands. */
public enum ConnectionState {
    /** Not started yet. */
    NEW,
    /** Dialling or waiting for the Welcome (also between retries). */
    CONNECTING,
    /** Registered: publishing and replies flow. */
    CONNECTED,
    /** {@link BusClient#close} is finishing in-flight work. */
    DRAINING,
    /** Closed by the application. */
    CLOSED,
    /** Stopped for good by a fatal bus error (no common version, replaced by a newer instance). */
    FAILED
}
