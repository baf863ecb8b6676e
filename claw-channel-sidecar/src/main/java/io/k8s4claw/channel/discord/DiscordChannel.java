package io.k8s4claw.channel.discord;

import io.k8s4claw.api.bus.v1.Attachment;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.api.json.Json;
import io.k8s4claw.api.retry.Backoff;
import io.k8s4claw.channel.common.ApprovalRouter;
import io.k8s4claw.channel.common.ChannelConfig;
import io.k8s4claw.channel.common.ChannelHttpServer;
import io.k8s4claw.channel.common.ChannelMetrics;
import io.k8s4claw.channel.common.PlatformChannel;
import io.k8s4claw.channel.common.PlatformException;
import io.k8s4claw.channel.common.PlatformHttp;
import io.k8s4claw.channel.common.PlatformStatus;
import io.k8s4claw.channel.common.PlatformWebSocket;
import io.k8s4claw.channel.common.RecentIds;
import io.k8s4claw.channel.common.ReplyStreamer;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.ReplyHandler;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Discord over Gateway v10 (JSON) for events, REST for replies.
 *
 * <p>Connection: {@code GET /gateway/bot} (cached URL, identify budget), Hello → first heartbeat after
 * {@code interval × random[0,1]}, then every interval with the last sequence; a heartbeat due while the
 * previous one has no ACK means a zombie connection: close with 4000 (keeps the session) and resume.
 * Identify sends the intents (default GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES and the privileged
 * MESSAGE_CONTENT); READY's {@code session_id} and {@code resume_gateway_url} are cached and every
 * reconnect that can resume does (op 6 to {@code resume_gateway_url}), so missed events are replayed
 * (deduplicated by message id). op 7 → resume; op 9 → resume ({@code d:true}) or re-identify after a
 * random 1–5 s; close 4007/4009 → re-identify; close 4004, 4010–4014 → stop (the status says what to
 * fix). Identifies are counted ({@code claw_channel_errors_total{kind="identify"}} is not used for that:
 * the count is in the status detail) to prefer resume.
 *
 * <p>{@code CHANNEL_CONFIG}: {@code apiBaseUrl} (https://discord.com/api/v10/), {@code intents}
 * (37377), {@code streaming} (false), {@code streamEditIntervalMs} (1500), {@code invalidSessionDelayMinMs}
 * / {@code invalidSessionDelayMaxMs} (1000/5000). Secret: {@code DISCORD_BOT_TOKEN}.
 */
public final class DiscordChannel implements PlatformChannel {
    private static final System.Logger LOG = System.getLogger(DiscordChannel.class.getName());
    public static final int GUILDS = 1;
    public static final int GUILD_MESSAGES = 1 << 9;
    public static final int DIRECT_MESSAGES = 1 << 12;
    public static final int MESSAGE_CONTENT = 1 << 15;
    private static final Map<Integer, String> TERMINAL_CLOSE = Map.of(
            4004,
                    "authentication failed: DISCORD_BOT_TOKEN is invalid or was reset; put a valid token in the "
                            + "channel's Secret",
            4010, "invalid shard sent in identify",
            4011, "sharding required: this bot is in too many guilds for one connection",
            4012, "invalid gateway API version",
            4013, "invalid intents in identify; check CHANNEL_CONFIG.intents",
            4014,
                    "disallowed intents: enable the privileged MESSAGE_CONTENT intent for the bot in the Discord "
                            + "Developer Portal (or remove it from CHANNEL_CONFIG.intents)");

    private final String name;
    private final ChannelMetrics metrics;
    private final Secret token;
    private final DiscordRest rest;
    private final PlatformHttp http;
    private final int intents;
    private final long invalidSessionMinMs;
    private final long invalidSessionMaxMs;
    private final PlatformStatus status = new PlatformStatus();
    private final RecentIds messageIds = new RecentIds(20_000, TimeUnit.HOURS.toMillis(2));
    private final ApprovalRouter approvals = new ApprovalRouter();
    private final ReplyStreamer streamer;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(60));
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final AtomicInteger identifies = new AtomicInteger();
    private volatile BusClient bus;
    private volatile boolean closing;
    // session state (guarded by this)
    private String gatewayUrl;
    private String sessionId;
    private String resumeUrl;
    private Long lastSeq;
    private String botUserId = "";
    private Connection current;

    public DiscordChannel(String name, ChannelConfig config, ChannelMetrics metrics) {
        this.name = name;
        this.metrics = metrics;
        this.token = config.secret(
                "DISCORD_BOT_TOKEN", "the Discord bot token (Bot tab of the application in the Developer Portal)");
        URI base = config.url("apiBaseUrl", "https://discord.com/api/v10/");
        this.intents = (int) config.integer(
                "intents", GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT, 0, (1 << 26) - 1);
        this.invalidSessionMinMs = config.integer("invalidSessionDelayMinMs", 1000, 0, 60_000);
        this.invalidSessionMaxMs =
                Math.max(invalidSessionMinMs, config.integer("invalidSessionDelayMaxMs", 5000, 0, 60_000));
        this.http = PlatformHttp.create("discord-" + name, Duration.ofSeconds(30));
        this.rest = new DiscordRest(http, base, token, metrics);
        this.streamer = new ReplyStreamer(
                rest,
                metrics,
                status,
                approvals,
                config.bool("streaming", false),
                Duration.ofMillis(config.integer("streamEditIntervalMs", 1500, 100, 60_000)));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "discord-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public ChannelCapabilities capabilities() {
        return PlatformChannel.capabilities(2000, ChannelCapabilities.LengthUnit.CHARACTERS, true, true, "discord");
    }

    @Override
    public ReplyHandler replyHandler() {
        return streamer;
    }

    @Override
    public PlatformStatus status() {
        return status;
    }

    /** Identify calls made so far (each costs from the 1000/day budget; resumes do not). */
    public int identifyCount() {
        return identifies.get();
    }

    @Override
    public void start(BusClient bus, ChannelHttpServer httpServer) {
        this.bus = bus;
        streamer.attach(bus);
        scheduler.execute(this::connect);
    }

    private void connect() {
        if (closing || status.isFailed()) return;
        String url;
        boolean resume;
        synchronized (this) {
            resume = sessionId != null && resumeUrl != null;
            url = resume ? resumeUrl : gatewayUrl;
        }
        if (url == null) {
            try {
                Json gw = rest.gatewayBot();
                Json limit = gw.path("session_start_limit");
                if (limit.has("remaining") && limit.path("remaining").asInt() == 0) {
                    long wait = limit.path("reset_after").asLong(60_000);
                    status.disconnected(
                            "identify budget exhausted; waiting " + wait + " ms for session_start_limit reset");
                    LOG.log(
                            Level.WARNING,
                            "discord {0}: identify budget exhausted, waiting {1} ms",
                            name,
                            String.valueOf(wait));
                    scheduler.schedule(this::connect, wait, TimeUnit.MILLISECONDS);
                    return;
                }
                url = gw.path("url").asText();
                synchronized (this) {
                    gatewayUrl = url;
                }
            } catch (PlatformException e) {
                if (e.kind() == PlatformException.Kind.AUTH) {
                    stopFor("GET /gateway/bot refused DISCORD_BOT_TOKEN (401); put a valid token in the channel's "
                            + "Secret and restart");
                    return;
                }
                long delay = e.kind() == PlatformException.Kind.RATE_LIMITED
                        ? e.retryAfter().toMillis()
                        : backoff.delay(failedAttempts.incrementAndGet()).toMillis();
                status.disconnected(e.getMessage());
                scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
                return;
            }
        }
        String full = url.contains("?") ? url : url + "?v=10&encoding=json";
        Connection c = new Connection(resume);
        synchronized (this) {
            current = c;
        }
        try {
            c.ws = http.webSocket(URI.create(full), c, Duration.ZERO, null); // Discord's heartbeat finds zombies
        } catch (IllegalArgumentException e) {
            stopFor("the gateway URL is not usable: " + e.getMessage());
        }
    }

    private void stopFor(String why) {
        status.failed(why);
        metrics.error("terminal");
        LOG.log(Level.ERROR, "discord {0}: stopped: {1}", name, why);
    }

    private void reconnectLater(long delayMs) {
        if (closing || status.isFailed()) return;
        scheduler.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
    }

    private long invalidSessionDelay() {
        return invalidSessionMinMs
                + ThreadLocalRandom.current().nextLong(invalidSessionMaxMs - invalidSessionMinMs + 1);
    }

    /** One gateway WebSocket. */
    private final class Connection implements PlatformWebSocket.Listener {
        final boolean resuming;
        volatile PlatformWebSocket ws;
        volatile boolean ended;
        volatile boolean ackReceived = true;
        ScheduledFuture<?> heartbeat;

        Connection(boolean resuming) {
            this.resuming = resuming;
        }

        private boolean stale() {
            synchronized (DiscordChannel.this) {
                return current != this;
            }
        }

        @Override
        public void onMessage(PlatformWebSocket webSocket, String text) {
            ws = webSocket; // the first message may come before webSocket() returned
            if (stale()) return;
            Json p;
            try {
                p = Json.parse(text);
            } catch (Json.ParseException e) {
                metrics.error("bad_frame");
                return;
            }
            int op = p.path("op").asInt(-1);
            switch (op) {
                case 10 -> hello(p.path("d").path("heartbeat_interval").asLong(41_250));
                case 11 -> ackReceived = true;
                case 1 -> sendHeartbeat();
                case 7 -> {
                    LOG.log(Level.INFO, "discord {0}: gateway asked to reconnect (op 7); resuming", name);
                    end(4000, "reconnect requested", 0);
                }
                case 9 -> {
                    boolean resumable = p.path("d").asBoolean(false);
                    if (!resumable) {
                        synchronized (DiscordChannel.this) {
                            sessionId = null;
                            resumeUrl = null;
                            lastSeq = null;
                        }
                    }
                    LOG.log(Level.INFO, "discord {0}: invalid session (resumable={1})", name, resumable);
                    end(4000, "invalid session", invalidSessionDelay());
                }
                case 0 -> dispatch(p);
                default -> LOG.log(Level.DEBUG, "discord {0}: ignoring gateway op {1}", name, op);
            }
        }

        private void hello(long intervalMs) {
            long first = (long) (intervalMs * ThreadLocalRandom.current().nextDouble());
            heartbeat = scheduler.scheduleAtFixedRate(this::heartbeatTick, first, intervalMs, TimeUnit.MILLISECONDS);
            Json d = Json.object();
            String sid;
            Long seq;
            synchronized (DiscordChannel.this) {
                sid = sessionId;
                seq = lastSeq;
            }
            if (resuming && sid != null) {
                d.put("token", token.reveal()).put("session_id", sid);
                if (seq == null) d.putNull("seq");
                else d.put("seq", seq);
                send(6, d);
            } else {
                identifies.incrementAndGet();
                d.put("token", token.reveal()).put("intents", intents);
                d.putObject("properties")
                        .put("os", "linux")
                        .put("browser", "k8s4claw")
                        .put("device", "k8s4claw");
                send(2, d);
            }
        }

        private void heartbeatTick() {
            if (ended) return;
            if (!ackReceived) {
                // No ACK since the last heartbeat: zombie connection. Close with a non-1000 code to keep the session.
                LOG.log(Level.WARNING, "discord {0}: no heartbeat ACK; reconnecting and resuming", name);
                metrics.error("zombie");
                end(4000, "heartbeat ack missing", 0);
                return;
            }
            sendHeartbeat();
        }

        private void sendHeartbeat() {
            ackReceived = false;
            Long seq;
            synchronized (DiscordChannel.this) {
                seq = lastSeq;
            }
            Json p = Json.object().put("op", 1);
            if (seq == null) p.putNull("d");
            else p.put("d", seq);
            ws.send(p.toString());
        }

        private void send(int op, Json d) {
            Json p = Json.object().put("op", op);
            p.set("d", d);
            ws.send(p.toString());
        }

        private void dispatch(Json p) {
            if (p.hasNonNull("s")) {
                synchronized (DiscordChannel.this) {
                    lastSeq = p.path("s").asLong();
                }
            }
            String t = p.path("t").asText("");
            Json d = p.path("d");
            switch (t) {
                case "READY" -> {
                    synchronized (DiscordChannel.this) {
                        sessionId = d.path("session_id").asText();
                        resumeUrl = d.path("resume_gateway_url").asText(null);
                        botUserId = d.path("user").path("id").asText("");
                    }
                    failedAttempts.set(0);
                    status.connected("gateway ready (identifies so far: " + identifies.get() + ")");
                    LOG.log(Level.INFO, "discord {0}: gateway READY", name);
                }
                case "RESUMED" -> {
                    failedAttempts.set(0);
                    status.connected("gateway resumed (identifies so far: " + identifies.get() + ")");
                    LOG.log(Level.INFO, "discord {0}: gateway session resumed", name);
                }
                case "MESSAGE_CREATE" -> messageCreate(d);
                default -> {}
            }
        }

        void end(int code, String reason, long reconnectDelayMs) {
            if (ended) return;
            ended = true;
            if (heartbeat != null) heartbeat.cancel(false);
            ws.close(code, reason);
            ws.cancel();
            status.disconnected(reason);
            reconnectLater(reconnectDelayMs);
        }

        @Override
        public void onClosing(PlatformWebSocket webSocket, int code, String reason) {
            closedWith(webSocket, code, reason);
        }

        @Override
        public void onFailure(PlatformWebSocket webSocket, Throwable t, int httpStatus) {
            closedWith(
                    webSocket,
                    -1,
                    httpStatus > 0 ? "HTTP " + httpStatus : t.getClass().getSimpleName());
        }

        // The socket comes from the callback: a connection that fails at once calls back before webSocket() has
        // returned and the field `ws` is set (a null there was a flaky NullPointerException).
        private void closedWith(PlatformWebSocket socket, int code, String reason) {
            if (ended) return;
            ended = true;
            if (heartbeat != null) heartbeat.cancel(false);
            socket.cancel();
            if (closing || stale()) return;
            String terminal = TERMINAL_CLOSE.get(code);
            if (terminal != null) {
                stopFor("gateway closed with " + code + ": " + terminal);
                return;
            }
            if (code == 4007 || code == 4009) {
                synchronized (DiscordChannel.this) {
                    sessionId = null;
                    resumeUrl = null;
                    lastSeq = null;
                }
            }
            metrics.error("disconnect");
            long delay = backoff.delay(failedAttempts.incrementAndGet()).toMillis();
            status.disconnected("gateway closed (" + code + " " + reason + ")");
            LOG.log(
                    Level.WARNING,
                    "discord {0}: gateway closed ({1} {2}); reconnecting in {3} ms",
                    name,
                    String.valueOf(code),
                    reason,
                    String.valueOf(delay));
            reconnectLater(delay);
        }
    }

    private void messageCreate(Json d) {
        String id = d.path("id").asText("");
        Json author = d.path("author");
        String authorId = author.path("id").asText("");
        String bot;
        synchronized (this) {
            bot = botUserId;
        }
        if (author.path("bot").asBoolean(false) || authorId.equals(bot) || d.hasNonNull("webhook_id")) {
            metrics.ignored("bot_message");
            return;
        }
        int type = d.path("type").asInt(0);
        if (type != 0 && type != 19) {
            metrics.ignored("message_type");
            return;
        }
        if (!messageIds.firstTime(id)) {
            metrics.dedupe(); // replayed after a resume, or delivered twice
            return;
        }
        String content = d.path("content").asText("");
        if (content.isBlank() && d.path("attachments").isEmpty()) {
            metrics.ignored("empty_content"); // without MESSAGE_CONTENT, guild messages arrive empty
            return;
        }
        if (!bot.isEmpty())
            content = content.replace("<@" + bot + ">", "")
                    .replace("<@!" + bot + ">", "")
                    .strip();
        String channelId = d.path("channel_id").asText();
        boolean guild = d.hasNonNull("guild_id");
        Sender sender = Sender.newBuilder()
                .setId(authorId)
                .setDisplayName(author.path("global_name")
                        .asText(author.path("username").asText("")))
                .build();
        metrics.eventIn();
        var answer = approvals.answer(channelId, "", content, sender);
        if (answer.isPresent()) {
            var a = answer.get();
            bus.answerApproval(a.streamId(), a.approvalId(), a.choice(), a.sender());
            return;
        }
        UserMessage.Builder m = UserMessage.newBuilder()
                .setMessageId(id)
                .setConversationId(channelId)
                .setSender(sender)
                .setText(content)
                .setPlatformMessageId(id)
                .setChatType(guild ? ChatType.CHANNEL : ChatType.DIRECT)
                .setSentAtUnixMs(parseTime(d.path("timestamp").asText("")));
        if (guild) m.putMetadata("guild_id", d.path("guild_id").asText());
        for (Json att : d.path("attachments")) {
            m.addAttachments(Attachment.newBuilder()
                    .setName(att.path("filename").asText(""))
                    .setMimeType(att.path("content_type").asText(""))
                    .setSizeBytes(att.path("size").asLong(0))
                    .setRef(att.path("url").asText("")));
        }
        bus.publish(m.build()).whenComplete((ok, err) -> {
            if (err != null) {
                metrics.error("publish");
                LOG.log(
                        Level.ERROR,
                        "discord {0}: message {1} could not be handed to the bridge: {2}",
                        name,
                        id,
                        err.getMessage());
            }
        });
    }

    private static long parseTime(String iso) {
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (RuntimeException e) {
            return System.currentTimeMillis();
        }
    }

    @Override
    public void close(Duration grace) {
        closing = true;
        Connection c;
        synchronized (this) {
            c = current;
        }
        // 1000 would invalidate the session and show the bot offline; a restart should resume.
        if (c != null && c.ws != null) c.ws.close(4000, "sidecar restarting");
        scheduler.shutdownNow();
        http.close();
    }
}
