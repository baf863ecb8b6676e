package io.k8s4claw.channel.slack;

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
import io.k8s4claw.channel.common.ConfigException;
import io.k8s4claw.channel.common.PlatformChannel;
import io.k8s4claw.channel.common.PlatformException;
import io.k8s4claw.channel.common.PlatformHttp;
import io.k8s4claw.channel.common.PlatformOutbox;
import io.k8s4claw.channel.common.PlatformStatus;
import io.k8s4claw.channel.common.PlatformWebSocket;
import io.k8s4claw.channel.common.RecentIds;
import io.k8s4claw.channel.common.ReplyStreamer;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.PublishException;
import io.k8s4claw.channel.sdk.ReplyHandler;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Slack over Socket Mode.
 *
 * <p>Every connection starts with {@code apps.connections.open} (the URL is single-use). Every envelope
 * is acknowledged on its own socket, as soon as the bridge acked the message (durably stored) or after
 * {@code ackWaitMs} (default 2 s, inside Slack's 3 s) — whichever comes first; a message the bus could
 * not take (buffer full) is left unacked so Slack redelivers it. {@code disconnect} with
 * {@code refresh_requested} or {@code warning} opens the replacement socket first and retires the old one
 * once the new one said hello; {@code link_disabled} stops for good. Messages and app mentions are
 * deduplicated by {@code event_id} and by channel+ts (one post arrives as both); bot messages, our own
 * messages and edits/deletions are ignored. A thread is a conversation thread; a top-level channel
 * message starts one (replies go into its thread).
 *
 * <p>{@code CHANNEL_CONFIG}: {@code apiBaseUrl} (default https://slack.com/api/), {@code streaming}
 * (edit one message while the reply streams; default false), {@code streamEditIntervalMs} (1000),
 * {@code replyInThread} (true), {@code ackWaitMs} (2000), {@code debugReconnects} (false).
 * Secrets: {@code SLACK_APP_TOKEN} (xapp-..., connections:write), {@code SLACK_BOT_TOKEN} (xoxb-..., chat:write).
 */
public final class SlackChannel implements PlatformChannel {
    private static final System.Logger LOG = System.getLogger(SlackChannel.class.getName());
    private static final Set<String> ACCEPTED_SUBTYPES = Set.of("thread_broadcast", "file_share");

    private final String name;
    private final ChannelMetrics metrics;
    private final Secret appToken;
    private final SlackWebApi api;
    private final PlatformHttp http;
    private final Duration pingInterval;
    private final boolean replyInThread;
    private final boolean debugReconnects;
    private final long ackWaitMs;
    private final PlatformStatus status = new PlatformStatus();
    private final RecentIds eventIds = new RecentIds(20_000, TimeUnit.HOURS.toMillis(2));
    private final RecentIds posts = new RecentIds(20_000, TimeUnit.HOURS.toMillis(2));
    private final ApprovalRouter approvals = new ApprovalRouter();
    private final ReplyStreamer streamer;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile BusClient bus;
    private volatile Socket current;
    private volatile boolean closing;
    private volatile String botUserId = "";

    public SlackChannel(String name, ChannelConfig config, ChannelMetrics metrics) {
        this.name = name;
        this.metrics = metrics;
        this.appToken = config.secret(
                "SLACK_APP_TOKEN", "the Slack app-level token (xapp-...) with connections:write, for Socket Mode");
        Secret botToken =
                config.secret("SLACK_BOT_TOKEN", "the Slack bot token (xoxb-...) with chat:write, for replies");
        if (!appToken.reveal().startsWith("xapp-")) {
            throw new ConfigException(
                    "SLACK_APP_TOKEN must be an app-level token starting with xapp- (Socket Mode needs it; a bot "
                            + "token does not work)");
        }
        if (!botToken.reveal().startsWith("xoxb-")) {
            throw new ConfigException("SLACK_BOT_TOKEN must be a bot token starting with xoxb-");
        }
        URI base = config.url("apiBaseUrl", "https://slack.com/api/");
        this.replyInThread = config.bool("replyInThread", true);
        this.debugReconnects = config.bool("debugReconnects", false);
        this.ackWaitMs = config.integer("ackWaitMs", 2000, 0, 2800);
        this.pingInterval = Duration.ofSeconds(config.integer("pingIntervalSeconds", 10, 1, 120));
        this.http = PlatformHttp.create("slack-" + name, Duration.ofSeconds(30));
        this.api = new SlackWebApi(
                http,
                base,
                botToken,
                metrics,
                new SlackMrkdwn.Allow(config.bool("allowLabeledLinks", false), config.bool("allowUserMentions", false)),
                config.string("defaultChannel", ""));
        this.streamer = new ReplyStreamer(
                api,
                metrics,
                status,
                approvals,
                config.bool("streaming", false),
                Duration.ofMillis(config.integer("streamEditIntervalMs", 1000, 100, 60_000)));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "slack-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public ChannelCapabilities capabilities() {
        return PlatformChannel.capabilities(
                4000, ChannelCapabilities.LengthUnit.CHARACTERS, true, false, "slack-mrkdwn");
    }

    @Override
    public ReplyHandler replyHandler() {
        return streamer;
    }

    @Override
    public PlatformStatus status() {
        return status;
    }

    @Override
    public void start(BusClient bus, ChannelHttpServer httpServer) {
        this.bus = bus;
        streamer.attach(bus);
        scheduler.execute(this::authenticateThenConnect);
    }

    private void authenticateThenConnect() {
        try {
            botUserId = api.authTest();
            connect();
        } catch (PlatformException e) {
            if (e.kind() == PlatformException.Kind.AUTH) {
                stopFor("SLACK_BOT_TOKEN was rejected by auth.test (" + e.code()
                        + "); replace the token in the channel's Secret and restart");
            } else {
                retryLater(this::authenticateThenConnect, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Opens a new Socket Mode connection (a replacement when one is live). */
    private void connect() {
        if (closing || status.isFailed() || !connecting.compareAndSet(false, true)) return;
        try {
            String url = api.openConnection(appToken);
            if (debugReconnects) url += (url.contains("?") ? "&" : "?") + "debug_reconnects=true";
            Socket socket = new Socket();
            socket.ws = http.webSocket(URI.create(url), socket, pingInterval, scheduler);
        } catch (PlatformException e) {
            connecting.set(false);
            if (e.kind() == PlatformException.Kind.AUTH) {
                stopFor("SLACK_APP_TOKEN was rejected by apps.connections.open (" + e.code()
                        + "); replace the token in the channel's Secret and restart");
            } else {
                retryLater(this::connect, e);
            }
        } catch (InterruptedException e) {
            connecting.set(false);
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            connecting.set(false);
            LOG.log(
                    Level.WARNING,
                    "slack {0}: opening the socket failed: {1}",
                    name,
                    e.getClass().getSimpleName());
            retryLater(
                    this::connect, PlatformException.transientFailure("bad_url", "could not open the Socket Mode URL"));
        }
    }

    private void retryLater(Runnable what, PlatformException e) {
        if (closing) return;
        long delay = e.kind() == PlatformException.Kind.RATE_LIMITED
                        && !e.retryAfter().isZero()
                ? e.retryAfter().toMillis()
                : backoff.delay(failedAttempts.incrementAndGet()).toMillis();
        if (e.kind() == PlatformException.Kind.RATE_LIMITED) metrics.rateLimitWait();
        metrics.error("connect");
        status.disconnected(e.getMessage());
        LOG.log(Level.WARNING, "slack {0}: {1}; retrying in {2} ms", name, e.getMessage(), String.valueOf(delay));
        scheduler.schedule(what, delay, TimeUnit.MILLISECONDS);
    }

    private void stopFor(String why) {
        status.failed(why);
        metrics.error("auth");
        LOG.log(Level.ERROR, "slack {0}: {1}", name, why);
        Socket s = current;
        if (s != null) s.retire(1000, "stopping");
    }

    /** One Socket Mode WebSocket. */
    private final class Socket implements PlatformWebSocket.Listener {
        volatile PlatformWebSocket ws;
        volatile boolean retired;
        volatile boolean replacementRequested;
        volatile boolean helloSeen;

        void retire(int code, String reason) {
            retired = true;
            PlatformWebSocket w = ws;
            if (w != null) w.close(code, reason);
        }

        @Override
        public void onMessage(PlatformWebSocket webSocket, String text) {
            ws = webSocket; // the first message may come before webSocket() returned
            Json msg;
            try {
                msg = Json.parse(text);
            } catch (Json.ParseException e) {
                metrics.error("bad_frame");
                LOG.log(Level.WARNING, "slack {0}: ignoring a non-JSON Socket Mode frame", name);
                return;
            }
            if (msg.hasNonNull("envelope_id")) {
                handleEnvelope(this, msg);
                return;
            }
            switch (msg.path("type").asText()) {
                case "hello" -> {
                    helloSeen = true;
                    connecting.set(false);
                    failedAttempts.set(0);
                    Socket old = current;
                    current = this;
                    if (old != null && old != this) old.retire(1000, "replaced");
                    status.connected("socket mode connected ("
                            + msg.path("num_connections").asInt(1) + " connection(s), recycled after ~"
                            + msg.path("debug_info")
                                    .path("approximate_connection_time")
                                    .asInt(0) + " s)");
                    LOG.log(Level.INFO, "slack {0}: Socket Mode connected", name);
                }
                case "disconnect" -> {
                    String reason = msg.path("reason").asText("");
                    if ("link_disabled".equals(reason)) {
                        stopFor("Slack disabled Socket Mode for this app (disconnect: link_disabled); enable Socket "
                                + "Mode in the app's settings and restart the sidecar");
                        retire(1000, "link disabled");
                        return;
                    }
                    // refresh_requested, warning, or anything new: open the replacement before this one closes.
                    if (!replacementRequested) {
                        replacementRequested = true;
                        LOG.log(
                                Level.INFO,
                                "slack {0}: disconnect ({1}); opening the replacement connection first",
                                name,
                                reason);
                        scheduler.execute(SlackChannel.this::connect);
                    }
                }
                default ->
                    LOG.log(
                            Level.DEBUG,
                            "slack {0}: ignoring Socket Mode message type {1}",
                            name,
                            msg.path("type").asText());
            }
        }

        @Override
        public void onClosing(PlatformWebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
            ended("closed by Slack (" + code + ")");
        }

        @Override
        public void onFailure(PlatformWebSocket webSocket, Throwable t, int httpStatus) {
            String why = httpStatus > 0
                    ? "WebSocket refused with HTTP " + httpStatus + " (stale single-use URL?)"
                    : "WebSocket failed: " + t.getClass().getSimpleName();
            ended(why);
        }

        private void ended(String why) {
            if (!helloSeen) connecting.set(false); // this was the attempt in progress
            if (retired || closing || status.isFailed()) return;
            retired = true;
            if (current == this) current = null;
            if (connecting.get() || current != null) return; // a replacement is opening, or a newer socket is live
            metrics.error("disconnect");
            status.disconnected(why);
            long delay = backoff.delay(failedAttempts.incrementAndGet()).toMillis();
            LOG.log(Level.WARNING, "slack {0}: {1}; reconnecting in {2} ms", name, why, String.valueOf(delay));
            scheduler.schedule(SlackChannel.this::connect, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void handleEnvelope(Socket socket, Json envelope) {
        String envelopeId = envelope.path("envelope_id").asText();
        AtomicBoolean acked = new AtomicBoolean();
        Runnable ack = () -> {
            if (acked.compareAndSet(false, true)) socket.ws.send("{\"envelope_id\":" + Json.quote(envelopeId) + "}");
        };
        if (!"events_api".equals(envelope.path("type").asText())) {
            metrics.ignored("envelope_" + envelope.path("type").asText("unknown"));
            ack.run();
            return;
        }
        Json payload = envelope.path("payload");
        Json event = payload.path("event");
        String eventId = payload.path("event_id").asText("");
        String type = event.path("type").asText("");
        if (!type.equals("message") && !type.equals("app_mention")) {
            metrics.ignored("event_" + type);
            ack.run();
            return;
        }
        String subtype = event.path("subtype").asText("");
        if (!subtype.isEmpty() && !ACCEPTED_SUBTYPES.contains(subtype)) {
            metrics.ignored(subtype.equals("bot_message") ? "bot_message" : "subtype"); // edits, deletions, joins ...
            ack.run();
            return;
        }
        String user = event.path("user").asText("");
        if (event.hasNonNull("bot_id") || (!botUserId.isEmpty() && botUserId.equals(user)) || user.isEmpty()) {
            metrics.ignored("bot_message");
            ack.run();
            return;
        }
        if (eventId.isEmpty() || !eventIds.firstTime(eventId)) {
            metrics.dedupe();
            ack.run();
            return;
        }
        String channel = event.path("channel").asText("");
        String ts = event.path("ts").asText("");
        String postKey = channel + ":" + ts;
        if (!posts.firstTime(postKey)) {
            metrics.dedupe(); // app_mention and message for the same post
            ack.run();
            return;
        }
        String channelType = event.path("channel_type").asText(type.equals("app_mention") ? "channel" : "");
        String threadTs = event.path("thread_ts").asText("");
        String threadId = !threadTs.isEmpty() ? threadTs : (replyInThread && !"im".equals(channelType) ? ts : "");
        String text = stripMention(event.path("text").asText(""));
        Sender sender = Sender.newBuilder().setId(user).build();
        metrics.eventIn();

        var answer = approvals.answer(channel, threadId, text, sender);
        if (answer.isPresent()) {
            var a = answer.get();
            bus.answerApproval(a.streamId(), a.approvalId(), a.choice(), a.sender());
            ack.run();
            return;
        }
        UserMessage message = UserMessage.newBuilder()
                .setMessageId(eventId)
                .setConversationId(channel)
                .setThreadId(threadId)
                .setSender(sender)
                .setText(text)
                .setPlatformMessageId(ts)
                .setChatType(
                        switch (channelType) {
                            case "im" -> ChatType.DIRECT;
                            case "mpim", "group" -> ChatType.GROUP;
                            default -> ChatType.CHANNEL;
                        })
                .putMetadata("team_id", payload.path("team_id").asText(""))
                .putMetadata("channel_type", channelType)
                .putMetadata("event_type", type)
                .setSentAtUnixMs(tsMillis(ts))
                .build();
        ScheduledFuture<?> deadline = scheduler.schedule(ack, ackWaitMs, TimeUnit.MILLISECONDS);
        bus.publish(message).whenComplete((ok, err) -> {
            if (err == null) {
                deadline.cancel(false);
                ack.run();
                return;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            metrics.error("publish");
            if (cause instanceof PublishException pe && !pe.retryable()) {
                deadline.cancel(false);
                ack.run(); // redelivery cannot help
                LOG.log(Level.WARNING, "slack {0}: bridge refused event {1}: {2}", name, eventId, pe.getMessage());
                if (!pe.userVisibleText().isEmpty()) {
                    scheduler.execute(() -> {
                        try {
                            api.post(
                                    new PlatformOutbox.Target(channel, threadId, ts),
                                    pe.userVisibleText(),
                                    false,
                                    "nack:" + eventId);
                        } catch (PlatformException e) {
                            LOG.log(Level.WARNING, "slack {0}: could not tell the user: {1}", name, e.getMessage());
                        }
                    });
                }
            } else if (!acked.get()) {
                // Not acked yet: leave it unacked so Slack redelivers it, and let the redelivery through.
                deadline.cancel(false);
                eventIds.forget(eventId);
                posts.forget(postKey);
                LOG.log(
                        Level.WARNING,
                        "slack {0}: bus could not take event {1} ({2}); leaving it to Slack's redelivery",
                        name,
                        eventId,
                        cause.getMessage());
            } else {
                LOG.log(
                        Level.ERROR,
                        "slack {0}: event {1} was acked to Slack but the bus failed it: {2}",
                        name,
                        eventId,
                        cause.getMessage());
            }
        });
    }

    private String stripMention(String text) {
        if (!botUserId.isEmpty()) {
            String mention = "<@" + botUserId + ">";
            if (text.startsWith(mention))
                return text.substring(mention.length()).stripLeading();
        }
        return text;
    }

    private static long tsMillis(String ts) {
        try {
            return new BigDecimal(ts).movePointRight(3).longValue();
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close(Duration grace) {
        closing = true;
        Socket s = current;
        if (s != null) s.retire(1000, "sidecar shutting down");
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
    }
}
