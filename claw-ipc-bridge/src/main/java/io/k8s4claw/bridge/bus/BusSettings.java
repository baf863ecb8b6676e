package io.k8s4claw.bridge.bus;

import java.nio.file.Path;
import java.util.Set;

/**
 * @param socketPath          Unix socket to listen on ({@code CLAW_BUS_SOCKET}); null to listen on TCP only
 * @param tcpPort             loopback TCP port for tests and non-Linux development; 0 = none, -1 = any free port
 * @param maxFrameBytes       announced in the Welcome and enforced on input
 * @param heartbeatIntervalMs announced in the Welcome; silence for 3 intervals closes a connection
 * @param window              UserMessages a sidecar may have un-acked
 * @param allowedChannels     channel names allowed to register (empty: any)
 * @param allowedUids         peer uids allowed where the kernel tells (epoll); empty: any
 * @param bridgeVersion       for the Welcome
 */
public record BusSettings(
        Path socketPath,
        int tcpPort,
        int maxFrameBytes,
        int heartbeatIntervalMs,
        int window,
        Set<String> allowedChannels,
        Set<Integer> allowedUids,
        String bridgeVersion) {

    public BusSettings {
        allowedChannels = Set.copyOf(allowedChannels);
        allowedUids = Set.copyOf(allowedUids);
    }
}
