package io.k8s4claw.channel;

import io.k8s4claw.channel.common.ConfigException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** Entry point of the channel sidecar image: the type named by {@code CHANNEL_TYPE}. See {@link ChannelHost}. */
public final class ChannelMain {
    private ChannelMain() {}

    public static void main(String[] args) throws Exception {
        // One line per log record (System.Logger -> java.util.logging), unless configured otherwise.
        if (System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s %5$s%6$s%n");
        }
        ChannelHost host;
        try {
            host = ChannelHost.fromEnvironment(System.getenv());
        } catch (ConfigException e) {
            System.err.println("claw-channel-sidecar: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Duration grace = Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("CHANNEL_DRAIN_MILLIS", "20000")));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close(grace);
            stopped.countDown();
        }, "drain"));
        host.start();
        stopped.await();
    }
}
