package io.k8s4claw.channel;

import io.k8s4claw.channel.common.ChannelConfig;
import io.k8s4claw.channel.common.ChannelHttpServer;
import io.k8s4claw.channel.common.ChannelMetrics;
import io.k8s4claw.channel.common.ConfigException;
import io.k8s4claw.channel.common.PlatformChannel;
import io.k8s4claw.channel.discord.DiscordChannel;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.slack.SlackChannel;
import io.k8s4claw.channel.telegram.TelegramChannel;
import io.k8s4claw.channel.webhook.WebhookChannel;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Hosts one channel sidecar: reads the environment the operator renders, starts the HTTP port
 * (health, readiness, metrics, inbound webhooks), the bus client and the platform named by
 * {@code CHANNEL_TYPE}; {@link #close} drains them in the reverse order.
 *
 * <p>Environment: {@code CHANNEL_NAME}, {@code CHANNEL_TYPE} (slack|discord|telegram|webhook),
 * {@code CHANNEL_CONFIG} (JSON), {@code CLAW_BUS_SOCKET} (default /var/run/claw/bus.sock),
 * {@code CHANNEL_HTTP_PORT} (default 8081), {@code CHANNEL_HTTP_BIND} (default 0.0.0.0),
 * {@code CHANNEL_HTTP_REQUEST_TIMEOUT_SECONDS} (10), {@code CHANNEL_HTTP_MAX_CONNECTIONS} (256),
 * {@code CHANNEL_STATE_DIR} (where the handled replies are recorded; none: in memory only), and the
 * platform's secrets ({@code SLACK_APP_TOKEN}, {@code SLACK_BOT_TOKEN}, {@code DISCORD_BOT_TOKEN},
 * {@code TELEGRAM_BOT_TOKEN}, {@code WEBHOOK_SECRET}, {@code WEBHOOK_OUTBOUND_SECRET}).
 */
