package io.k8s4claw.api.bus;

import java.util.OptionalInt;

/**
 * Constants of the channel-sidecar ⇄ bridge bus protocol ({@code claw/bus/v1/bus.proto}) and the
 * version negotiation rule. See {@code claw-api/docs/bus-protocol.md}.
 */
public final class BusProtocol {

    /** The protocol version this schema describes. */
    public static final int VERSION_1 = 1;
    /** Oldest version this build still speaks. */
    public static final int MIN_SUPPORTED_VERSION = VERSION_1;
    /** Newest version this build speaks. */
    public static final int MAX_SUPPORTED_VERSION = VERSION_1;

    /** Bytes of the big-endian length prefix in front of every frame. */
    public static final int LENGTH_PREFIX_BYTES = 4;
    /** Frame size limit before the Welcome negotiated another one (1 MiB). */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    /**
     * Hard upper bound any peer may negotiate (16 MiB, k8s4claw's cap). A length prefix above it can only
     * be garbage or a desynchronised stream.
     */
    public static final int ABSOLUTE_MAX_FRAME_BYTES = 16 << 20;
    /** Heartbeat interval the bridge proposes in its Welcome unless configured otherwise. */
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
    /** A connection silent for this many heartbeat intervals is considered dead. */
    public static final int MISSED_HEARTBEATS_BEFORE_DEAD = 3;
    /** Default flow-control window: UserMessages a sidecar may have un-acked at once. */
    public static final int DEFAULT_WINDOW = 256;

    private BusProtocol() {}

    /**
     * The highest version both sides speak, given the peer's inclusive range from its Hello; empty when
     * the ranges do not overlap (answer with {@code Error{UNSUPPORTED_VERSION, fatal}}). A peer that left
     * {@code max_version} at 0 is treated as speaking only {@code min_version}.
     */
    public static OptionalInt negotiate(int peerMinVersion, int peerMaxVersion) {
        int peerMax = peerMaxVersion == 0 ? peerMinVersion : peerMaxVersion;
        int peerMin = peerMinVersion == 0 ? peerMax : peerMinVersion;
        if (peerMin <= 0 || peerMax < peerMin) {
            return OptionalInt.empty();
        }
        int high = Math.min(peerMax, MAX_SUPPORTED_VERSION);
        int low = Math.max(peerMin, MIN_SUPPORTED_VERSION);
        return high >= low ? OptionalInt.of(high) : OptionalInt.empty();
    }

    /** Validates a negotiated or configured max frame size. */
    public static int checkMaxFrameBytes(int maxFrameBytes) {
        if (maxFrameBytes < 1 || maxFrameBytes > ABSOLUTE_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException(
                    "max frame size " + maxFrameBytes + " bytes is outside 1.." + ABSOLUTE_MAX_FRAME_BYTES);
        }
        return maxFrameBytes;
    }
}
