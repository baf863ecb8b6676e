package io.k8s4claw.bridge;

import io.k8s4claw.bridge.delivery.DeliveryPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the bridge is configured with (see the module README for the environment variables and flags).
 * The runtime token is not part of {@link #toString()}.
 */
public record BridgeConfig(
        Path busSocket,
        int busTcpPort,
        Path dataDir,
        int httpPort,
        String runtimeProtocol,
        URI runtimeUrl,
        String runtimeToken,
        Set<String> channels,
        Set<Integer> allowedUids,
        DeliveryPolicy delivery,
        boolean fsync,
        long walSegmentBytes,
        long walMaxBytes,
        long maxPendingMessages,
        int dedupeEntries,
        int maxFrameBytes,
        int heartbeatIntervalMs,
        int window,
        Duration shutdownGrace) {

    @Override
    public String toString() {
        return "BridgeConfig[busSocket=" + busSocket + ", busTcpPort=" + busTcpPort + ", dataDir=" + dataDir
                + ", httpPort=" + httpPort + ", runtimeProtocol=" + runtimeProtocol + ", runtimeUrl=" + runtimeUrl
                + ", runtimeToken=" + (runtimeToken == null || runtimeToken.isEmpty() ? "<unset>" : "<redacted>")
                + ", channels=" + channels + ", allowedUids=" + allowedUids + ", delivery=" + delivery + ", fsync="
                + fsync + ", walSegmentBytes=" + walSegmentBytes + ", walMaxBytes=" + walMaxBytes
                + ", maxPendingMessages=" + maxPendingMessages + ", dedupeEntries=" + dedupeEntries + ", maxFrameBytes="
                + maxFrameBytes
                + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", window=" + window + ", shutdownGrace="
                + shutdownGrace + "]";
    }
}
