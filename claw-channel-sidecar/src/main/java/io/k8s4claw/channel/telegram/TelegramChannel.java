package io.k8s4claw.channel.telegram;

import com.sun.net.httpserver.HttpExchange;
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
import io.k8s4claw.channel.common.PlatformStatus;
import io.k8s4claw.channel.common.RecentIds;
import io.k8s4claw.channel.common.ReplyStreamer;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.PublishException;
import io.k8s4claw.channel.sdk.ReplyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Telegram via the Bot API.
 *
 * <p><b>Long polling</b> (default): {@code getUpdates} with {@code timeout} (HTTP read timeout above it), except
 * the first poll after start or a failure, which asks for no wait so that {@code /readyz} turns ready as soon as
 * Telegram answers (a long poll answers only when a message comes or after the timeout);
 * the updates of a batch are published to the bus and the {@code offset} (which confirms, i.e. deletes,
 * updates on Telegram's side) is advanced only once the bridge acked all of them. So a crash or a bridge
 * outage leads to redelivery (absorbed by the bridge by message id = {@code update_id}), never to loss.
 * {@code 409 Conflict} (a second poller or an active webhook) is reported in {@code /readyz} with what
 * to do, and polling retries with backoff. 401/404 stop for good (bad token).
 *
 * <p><b>Webhook mode</b> ({@code mode: "webhook"}): Telegram POSTs updates to {@code webhookPath} on
 * {@code CHANNEL_HTTP_PORT}; the {@code X-Telegram-Bot-Api-Secret-Token} header must equal
 * {@code TELEGRAM_WEBHOOK_SECRET} (constant-time; else 401, nothing processed); 200 only after the bridge
 * acked (so Telegram retries otherwise); duplicates by {@code update_id} are answered 200 without
 * re-publishing. With {@code webhookUrl} set, {@code setWebhook} is called at start with the secret.
 *
 * <p>Bot messages ({@code from.is_bot}) are ignored. Chat ids are 64-bit. {@code CHANNEL_CONFIG}:
 * {@code apiBaseUrl} (https://api.telegram.org/), {@code mode}, {@code pollTimeoutSeconds} (25),
 * {@code webhookPath} (/telegram), {@code webhookUrl}, {@code markdown} (true: MarkdownV2 with plain
 * fallback), {@code streaming} (false). Secrets: {@code TELEGRAM_BOT_TOKEN}, {@code TELEGRAM_WEBHOOK_SECRET}.
 */
public final class TelegramChannel implements PlatformChannel {
    private static final System.Logger LOG = System.getLogger(TelegramChannel.class.getName());

    private final String name;
    private final ChannelMetrics metrics;
    private final TelegramApi api;
    private final PlatformHttp http;
    private final boolean webhookMode;
    private final int pollTimeoutSeconds;
    private final String webhookPath;
    private final String webhookUrl;
    private final Secret webhookSecret;
    private final PlatformStatus status = new PlatformStatus();
    private final RecentIds updateIds = new RecentIds(20_000, TimeUnit.HOURS.toMillis(25));
    private final ApprovalRouter approvals = new ApprovalRouter();
    private final ReplyStreamer streamer;
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile BusClient bus;
    private volatile boolean closing;
    private volatile Thread poller;
    private volatile long offset;

    public TelegramChannel(String name, ChannelConfig config, ChannelMetrics metrics) {
        this.name = name;
        this.metrics = metrics;
        Secret token = config.secret("TELEGRAM_BOT_TOKEN", "the bot token from @BotFather");
        String mode = config.string("mode", "polling");
        if (!mode.equals("polling") && !mode.equals("webhook")) {
            throw new ConfigException("CHANNEL_CONFIG.mode must be \"polling\" or \"webhook\", got \"" + mode + "\"");
        }
        this.webhookMode = mode.equals("webhook");
        this.pollTimeoutSeconds = (int) config.integer("pollTimeoutSeconds", 25, 0, 50);
        this.webhookPath = config.string("webhookPath", "/telegram");
        this.webhookUrl = config.string("webhookUrl", null);
        this.webhookSecret = webhookMode
                ? config.secret(
                        "TELEGRAM_WEBHOOK_SECRET",
                        "the secret_token Telegram echoes in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Za-z0-9_-)")
                : null;
        if (webhookSecret != null && !webhookSecret.reveal().matches("[A-Za-z0-9_-]{1,256}")) {
            throw new ConfigException("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -");
        }
        this.http = PlatformHttp.create("telegram-" + name, Duration.ofSeconds(40));
        this.api = new TelegramApi(
                http, config.url("apiBaseUrl", "https://api.telegram.org/"), token, config.bool("markdown", true));
        this.streamer = new ReplyStreamer(
                api,
                metrics,
                status,
                approvals,
                config.bool("streaming", false),
                Duration.ofMillis(config.integer("streamEditIntervalMs", 1500, 100, 60_000)));
    }

    @Override
    public ChannelCapabilities capabilities() {
        return PlatformChannel.capabilities(
                4096, ChannelCapabilities.LengthUnit.UTF16_UNITS, true, true, "telegram-markdownv2");
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
    public void start(BusClient bus, ChannelHttpServer server) {
        this.bus = bus;
        streamer.attach(bus);
        if (webhookMode) {
            server.route(webhookPath, this::webhook);
            Thread.ofVirtual().name("telegram-setwebhook-" + name).start(this::registerWebhook);
        } else {
            poller = Thread.ofPlatform()
                    .daemon(true)
                    .name("telegram-poll-" + name)
                    .start(this::pollLoop);
        }
    }

    // ------------------------------------------------------------------ polling

    private void pollLoop() {
        int failures = 0;
        boolean polling = false;
        while (!closing && !status.isFailed()) {
            try {
                // Until Telegram has answered once (at start, after a failure) the poll does not wait: a long poll
                // answers only when a message comes or after pollTimeoutSeconds (25 s by default), and the channel
                // is not ready before Telegram has answered.
                int timeout = polling ? pollTimeoutSeconds : 0;
                Json req = Json.object()
                        .put("offset", offset)
                        .put("timeout", timeout)
                        .put("limit", 100);
                req.putArray("allowed_updates").add("message");
                Json updates = api.call("getUpdates", req, Duration.ofSeconds(timeout + 10L));
                failures = 0;
                polling = true;
                status.connected("long polling");
                handleBatch(updates);
            } catch (PlatformException e) {
                if (closing) return;
                polling = false;
                if (e.kind() == PlatformException.Kind.AUTH) {
                    status.failed("Telegram refused TELEGRAM_BOT_TOKEN; put a valid token from @BotFather in the "
                            + "channel's Secret and restart");
                    metrics.error("auth");
                    LOG.log(Level.ERROR, "telegram {0}: bot token refused; polling stopped", name);
                    return;
                }
                long delay;
                if ("conflict".equals(e.code())) {
                    metrics.error("conflict");
                    status.disconnected(
                            "409 Conflict from getUpdates: another poller uses this bot token, or a webhook is set"
                                    + " (run one sidecar per bot, or call deleteWebhook / use mode=webhook): "
                                    + e.getMessage());
                    delay = backoff.delay(++failures).toMillis() + 2000;
                } else if (e.kind() == PlatformException.Kind.RATE_LIMITED) {
                    metrics.rateLimitWait();
                    delay = e.retryAfter().toMillis();
                } else {
                    metrics.error("poll");
                    status.disconnected("getUpdates failed: " + e.getMessage());
                    delay = backoff.delay(++failures).toMillis();
                }
                LOG.log(
                        Level.WARNING,
                        "telegram {0}: {1}; polling again in {2} ms",
                        name,
                        status.detail(),
                        String.valueOf(delay));
                sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Publishes a batch; advances the offset only over the prefix the bridge acked. */
    private void handleBatch(Json updates) throws InterruptedException {
        List<Long> ids = new ArrayList<>();
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (Json u : updates) {
            long id = u.path("update_id").asLong();
            ids.add(id);
            acks.add(handleUpdate(u));
        }
        int failures = 0;
        for (int i = 0; i < ids.size(); i++) {
            try {
                acks.get(i).get();
                offset = ids.get(i) + 1;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof PublishException pe && !pe.retryable()) {
                    offset = ids.get(i) + 1; // refused for good: redelivery would not help
                    continue;
                }
                // Not accepted now: stop here; the update comes again with the next getUpdates.
                for (int j = i; j < ids.size(); j++) updateIds.forget(String.valueOf(ids.get(j)));
                LOG.log(
                        Level.WARNING,
                        "telegram {0}: bridge did not take update {1} ({2}); it will be fetched again",
                        name,
                        ids.get(i),
                        cause.getMessage());
                sleep(backoff.delay(++failures).toMillis());
                return;
            }
        }
    }

    /** Publishes one update; the future completes when the bus acked it (or at once when it is ignored). */
    private CompletableFuture<?> handleUpdate(Json u) {
        String updateId = String.valueOf(u.path("update_id").asLong());
        Json msg = u.path("message");
        if (msg.isMissingNode()) {
            metrics.ignored("update_type");
            return CompletableFuture.completedFuture(null);
        }
        if (msg.path("from").path("is_bot").asBoolean(false)) {
            metrics.ignored("bot_message");
            return CompletableFuture.completedFuture(null);
        }
        String text = msg.hasNonNull("text")
                ? msg.path("text").asText()
                : msg.path("caption").asText("");
        if (text.isEmpty()) {
            metrics.ignored("no_text");
            return CompletableFuture.completedFuture(null);
        }
        if (!updateIds.firstTime(updateId))
            metrics.dedupe(); // still published: the bus absorbs it by id and we need its ack
        Json chat = msg.path("chat");
        String chatId = String.valueOf(chat.path("id").asLong());
        String threadId = msg.path("is_topic_message").asBoolean(false)
                ? String.valueOf(msg.path("message_thread_id").asLong())
                : "";
        Json from = msg.path("from");
        Sender sender = Sender.newBuilder()
                .setId(String.valueOf(from.path("id").asLong()))
                .setDisplayName((from.path("first_name").asText("") + " "
                                + from.path("last_name").asText(""))
                        .strip())
                .build();
        metrics.eventIn();
        api.rememberReplyTarget(updateId, msg.path("message_id").asLong());
        var answer = approvals.answer(chatId, threadId, text, sender);
        if (answer.isPresent()) {
            var a = answer.get();
            return bus.answerApproval(a.streamId(), a.approvalId(), a.choice(), a.sender())
                    .toCompletableFuture()
                    .exceptionally(t -> null);
        }
        if (isStopCommand(text)) {
            // not a message to the agent: the bus's StopRequest for the reply in progress in this chat (or topic);
            // the update is confirmed either way (a stop is not stored, a late one could hit a later run)
            return bus.stop(chatId, threadId, sender).toCompletableFuture().exceptionally(t -> {
                LOG.log(Level.WARNING, "telegram " + name + ": /stop not sent to the bridge: " + t.getMessage());
                return null;
            });
        }
        UserMessage m = UserMessage.newBuilder()
                .setMessageId(updateId)
                .setConversationId(chatId)
                .setThreadId(threadId)
                .setSender(sender)
                .setText(text)
                .setPlatformMessageId(String.valueOf(msg.path("message_id").asLong()))
                .setSentAtUnixMs(msg.path("date").asLong() * 1000)
                .setChatType(
                        switch (chat.path("type").asText("")) {
                            case "private" -> ChatType.DIRECT;
                            case "channel" -> ChatType.CHANNEL;
                            default -> ChatType.GROUP;
                        })
                .putMetadata("chat_type", chat.path("type").asText(""))
                .build();
        return bus.publish(m).toCompletableFuture();
    }

    /** Telegram's bot command {@code /stop}, also as {@code /stop@SomeBot} in groups. */
    static boolean isStopCommand(String text) {
        String t = text.strip();
        return t.equals("/stop") || t.startsWith("/stop@") && t.indexOf(' ') < 0;
    }

    // ------------------------------------------------------------------ webhook

    private void registerWebhook() {
        if (webhookUrl == null) {
            status.connected("webhook mode: waiting for Telegram on " + webhookPath + " (setWebhook managed outside)");
            return;
        }
        Json req = Json.object().put("url", webhookUrl).put("secret_token", webhookSecret.reveal());
        req.putArray("allowed_updates").add("message");
        for (int attempt = 1; !closing; attempt++) {
            try {
                api.call("setWebhook", req, null);
                status.connected("webhook set");
                return;
            } catch (PlatformException e) {
                if (e.kind() == PlatformException.Kind.AUTH) {
                    status.failed("Telegram refused TELEGRAM_BOT_TOKEN at setWebhook; fix the token and restart");
                    return;
                }
                status.disconnected("setWebhook failed: " + e.getMessage());
                sleep(
                        e.kind() == PlatformException.Kind.RATE_LIMITED
                                ? e.retryAfter().toMillis()
                                : backoff.delay(attempt).toMillis());
            }
        }
    }

    private void webhook(HttpExchange ex) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            ChannelHttpServer.respond(ex, 405, "text/plain", "use POST\n");
            return;
        }
        String given = ex.getRequestHeaders().getFirst("X-Telegram-Bot-Api-Secret-Token");
        if (given == null
                || !MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8),
                        webhookSecret.reveal().getBytes(StandardCharsets.UTF_8))) {
            metrics.error("unauthenticated");
            ChannelHttpServer.respond(ex, 401, "text/plain", "missing or wrong X-Telegram-Bot-Api-Secret-Token\n");
            return;
        }
        if (closing) {
            ChannelHttpServer.respond(ex, 503, "text/plain", "draining\n");
            return;
        }
        Json update;
        try (InputStream in = ex.getRequestBody()) {
            update = Json.parse(in.readNBytes(4 * 1024 * 1024));
        } catch (Json.ParseException e) {
            ChannelHttpServer.respond(ex, 400, "text/plain", "body is not a JSON Update: " + e.getMessage() + "\n");
            return;
        }
        String updateId = String.valueOf(update.path("update_id").asLong());
        if (updateIds.contains(updateId)) {
            metrics.dedupe();
            ChannelHttpServer.respond(ex, 200, "application/json", "{}");
            return;
        }
        inFlight.incrementAndGet();
        try {
            handleUpdate(update).get(20, TimeUnit.SECONDS);
            ChannelHttpServer.respond(ex, 200, "application/json", "{}");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PublishException pe && !pe.retryable()) {
                ChannelHttpServer.respond(ex, 200, "application/json", "{}"); // Telegram retrying would not help
            } else {
                updateIds.forget(updateId);
                ChannelHttpServer.respond(ex, 503, "text/plain", "bridge unavailable; retry\n");
            }
        } catch (TimeoutException e) {
            updateIds.forget(updateId);
            ChannelHttpServer.respond(ex, 503, "text/plain", "bridge did not accept in time; retry\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ChannelHttpServer.respond(ex, 503, "text/plain", "interrupted\n");
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close(Duration grace) {
        closing = true;
        Thread p = poller;
        if (p != null) {
            p.interrupt();
            try {
                p.join(grace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) sleep(20);
        http.close();
    }
}
