package io.k8s4claw.channel.webhook;

import com.sun.net.httpserver.HttpExchange;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.api.json.Json;
import io.k8s4claw.channel.common.ChannelConfig;
import io.k8s4claw.channel.common.ChannelHttpServer;
import io.k8s4claw.channel.common.ChannelMetrics;
import io.k8s4claw.channel.common.ConfigException;
import io.k8s4claw.channel.common.PlatformChannel;
import io.k8s4claw.channel.common.PlatformHttp;
import io.k8s4claw.channel.common.PlatformStatus;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.PublishException;
import io.k8s4claw.channel.sdk.PublishResult;
import io.k8s4claw.channel.sdk.ReplyHandler;
import io.k8s4claw.channel.sdk.ReplyOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generic webhook channel: any system that can call a URL.
 *
 * <p><b>Inbound</b> {@code POST <path>} (default {@code /webhook}) with a JSON body
 * {@code {"conversation_id", "thread_id"?, "text", "sender": {"id", "name"?}?, "metadata"?: {...}}} and the
 * headers {@code X-Webhook-Timestamp} (Unix seconds), {@code X-Webhook-Signature}
 * ({@code sha256=} hex HMAC-SHA256 of {@code timestamp + "." + body} with {@code WEBHOOK_SECRET}) and
 * {@code X-Webhook-Delivery-Id} (or {@code Idempotency-Key}) naming the delivery. Answers:
 * 202 once the bridge durably accepted it ({@code {"message_id", "duplicate"}}: it runs once); 401 bad/missing
 * signature or timestamp outside the replay window; 400 malformed body (names the field); 409 the
 * delivery id was used before with a different body; 422 refused by the bridge for good; 503 with
 * {@code Retry-After}: not taken and never runs (the bridge was away, full or refused it for now, and the
 * message is withdrawn); 504 {@code not_confirmed}: it reached the bridge, whose ack did not come in time,
 * so it may run — retry with the same delivery id, which the bridge deduplicates. The table is in
 * docs/channels.md.
 *
 * <p><b>Outbound</b>: reply events are POSTed to {@code outboundUrl} as JSON
 * {@code {"channel", "reply_seq", "stream_id", "in_reply_to", "conversation_id", "thread_id", "type", "text", ...}}
 * signed the same way with {@code WEBHOOK_OUTBOUND_SECRET}, delivery id {@code <channel>:<reply_seq>}
 * (stable across retries). 429/503 {@code Retry-After} are honoured, 5xx and network errors retried with
 * backoff up to {@code outboundMaxAttempts}; other 4xx fail the reply. At least once: a receiver dedupes on
 * the delivery id; a reply it accepted is recorded (BusClient's reply ledger, {@code CHANNEL_STATE_DIR}) and
 * not POSTed again when the bridge resends it to a restarted sidecar.
 *
 * <p>{@code CHANNEL_CONFIG}: {@code path}, {@code replayWindowSeconds} (300), {@code ackTimeoutMs} (10000),
 * {@code outboundUrl}, {@code outboundStreaming} (false: start/delta/typing are not sent, only final, error,
 * approval_request and edit),
 * {@code outboundMaxAttempts} (5), {@code maxBodyBytes} (262144).
 */
public final class WebhookChannel implements PlatformChannel {
    private static final System.Logger LOG = System.getLogger(WebhookChannel.class.getName());
    /** The text that stops the reply in progress instead of being sent (as Hermes's own platforms read /stop). */
    static final String STOP_COMMAND = "/stop";

    private static final String JSON_TYPE = "application/json; charset=utf-8";

    private final String name;
    private final ChannelMetrics metrics;
    private final Secret inboundSecret;
    private final Secret outboundSecret;
    private final String path;
    private final long replayWindowSeconds;
    private final long ackTimeoutMs;
    private final int maxBodyBytes;
    private final URI outboundUrl;
    private final boolean outboundDeltas;
    private final int outboundMaxAttempts;
    private final PlatformHttp http;
    private final PlatformStatus status = new PlatformStatus();
    /** delivery id -> SHA-256 of the body, to tell an honest retry from a reused key (409). */
    private final Map<String, String> deliveries;

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile BusClient bus;
    private volatile boolean closing;

    public WebhookChannel(String name, ChannelConfig config, ChannelMetrics metrics) {
        this.name = name;
        this.metrics = metrics;
        this.inboundSecret =
                config.secret("WEBHOOK_SECRET", "the shared secret callers sign inbound requests with (HMAC-SHA256)");
        this.path = config.string("path", "/webhook");
        if (!path.startsWith("/"))
            throw new ConfigException("CHANNEL_CONFIG.path must start with /, got \"" + path + "\"");
        this.replayWindowSeconds = config.integer("replayWindowSeconds", 300, 1, 86_400);
        this.ackTimeoutMs = config.integer("ackTimeoutMs", 10_000, 100, 120_000);
        this.maxBodyBytes = (int) config.integer("maxBodyBytes", 256 * 1024, 1024, 16 * 1024 * 1024);
        this.outboundUrl = config.url("outboundUrl", null);
        this.outboundSecret = outboundUrl == null
                ? null
                : config.secret(
                        "WEBHOOK_OUTBOUND_SECRET", "the secret replies to CHANNEL_CONFIG.outboundUrl are signed with");
        this.outboundDeltas = config.bool("outboundStreaming", false);
        this.outboundMaxAttempts = (int) config.integer("outboundMaxAttempts", 5, 1, 20);
        // Plain HTTP only (in-cluster receivers): the client then never initialises TLS, which alone costs
        // ~17 MiB of resident memory in this JVM configuration (see docs/operations.md).
        this.http = outboundUrl == null || outboundUrl.getScheme().equals("http")
                ? PlatformHttp.cleartextOnly("webhook-" + name, Duration.ofSeconds(30))
                : PlatformHttp.create("webhook-" + name, Duration.ofSeconds(30));
        this.deliveries = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > 50_000;
            }
        };
    }

    @Override
    public ChannelCapabilities capabilities() {
        return PlatformChannel.capabilities(0, ChannelCapabilities.LengthUnit.CHARACTERS, false, false, "commonmark");
    }

    @Override
    public ReplyHandler replyHandler() {
        return this::deliverReply;
    }

    @Override
    public PlatformStatus status() {
        return status;
    }

    @Override
    public void start(BusClient bus, ChannelHttpServer server) {
        this.bus = bus;
        server.route(path, this::inbound);
        status.connected(
                "listening on " + path + (outboundUrl == null ? " (no outboundUrl: replies are not delivered)" : ""));
    }

    // ------------------------------------------------------------------ inbound

    private void inbound(HttpExchange ex) throws IOException {
        try {
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "POST");
                error(ex, 405, "method_not_allowed", "use POST");
                return;
            }
            if (closing) {
                ex.getResponseHeaders().set("Retry-After", "5");
                error(ex, 503, "draining", "the channel sidecar is shutting down; retry the same delivery");
                return;
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readNBytes(maxBodyBytes + 1);
            }
            if (body.length > maxBodyBytes) {
                error(ex, 413, "body_too_large", "body exceeds " + maxBodyBytes + " bytes");
                return;
            }
            String ts = ex.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
            String sig = ex.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
            if (ts == null || sig == null) {
                metrics.error("unauthenticated");
                error(
                        ex,
                        401,
                        "missing_signature",
                        "send " + WebhookSignature.TIMESTAMP_HEADER + " and " + WebhookSignature.SIGNATURE_HEADER);
                return;
            }
            long tsSeconds;
            try {
                tsSeconds = Long.parseLong(ts.trim());
            } catch (NumberFormatException e) {
                metrics.error("unauthenticated");
                error(ex, 401, "bad_timestamp", WebhookSignature.TIMESTAMP_HEADER + " must be Unix seconds");
                return;
            }
            if (Math.abs(System.currentTimeMillis() / 1000 - tsSeconds) > replayWindowSeconds) {
                metrics.error("unauthenticated");
                error(
                        ex,
                        401,
                        "stale_timestamp",
                        "timestamp outside the replay window of " + replayWindowSeconds + " s");
                return;
            }
            if (!WebhookSignature.verify(inboundSecret, ts.trim(), body, sig)) {
                metrics.error("unauthenticated");
                error(
                        ex,
                        401,
                        "bad_signature",
                        "signature does not match HMAC-SHA256(secret, timestamp + \".\" + body)");
                return;
            }
            String deliveryId = firstNonBlank(
                    ex.getRequestHeaders().getFirst(WebhookSignature.DELIVERY_HEADER),
                    ex.getRequestHeaders().getFirst("Idempotency-Key"));
            if (deliveryId == null) {
                error(
                        ex,
                        400,
                        "missing_delivery_id",
                        "send " + WebhookSignature.DELIVERY_HEADER
                                + " (or Idempotency-Key): the id that makes retries safe");
                return;
            }
            if (deliveryId.length() > 200) {
                error(ex, 400, "bad_delivery_id", "delivery id longer than 200 characters");
                return;
            }
            UserMessage message;
            try {
                message = parse(deliveryId, body);
            } catch (BadRequest e) {
                metrics.error("bad_request");
                error(ex, 400, "invalid_body", e.getMessage());
                return;
            }
            if (STOP_COMMAND.equals(message.getText().trim())) {
                stopAndAnswer(ex, message);
                return;
            }
            String digest = sha256(body);
            synchronized (deliveries) {
                String previous = deliveries.get(deliveryId);
                if (previous != null && !previous.equals(digest)) {
                    error(
                            ex,
                            409,
                            "delivery_id_reused",
                            "delivery id " + deliveryId + " was used before with a different body");
                    return;
                }
                if (previous != null) metrics.dedupe();
                deliveries.put(deliveryId, digest);
            }
            metrics.eventIn();
            publishAndAnswer(ex, message, deliveryId);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "webhook " + name + ": inbound request failed", e);
            error(ex, 500, "internal_error", "unexpected error; retry the same delivery");
        }
    }

    /**
     * A text of exactly {@value #STOP_COMMAND}: the caller stops the agent's reply in progress in that conversation
     * (the bus's StopRequest) instead of sending a message. 202 {@code {"stop_requested": true}} once the bridge
     * has it; the stopped run's end arrives at the outbound URL as an {@code error} reply ({@code run_cancelled}).
     * Not stored: with the bridge away it is 503 and nothing is stopped.
     */
    private void stopAndAnswer(HttpExchange ex, UserMessage message) throws IOException {
        try {
            bus.stop(message.getConversationId(), message.getThreadId(), message.getSender())
                    .toCompletableFuture()
                    .get(ackTimeoutMs, TimeUnit.MILLISECONDS);
            ChannelHttpServer.respond(
                    ex,
                    202,
                    "application/json",
                    Json.object().put("stop_requested", true).toString());
        } catch (ExecutionException | TimeoutException e) {
            ex.getResponseHeaders().set("Retry-After", "5");
            error(
                    ex,
                    503,
                    "bridge_unavailable",
                    "the stop request did not reach the bridge ("
                            + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                            + "); nothing was stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, 503, "bridge_unavailable", "interrupted; nothing was stopped");
        }
    }

    private void publishAndAnswer(HttpExchange ex, UserMessage message, String deliveryId) throws IOException {
        inFlight.incrementAndGet();
        try {
            PublishResult r = bus.publish(message).toCompletableFuture().get(ackTimeoutMs, TimeUnit.MILLISECONDS);
            Json out = Json.object().put("message_id", r.messageId()).put("duplicate", r.duplicate());
            ChannelHttpServer.respond(ex, 202, "application/json", out.toString());
        } catch (TimeoutException e) {
            if (bus.withdraw(deliveryId)) {
                notTaken(ex, deliveryId, 5, "the bridge did not take the message within " + ackTimeoutMs + " ms");
            } else {
                unconfirmed(ex, "the bridge did not acknowledge the message within " + ackTimeoutMs + " ms");
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            PublishException pe = cause instanceof PublishException p ? p : null;
            if (pe != null && pe.reason() == PublishException.Reason.UNCONFIRMED) {
                unconfirmed(ex, pe.getMessage());
            } else if (pe != null && !pe.retryable() && pe.reason() != PublishException.Reason.CLOSED) {
                forget(deliveryId);
                Json out = Json.object()
                        .put("error", pe.reason().name().toLowerCase(Locale.ROOT))
                        .put("detail", pe.getMessage())
                        .put("user_visible_text", pe.userVisibleText());
                ChannelHttpServer.respond(ex, 422, "application/json", out.toString());
            } else {
                // Buffer full, refused for now (Nack), withdrawn or closed before it was written: not stored anywhere.
                long retry = pe != null ? Math.max(1, pe.retryAfter().toSeconds()) : 5;
                notTaken(
                        ex,
                        deliveryId,
                        retry,
                        "the bridge could not take the message now (" + cause.getMessage() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (bus.withdraw(deliveryId)) notTaken(ex, deliveryId, 1, "interrupted");
            else unconfirmed(ex, "interrupted");
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** 503: the message is not stored and will not run; the caller may send it again (any delivery id). */
    private void notTaken(HttpExchange ex, String deliveryId, long retryAfterSeconds, String why) throws IOException {
        forget(deliveryId);
        ex.getResponseHeaders().set("Retry-After", String.valueOf(retryAfterSeconds));
        error(ex, 503, "bridge_unavailable", why + "; it was not taken and will not run: send it again");
    }

    /**
     * 504: the message reached the bridge but no answer came; the bridge may have stored it and then runs it.
     * The sidecar keeps sending it, so the same delivery id sent again is answered 202 once the bridge acks.
     */
    private static void unconfirmed(HttpExchange ex, String why) throws IOException {
        ex.getResponseHeaders().set("Retry-After", "5");
        error(
                ex,
                504,
                "not_confirmed",
                why + "; it may run: retry with the same delivery id (never a new one) to learn the outcome");
    }

    private void forget(String deliveryId) {
        synchronized (deliveries) {
            deliveries.remove(deliveryId);
        }
    }

    private static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    private UserMessage parse(String deliveryId, byte[] body) throws BadRequest {
        Json root;
        try {
            root = Json.parse(body);
        } catch (Json.ParseException e) {
            throw new BadRequest("body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new BadRequest("body must be a JSON object");
        String conversation = text(root, "conversation_id", true);
        String text = text(root, "text", true);
        UserMessage.Builder m = UserMessage.newBuilder()
                .setMessageId(deliveryId)
                .setConversationId(conversation)
                .setThreadId(nullToEmpty(text(root, "thread_id", false)))
                .setText(text)
                .setSentAtUnixMs(System.currentTimeMillis())
                .setChatType(ChatType.DIRECT);
        Json sender = root.get("sender");
        if (sender != null && !sender.isNull()) {
            if (!sender.isObject()) throw new BadRequest("$.sender must be an object {\"id\", \"name\"}");
            m.setSender(Sender.newBuilder()
                    .setId(nullToEmpty(text(sender, "id", false, "$.sender.")))
                    .setDisplayName(nullToEmpty(text(sender, "name", false, "$.sender."))));
        }
        Json meta = root.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) throw new BadRequest("$.metadata must be an object of strings");
            for (var e : meta.entries()) {
                if (!e.getValue().isTextual()) {
                    throw new BadRequest("$.metadata." + e.getKey() + " must be a string, got "
                            + e.getValue().getNodeType());
                }
                m.putMetadata(e.getKey(), e.getValue().asText());
            }
        }
        return m.build();
    }

    private static String text(Json node, String field, boolean required) throws BadRequest {
        return text(node, field, required, "$.");
    }

    private static String text(Json node, String field, boolean required, String prefix) throws BadRequest {
        Json v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new BadRequest(prefix + field + " is required");
            return null;
        }
        // Strings only: a number would be turned into text the caller never sent (1e2 -> "100.0").
        if (!v.isTextual()) throw new BadRequest(prefix + field + " must be a string, got " + v.getNodeType());
        String s = v.asText();
        if (required && s.isBlank()) throw new BadRequest(prefix + field + " must not be empty");
        return s;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) return a.trim();
        if (b != null && !b.isBlank()) return b.trim();
        return null;
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void error(HttpExchange ex, int status, String code, String detail) throws IOException {
        Json out = Json.object().put("error", code).put("detail", detail);
        ChannelHttpServer.respond(ex, status, "application/json", out.toString());
    }

    // ------------------------------------------------------------------ outbound

    private CompletionStage<ReplyOutcome> deliverReply(Reply reply) {
        return CompletableFuture.completedFuture(deliverNow(reply));
    }

    private ReplyOutcome deliverNow(Reply reply) {
        String type = switch (reply.getEventCase()) {
            case START -> "start";
            case DELTA -> "delta";
            case FINAL -> "final";
            case ERROR -> "error";
            case TYPING -> "typing";
            case APPROVAL_REQUEST -> "approval_request";
            case EDIT -> "edit";
            case EVENT_NOT_SET -> "unknown";
        };
        boolean streamingEvent = type.equals("start") || type.equals("delta") || type.equals("typing");
        if (streamingEvent && !outboundDeltas) return ReplyOutcome.delivered();
        if (outboundUrl == null) {
            return streamingEvent ? ReplyOutcome.delivered() : ReplyOutcome.failed("no_outbound_url", false);
        }
        Json body = Json.object()
                .put("channel", name)
                .put("reply_seq", reply.getReplySeq())
                .put("stream_id", reply.getStreamId())
                .put("in_reply_to", reply.getInReplyTo())
                .put("conversation_id", reply.getConversationId())
                .put("thread_id", reply.getThreadId())
                .put("type", type);
        switch (reply.getEventCase()) {
            case DELTA -> body.put("text", reply.getDelta().getText());
            case FINAL ->
                body.put("text", reply.getFinal().getText())
                        .put(
                                "format",
                                reply.getFinal().getFormat().isEmpty()
                                        ? "markdown"
                                        : reply.getFinal().getFormat());
            case ERROR ->
                body.put("code", reply.getError().getCode())
                        .put("text", reply.getError().getUserVisibleText());
            case APPROVAL_REQUEST -> {
                body.put("approval_id", reply.getApprovalRequest().getApprovalId())
                        .put("text", reply.getApprovalRequest().getText());
                var arr = body.putArray("choices");
                reply.getApprovalRequest().getChoicesList().forEach(arr::add);
            }
            case EDIT ->
                body.put("platform_message_id", reply.getEdit().getPlatformMessageId())
                        .put("text", reply.getEdit().getText());
            default -> {}
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        String deliveryId = name + ":" + reply.getReplySeq();
        String lastError = "unknown";
        for (int attempt = 1; attempt <= outboundMaxAttempts; attempt++) {
            String ts = String.valueOf(System.currentTimeMillis() / 1000);
            HttpRequest req = http.request(outboundUrl)
                    .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                    .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(outboundSecret, ts, bytes))
                    .header(WebhookSignature.DELIVERY_HEADER, deliveryId)
                    .header("Idempotency-Key", deliveryId)
                    .header("Content-Type", JSON_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                    .build();
            long waitMs;
            try {
                PlatformHttp.Response resp = http.send(req);
                int code = resp.code();
                if (code >= 200 && code < 300) {
                    metrics.replyOut();
                    String id = deliveryId;
                    String text = resp.body();
                    try {
                        Json r = text.isBlank() ? null : Json.parse(text);
                        if (r != null && r.hasNonNull("message_id"))
                            id = r.get("message_id").asText();
                    } catch (Json.ParseException ignored) {
                        // any 2xx body is fine
                    }
                    return ReplyOutcome.delivered(id);
                }
                lastError = "http_" + code;
                if (code == 429 || code == 503) {
                    metrics.rateLimitWait();
                    waitMs = retryAfterMs(resp.header("Retry-After"), attempt);
                } else if (code >= 500 || code == 408) {
                    metrics.error("outbound_" + code);
                    waitMs = Math.min(8000, 250L << (attempt - 1));
                } else {
                    metrics.error("outbound_" + code);
                    LOG.log(
                            Level.WARNING,
                            "webhook {0}: outbound URL refused reply {1} with HTTP {2}",
                            name,
                            String.valueOf(reply.getReplySeq()),
                            String.valueOf(code));
                    return ReplyOutcome.failed(lastError, false);
                }
            } catch (IOException e) {
                metrics.error("outbound_network");
                lastError = "network";
                waitMs = Math.min(8000, 250L << (attempt - 1));
            }
            if (attempt < outboundMaxAttempts) {
                try {
                    Thread.sleep(waitMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ReplyOutcome.failed("interrupted", true);
                }
            }
        }
        LOG.log(
                Level.WARNING,
                "webhook {0}: reply {1} not delivered after {2} attempts ({3}); the bridge keeps it",
                name,
                String.valueOf(reply.getReplySeq()),
                String.valueOf(outboundMaxAttempts),
                lastError);
        return ReplyOutcome.failed(lastError, true);
    }

    private static long retryAfterMs(String header, int attempt) {
        if (header != null) {
            try {
                return Math.min(60_000, (long) (Double.parseDouble(header.trim()) * 1000));
            } catch (NumberFormatException ignored) {
                // HTTP-date form: fall back to backoff
            }
        }
        return Math.min(8000, 500L << (attempt - 1));
    }

    @Override
    public void close(Duration grace) {
        closing = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        http.close();
    }
}
