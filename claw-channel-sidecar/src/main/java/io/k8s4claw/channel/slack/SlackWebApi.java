package io.k8s4claw.channel.slack;

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
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slack Web API calls the sidecar makes: {@code auth.test}, {@code apps.connections.open} (app token),
 * {@code chat.postMessage} and {@code chat.update} (bot token). Errors arrive as HTTP 200 with
 * {@code ok:false}; HTTP 429 carries {@code Retry-After}. Rate limits are tracked per method: after a
 * 429 on one method, calls of that method wait until its Retry-After passed, others go on.
 */
final class SlackWebApi implements PlatformOutbox {
    static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final Set<String> AUTH_ERRORS = Set.of(
            "invalid_auth",
            "not_authed",
            "token_revoked",
            "token_expired",
            "account_inactive",
            "missing_scope",
            "not_allowed_token_type",
            "no_permission",
            "ekm_access_denied");
    private static final Set<String> TRANSIENT_ERRORS =
            Set.of("internal_error", "fatal_error", "service_unavailable", "request_timeout");

    private final PlatformHttp http;
    /** The API base; each call appends its path to it. */
    private final URI base;

    private final Secret botToken;
    private final ChannelMetrics metrics;
    private final SlackMrkdwn.Allow allow;
    /** Where a reply without a conversation goes (a proactive message); empty: nowhere. */
    private final String defaultChannel;

    private final TextSplitter splitter = new TextSplitter(4000, TextSplitter.Unit.CODE_POINTS);
    private final Map<String, Long> notBeforeNanos = new ConcurrentHashMap<>();

    SlackWebApi(
            PlatformHttp http,
            URI base,
            Secret botToken,
            ChannelMetrics metrics,
            SlackMrkdwn.Allow allow,
            String defaultChannel) {
        this.http = http;
        this.allow = allow;
        this.defaultChannel = defaultChannel;
        this.base = base;
        this.botToken = botToken;
        this.metrics = metrics;
    }

    /** Checks the bot token; returns the bot's user id (to ignore its own messages). */
    String authTest() throws PlatformException, InterruptedException {
        Json r = call("auth.test", botToken, Json.object());
        return r.path("user_id").asText("");
    }

    /** A fresh single-use Socket Mode URL (call again for every connection). */
    String openConnection(Secret appToken) throws PlatformException, InterruptedException {
        Json r = call("apps.connections.open", appToken, null);
        String url = r.path("url").asText("");
        if (url.isEmpty()) throw PlatformException.transientFailure("no_url", "apps.connections.open returned no url");
        return url;
    }

    @Override
    public String post(Target target, String text, boolean markdown, String idempotencyKey) throws PlatformException {
        Json body = Json.object();
        body.put("channel", channel(target));
        body.put("text", slackText(text, markdown));
        if (!target.threadId().isEmpty()) body.put("thread_ts", target.threadId());
        try {
            return call("chat.postMessage", botToken, body).path("ts").asText();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PlatformException.transientFailure("interrupted", "interrupted");
        }
    }

    @Override
    public void update(Target target, String platformMessageId, String text, boolean markdown)
            throws PlatformException {
        Json body = Json.object();
        body.put("channel", channel(target));
        body.put("ts", platformMessageId);
        body.put("text", slackText(text, markdown));
        try {
            call("chat.update", botToken, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PlatformException.transientFailure("interrupted", "interrupted");
        }
    }

    private String channel(Target target) throws PlatformException {
        if (!target.conversationId().isEmpty()) return target.conversationId();
        if (!defaultChannel.isEmpty()) return defaultChannel;
        throw PlatformException.permanent(
                "no_channel", "the reply names no conversation and CHANNEL_CONFIG.defaultChannel is not set");
    }

    /** Model output as Slack text: escaped, so it cannot notify a channel or disguise a link (see SlackMrkdwn). */
    private String slackText(String text, boolean markdown) {
        return markdown ? SlackMrkdwn.fromMarkdown(text, allow) : SlackMrkdwn.plain(text, allow);
    }

    @Override
    public boolean supportsEdit() {
        return true;
    }

    @Override
    public TextSplitter splitter() {
        return splitter;
    }

    private Json call(String method, Secret token, Json body) throws PlatformException, InterruptedException {
        Long notBefore = notBeforeNanos.get(method);
        if (notBefore != null) {
            long wait = notBefore - System.nanoTime();
            if (wait > 0) {
                metrics.rateLimitWait();
                Thread.sleep(Duration.ofNanos(wait));
            }
        }
        // The token goes in the Authorization header only: Slack rejects it as a POST parameter.
        HttpRequest.Builder req =
                http.request(PlatformHttp.resolve(base, method)).header("Authorization", "Bearer " + token.reveal());
        if (body == null) req.POST(HttpRequest.BodyPublishers.noBody());
        else req.header("Content-Type", JSON_TYPE).POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            PlatformHttp.Response resp = http.send(req.build());
            if (resp.code() == 429) {
                Duration retryAfter = retryAfter(resp.header("Retry-After"));
                notBeforeNanos.put(method, System.nanoTime() + retryAfter.toNanos());
                throw PlatformException.rateLimited(
                        "ratelimited",
                        retryAfter,
                        "Slack " + method + " rate limited, retry after " + retryAfter.toSeconds() + " s");
            }
            if (resp.code() >= 500)
                throw PlatformException.transientFailure(
                        "http_" + resp.code(), "Slack " + method + " answered HTTP " + resp.code());
            String text = resp.body();
            Json json;
            try {
                json = Json.parse(text);
            } catch (Json.ParseException e) {
                throw PlatformException.transientFailure(
                        "bad_response", "Slack " + method + " answered HTTP " + resp.code() + " with a non-JSON body");
            }
            if (json.path("ok").asBoolean(false)) return json;
            String error = json.path("error").asText("unknown_error");
            if (AUTH_ERRORS.contains(error))
                throw PlatformException.auth(error, "Slack " + method + " refused the token: " + error);
            if ("ratelimited".equals(error)) {
                Duration retryAfter = retryAfter(resp.header("Retry-After"));
                notBeforeNanos.put(method, System.nanoTime() + retryAfter.toNanos());
                throw PlatformException.rateLimited(error, retryAfter, "Slack " + method + " rate limited");
            }
            if (TRANSIENT_ERRORS.contains(error))
                throw PlatformException.transientFailure(error, "Slack " + method + " failed: " + error);
            throw PlatformException.permanent(error, "Slack " + method + " failed: " + error);
        } catch (IOException e) {
            throw PlatformException.transientFailure(
                    "network",
                    "Slack " + method + " call failed: " + e.getClass().getSimpleName());
        }
    }

    static Duration retryAfter(String header) {
        if (header == null) return Duration.ofSeconds(1);
        try {
            return Duration.ofMillis((long) (Double.parseDouble(header.trim()) * 1000));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1);
        }
    }
}
