package io.k8s4claw.channel.discord;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.channel.common.ChannelMetrics;
import io.k8s4claw.channel.common.PlatformException;
import io.k8s4claw.channel.common.PlatformHttp;
import io.k8s4claw.channel.common.PlatformOutbox;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.common.TextSplitter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Discord REST for replies: create/edit messages and typing. Every message carries
 * {@code allowed_mentions: {parse: []}} (model output never pings @everyone or roles) and a {@code nonce}
 * with {@code enforce_nonce: true} derived from the reply's idempotency key, so a retried POST returns the
 * message created the first time. Rate limits come from the headers, never hard-coded: a bucket whose
 * {@code X-RateLimit-Remaining} hit 0 is waited out until its reset, a 429 sets the bucket's (or, with
 * {@code X-RateLimit-Global}, every call's) retry time.
 */
final class DiscordRest implements PlatformOutbox {
    private static final String JSON_TYPE = "application/json; charset=utf-8";

    private final PlatformHttp http;
    /** The API base; each call appends its path to it. */
    private final URI base;

    private final Secret token;
    private final ChannelMetrics metrics;
    private final TextSplitter splitter = new TextSplitter(2000, TextSplitter.Unit.CODE_POINTS);
    /** route key (top-level resource) -> earliest time (nanoTime) the next call may go. */
    private final Map<String, Long> routeNotBefore = new ConcurrentHashMap<>();

    private volatile long globalNotBefore;

    DiscordRest(PlatformHttp http, URI base, Secret token, ChannelMetrics metrics) {
        this.http = http;
        this.base = base;
        this.token = token;
        this.metrics = metrics;
    }

    /** GET /gateway/bot: the gateway URL (and the identify budget, checked by the caller). */
    Json gatewayBot() throws PlatformException {
        return call("GET", "gateway/bot", "gateway", null);
    }

    @Override
    public String post(Target target, String text, boolean markdown, String idempotencyKey) throws PlatformException {
        Json body = Json.object();
        body.put("content", text);
        body.putObject("allowed_mentions").putArray("parse");
        body.put("nonce", nonce(idempotencyKey));
        body.put("enforce_nonce", true);
        if (!target.replyToPlatformMessageId().isEmpty()
                && target.replyToPlatformMessageId().chars().allMatch(Character::isDigit)) {
            body.putObject("message_reference")
                    .put("message_id", target.replyToPlatformMessageId())
                    .put("fail_if_not_exists", false);
        }
        String channel =
                target.threadId().isEmpty() ? target.conversationId() : target.threadId(); // a thread is a channel
        return call("POST", "channels/" + channel + "/messages", "channels/" + channel, body)
                .path("id")
                .asText();
    }

    @Override
    public void update(Target target, String platformMessageId, String text, boolean markdown)
            throws PlatformException {
        Json body = Json.object();
        body.put("content", text);
        body.putObject("allowed_mentions").putArray("parse");
        String channel = target.threadId().isEmpty() ? target.conversationId() : target.threadId();
        call("PATCH", "channels/" + channel + "/messages/" + platformMessageId, "channels/" + channel + "/edit", body);
    }

    @Override
    public void typing(Target target) throws PlatformException {
        String channel = target.threadId().isEmpty() ? target.conversationId() : target.threadId();
        call("POST", "channels/" + channel + "/typing", "channels/" + channel + "/typing", Json.object());
    }

    @Override
    public boolean supportsEdit() {
        return true;
    }

    @Override
    public TextSplitter splitter() {
        return splitter;
    }

    /** A nonce of at most 25 characters, the same for every retry of one message. */
    static String nonce(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 25);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Json call(String method, String path, String route, Json body) throws PlatformException {
        waitForBudget(route);
        HttpRequest.Builder req = http.request(PlatformHttp.resolve(base, path.split("/")))
                .header("Authorization", "Bot " + token.reveal())
                .header("User-Agent", "DiscordBot (https://github.com/k8s4claw, 0.1.0)");
        if (body == null) req.method(method, HttpRequest.BodyPublishers.noBody());
        else req.header("Content-Type", JSON_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            PlatformHttp.Response resp = http.send(req.build());
            String text = resp.body();
            remember(route, resp);
            int code = resp.code();
            if (code >= 200 && code < 300) {
                try {
                    return text.isBlank() ? Json.object() : Json.parse(text);
                } catch (Json.ParseException e) {
                    throw PlatformException.transientFailure(
                            "bad_response",
                            "Discord answered HTTP " + code + " with a body that is not JSON: " + e.getMessage());
                }
            }
            Json err = parse(text);
            if (code == 429) {
                double seconds = err.path("retry_after").asDouble(parseDouble(resp.header("Retry-After"), 1));
                Duration wait = Duration.ofMillis((long) Math.ceil(seconds * 1000));
                boolean global = err.path("global").asBoolean(false)
                        || "true".equalsIgnoreCase(resp.header("X-RateLimit-Global"));
                long until = System.nanoTime() + wait.toNanos();
                if (global) globalNotBefore = until;
                else routeNotBefore.merge(route, until, Math::max);
                throw PlatformException.rateLimited(
                        global ? "global_rate_limit" : "rate_limit",
                        wait,
                        "Discord " + (global ? "global" : "route") + " rate limit on " + method + " " + route
                                + ", retry after " + wait.toMillis() + " ms");
            }
            String discordCode = err.path("code").asText("");
            if (code == 401) throw PlatformException.auth("unauthorized", "Discord refused DISCORD_BOT_TOKEN (401)");
            if (code == 403) {
                throw PlatformException.permanent(
                        discordCode.equals("50013")
                                ? "missing_permissions"
                                : discordCode.equals("50001") ? "missing_access" : "forbidden",
                        "Discord " + method + " " + route + " forbidden (code " + discordCode
                                + "): the bot lacks a permission in that channel");
            }
            if (code >= 500) throw PlatformException.transientFailure("http_" + code, "Discord answered HTTP " + code);
            throw PlatformException.permanent(
                    "http_" + code + (discordCode.isEmpty() ? "" : "_" + discordCode),
                    "Discord " + method + " " + route + " failed with HTTP " + code + ": "
                            + err.path("message").asText(""));
        } catch (IOException e) {
            throw PlatformException.transientFailure(
                    "network", "Discord call failed: " + e.getClass().getSimpleName());
        }
    }

    private void waitForBudget(String route) throws PlatformException {
        long now = System.nanoTime();
        long until = Math.max(globalNotBefore, routeNotBefore.getOrDefault(route, 0L));
        if (until > now) {
            metrics.rateLimitWait();
            try {
                Thread.sleep(Duration.ofNanos(until - now));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PlatformException.transientFailure("interrupted", "interrupted");
            }
        }
    }

    /** Remembers a bucket that is exhausted until its reset. */
    private void remember(String route, PlatformHttp.Response resp) {
        String remaining = resp.header("X-RateLimit-Remaining");
        String resetAfter = resp.header("X-RateLimit-Reset-After");
        if ("0".equals(remaining) && resetAfter != null) {
            long until = System.nanoTime() + (long) (parseDouble(resetAfter, 0) * 1e9);
            routeNotBefore.merge(route, until, Math::max);
        }
    }

    private static double parseDouble(String s, double dflt) {
        if (s == null) return dflt;
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static Json parse(String text) {
        try {
            return text.isBlank() ? Json.object() : Json.parse(text);
        } catch (Json.ParseException e) {
            return Json.object();
        }
    }
}
