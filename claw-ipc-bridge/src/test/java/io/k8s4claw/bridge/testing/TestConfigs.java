package io.k8s4claw.bridge.testing;

import io.k8s4claw.bridge.BridgeConfig;
import io.k8s4claw.bridge.delivery.DeliveryPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/** Bridge configurations for in-process tests: a short socket path, ephemeral HTTP port, fast retries. */
public final class TestConfigs {

    private TestConfigs() {}

    public static BridgeConfig config(Path dir) {
        return new BridgeConfig(
                dir.resolve("bus.sock"),
                0,
                dir.resolve("wal"),
                0,
                "scripted",
                URI.create("http://127.0.0.1:1"),
                "",
                Set.of(),
                Set.of(),
                new DeliveryPolicy(10, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMinutes(5), 10_000),
                true,
                16 << 20,
                1L << 30,
                100_000,
                20_000,
                1 << 20,
                10_000,
                256,
                Duration.ofSeconds(5));
    }

    public static BridgeConfig with(BridgeConfig c, DeliveryPolicy p) {
        return new BridgeConfig(
                c.busSocket(),
                c.busTcpPort(),
                c.dataDir(),
                c.httpPort(),
                c.runtimeProtocol(),
                c.runtimeUrl(),
                c.runtimeToken(),
                c.channels(),
                c.allowedUids(),
                p,
                c.fsync(),
                c.walSegmentBytes(),
                c.walMaxBytes(),
                c.maxPendingMessages(),
                c.dedupeEntries(),
                c.maxFrameBytes(),
                c.heartbeatIntervalMs(),
                c.window(),
                c.shutdownGrace());
    }

    public static BridgeConfig withBus(BridgeConfig c, int heartbeatMs, int window, long maxPending, int maxFrame) {
        return new BridgeConfig(
                c.busSocket(),
                c.busTcpPort(),
                c.dataDir(),
                c.httpPort(),
                c.runtimeProtocol(),
                c.runtimeUrl(),
                c.runtimeToken(),
                c.channels(),
                c.allowedUids(),
                c.delivery(),
                c.fsync(),
                c.walSegmentBytes(),
                c.walMaxBytes(),
                maxPending,
                c.dedupeEntries(),
                maxFrame,
                heartbeatMs,
                window,
                c.shutdownGrace());
    }
}
