package io.k8s4claw.channel;

import io.k8s4claw.api.log.LogfmtFormatter;
import io.k8s4claw.channel.common.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** Entry point of the channel sidecar image: the type named by {@code CHANNEL_TYPE}. See {@link ChannelHost}. */
public final class ChannelMain {
    private ChannelMain() {}

    static final String USAGE = """
            Usage: java -jar claw-channel-sidecar-runnable.jar [--help]

            One chat channel (Slack, Discord, Telegram or a generic webhook) as a sidecar of claw-ipc-bridge:
            the platform on one side, the bridge's bus (a Unix socket) on the other. Configured by environment:

              CHANNEL_NAME                          the ClawChannel's name (required)
              CHANNEL_TYPE                          slack, discord, telegram or webhook (required)
              CHANNEL_CONFIG                        the ClawChannel's spec.config as JSON (default {}); unknown
                                                    keys are refused with the known ones listed
              CLAW_BUS_SOCKET                       the bridge's socket (default /var/run/claw/bus.sock)
              CHANNEL_HTTP_PORT                     health, readiness, metrics and inbound webhooks (default 8081)
              CHANNEL_HTTP_BIND                     (default 0.0.0.0)
              CHANNEL_HTTP_REQUEST_TIMEOUT_SECONDS  a request must arrive within this (default 10)
              CHANNEL_HTTP_MAX_CONNECTIONS          open connections at most (default 256)
              CHANNEL_DRAIN_MILLIS                  drain budget on SIGTERM (default 20000)
              CHANNEL_STATE_DIR                     where handled replies are recorded, so a restart does not
                                                    deliver a resent one again (default: none, in memory)
              CLAW_LOG_LEVEL                        TRACE, DEBUG, INFO, WARN or ERROR (default INFO); logfmt
                                                    lines on stderr

            Several channels in one JVM (the shared channel container): CHANNEL_COUNT=n and, for each channel i
            in 1..n, the variables above prefixed CHANNEL_<i>_ (CHANNEL_1_NAME, CHANNEL_1_TYPE, CHANNEL_1_CONFIG,
            CHANNEL_1_HTTP_PORT, ...), its secrets prefixed the same way or as files in CHANNEL_<i>_SECRETS_DIR
            (polled every CHANNEL_SECRETS_POLL_SECONDS, default 10: a changed Secret restarts that channel alone).
            CLAW_BUS_SOCKET, CHANNEL_HTTP_BIND, the HTTP limits and CHANNEL_STATE_DIR are shared. Each channel
            has its own port; /readyz/channels on any of them is 200 when every channel is ready.

            Secrets, by type: SLACK_APP_TOKEN + SLACK_BOT_TOKEN; DISCORD_BOT_TOKEN; TELEGRAM_BOT_TOKEN
            (+ TELEGRAM_WEBHOOK_SECRET in webhook mode); WEBHOOK_SECRET (+ WEBHOOK_OUTBOUND_SECRET with
            CHANNEL_CONFIG.outboundUrl).

            Each type's CHANNEL_CONFIG keys: docs/channels.md. A configuration error exits with code 2 and
            names the variable or key.
            """;

    /**
     * One logfmt line per record on stderr for the sidecar and every library in it (System.Logger and any library
     * logging through java.util.logging), the secrets of the environment redacted; CLAW_LOG_LEVEL sets the level
     * (default INFO), a {@code java.util.logging.config.file} replaces all of it.
     */
    static void configureLogging(Map<String, String> env) {
        LogfmtFormatter.install(LogfmtFormatter.levelOf(env.getOrDefault("CLAW_LOG_LEVEL", "INFO")), env);
    }

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.print(USAGE);
                return;
            }
            System.err.println("claw-channel-sidecar: unknown argument \"" + arg
                    + "\" (configuration is by environment; see --help)");
            System.exit(2);
            return;
        }
        configureLogging(System.getenv());
        if (ChannelGroup.requested(System.getenv())) {
            runGroup();
            return;
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
        Duration grace =
                Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("CHANNEL_DRAIN_MILLIS", "20000")));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            host.close(grace);
                            stopped.countDown();
                        },
                        "drain"));
        host.start();
        stopped.await();
    }

    private static void runGroup() throws InterruptedException {
        ChannelGroup group;
        try {
            group = ChannelGroup.fromEnvironment(System.getenv());
        } catch (ConfigException e) {
            System.err.println("claw-channel-sidecar: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Duration grace =
                Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("CHANNEL_DRAIN_MILLIS", "20000")));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            group.close(grace);
                            stopped.countDown();
                        },
                        "drain"));
        group.start();
        stopped.await();
    }
}
