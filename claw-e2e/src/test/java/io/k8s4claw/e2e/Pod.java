package io.k8s4claw.e2e;

import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.BridgeConfig;
import io.k8s4claw.bridge.connect.RuntimeConnectors;
import io.k8s4claw.bridge.delivery.DeliveryPolicy;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.channel.ChannelHost;
import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One Claw pod in one JVM: the Hermes API emulator as the runtime, the real bridge (started through its
 * public entry point {@link Bridge#start}, hermes-sse connector from {@link RuntimeConnectors}) on a Unix
 * socket, and one real channel sidecar ({@link ChannelHost#fromEnvironment}) with the environment the
 * operator renders.
 */
final class Pod implements AutoCloseable {
    static final String HERMES_KEY = "hermes-api-key-e2e";
    final HermesApiEmulator hermes;
    final Bridge bridge;
    final ChannelHost sidecar;

    Pod(
            Path dir,
            HermesApiEmulator hermes,
            String channelName,
            String channelType,
            String channelConfig,
            Map<String, String> secrets)
            throws Exception {
        this.hermes = hermes;
        Path socket = dir.resolve("bus.sock");
        BridgeConfig config = new BridgeConfig(
                socket,
                0,
                dir.resolve("wal"),
                0,
                "hermes-sse",
                hermes.baseUrl(),
                HERMES_KEY,
                Set.of(channelName),
                Set.of(),
                DeliveryPolicy.defaults(),
                true,
                16 << 20,
                1L << 30,
                100_000,
                20_000 /* dedupe entries */,
                1 << 20,
                10_000,
                256,
                Duration.ofSeconds(5));
        RuntimeConnector connector = RuntimeConnectors.create("hermes-sse", hermes.baseUrl(), HERMES_KEY, Map.of());
        this.bridge = Bridge.start(config, connector, FileStore.DEFAULT);
        Map<String, String> env = new HashMap<>(secrets);
        env.put("CHANNEL_NAME", channelName);
        env.put("CHANNEL_TYPE", channelType);
        env.put("CHANNEL_CONFIG", channelConfig);
        env.put("CLAW_BUS_SOCKET", socket.toString());
        env.put("CHANNEL_HTTP_PORT", "0");
        env.put("CHANNEL_HTTP_BIND", "127.0.0.1");
        this.sidecar = ChannelHost.fromEnvironment(env);
        sidecar.start();
    }

    @Override
    public void close() {
        sidecar.close(Duration.ofSeconds(2));
        bridge.shutdown();
    }
}