public final class ChannelHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChannelHost.class.getName());
    public static final String VERSION = "0.1.0";

    private final String name;
    private final String type;
    private final ChannelMetrics metrics;
    private final ChannelHttpServer http;
    private final PlatformChannel platform;
    private final BusClient bus;

    private ChannelHost(
            String name,
            String type,
            ChannelMetrics metrics,
            ChannelHttpServer http,
            PlatformChannel platform,
            BusClient bus) {
        this.name = name;
        this.type = type;
        this.metrics = metrics;
        this.http = http;
        this.platform = platform;
        this.bus = bus;
    }

    /** Builds (does not start) the sidecar from an environment; throws {@link ConfigException} naming what is wrong. */
    public static ChannelHost fromEnvironment(Map<String, String> env) throws IOException {
        String name = required(env, "CHANNEL_NAME", "the ClawChannel's name");
        String type = required(env, "CHANNEL_TYPE", "slack, discord, telegram or webhook")
                .toLowerCase(Locale.ROOT);
        ChannelConfig config = ChannelConfig.from(env.get("CHANNEL_CONFIG"), env);
        Path socket = Path.of(env.getOrDefault("CLAW_BUS_SOCKET", "/var/run/claw/bus.sock"));
        int port;
        try {
            port = Integer.parseInt(
                    env.getOrDefault("CHANNEL_HTTP_PORT", "8081").trim());
            if (port < 0 || port > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    "CHANNEL_HTTP_PORT must be a port number (0-65535), got \"" + env.get("CHANNEL_HTTP_PORT") + "\"");
        }
        ChannelHttpServer.Limits limits = new ChannelHttpServer.Limits(
                intEnv(
                        env,
                        "CHANNEL_HTTP_REQUEST_TIMEOUT_SECONDS",
                        ChannelHttpServer.Limits.DEFAULT.requestTimeoutSeconds(),
                        1,
                        3600),
                intEnv(
                        env,
                        "CHANNEL_HTTP_MAX_CONNECTIONS",
                        ChannelHttpServer.Limits.DEFAULT.maxConnections(),
                        1,
                        100_000));
        ChannelMetrics metrics = new ChannelMetrics(name, type);
        PlatformChannel platform = switch (type) {
            case "slack" -> new SlackChannel(name, config, metrics);
            case "discord" -> new DiscordChannel(name, config, metrics);
            case "telegram" -> new TelegramChannel(name, config, metrics);
            case "webhook" -> new WebhookChannel(name, config, metrics);
            default ->
                throw new ConfigException("CHANNEL_TYPE \"" + type
                        + "\" is not supported by this sidecar; use slack, discord, telegram or webhook");
        };
        int busBufferSize = (int) config.integer("busBufferSize", 1024, 1, 1_000_000);
        config.refuseUnknownKeys(type);
        Path replyLedger = null;
        String stateDir = env.get("CHANNEL_STATE_DIR");
        if (stateDir != null && !stateDir.isBlank()) {
            try {
                replyLedger = Files.createDirectories(Path.of(stateDir.trim())).resolve(name + ".replies");
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(
                        "CHANNEL_STATE_DIR \"" + stateDir + "\" is not a writable directory: " + e.getMessage());
            }
        }
        BusClient bus = BusClient.builder()
                .socketPath(socket)
                .channel(name, type)
                .instanceId(env.getOrDefault("HOSTNAME", "local") + "/" + name + "/"
                        + ProcessHandle.current().pid())
                .sidecarVersion(VERSION)
                .capabilities(platform.capabilities())
                .replyHandler(platform.replyHandler())
                .bufferCapacity(busBufferSize)
                .replyLedgerFile(replyLedger)
                .build();
        ChannelHttpServer http = new ChannelHttpServer(
                env.getOrDefault("CHANNEL_HTTP_BIND", "0.0.0.0"),
                port,
                limits,
                metrics,
                () -> readiness(platform, bus));
        metrics.connectionGauges(() -> platform.status().isConnected(), bus::isConnected);
        return new ChannelHost(name, type, metrics, http, platform, bus);
    }

    private static ChannelHttpServer.Readiness readiness(PlatformChannel platform, BusClient bus) {
        boolean busUp = bus.isConnected();
        boolean platformUp = platform.status().isConnected();
        String detail = "platform " + platform.status().state().name().toLowerCase(Locale.ROOT) + " ("
                + platform.status().detail() + "); bus " + bus.state().name().toLowerCase(Locale.ROOT);
        return new ChannelHttpServer.Readiness(busUp && platformUp, detail);
    }

    /** What {@code /readyz} answers now: connected to the platform and registered with the bridge. */
    public ChannelHttpServer.Readiness readiness() {
        return readiness(platform, bus);
    }

    /** The channel's own HTTP port (health, readiness, metrics, inbound routes). */
    public ChannelHttpServer http() {
        return http;
    }

    private static int intEnv(Map<String, String> env, String key, int defaultValue, int min, int max) {
        String v = env.get(key);
        if (v == null || v.isBlank()) return defaultValue;
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    key + " must be an integer between " + min + " and " + max + ", got \"" + v + "\"");
        }
    }

    private static String required(Map<String, String> env, String key, String what) {
        String v = env.get(key);
        if (v == null || v.isBlank())
            throw new ConfigException("environment variable " + key + " is missing (" + what + ")");
        return v.trim();
    }

    public void start() {
        http.start();
        bus.start();
        platform.start(bus, http);
        LOG.log(
                Level.INFO,
                "channel sidecar {0} ({1}) started; HTTP on port {2}",
                name,
                type,
                String.valueOf(http.port()));
    }

    public int httpPort() {
        return http.port();
    }

    public BusClient bus() {
        return bus;
    }

    public PlatformChannel platform() {
        return platform;
    }

    public ChannelMetrics metrics() {
        return metrics;
    }

    /** Graceful drain: stop platform intake, let in-flight messages be acked and replies finish, then close. */
    public void close(Duration grace) {
        long half = Math.max(1, grace.toMillis() / 2);
        platform.close(Duration.ofMillis(half));
        bus.close(Duration.ofMillis(half));
        http.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
