package io.k8s4claw.channel.telegram;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.channel.common.PlatformException;
import io.k8s4claw.channel.common.PlatformHttp;
import io.k8s4claw.channel.common.PlatformOutbox;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.common.TextSplitter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Telegram Bot API calls ({@code <base>/bot<token>/<method>}, JSON). The token is part of the URL, so
 * nothing here ever puts a URL or an HTTP client's exception message into an error or a log line.
 * Replies: {@code sendMessage} in MarkdownV2 with a plain-text retry when Telegram cannot parse the
 * entities, {@code migrate_to_chat_id} followed (and remembered), {@code retry_after} surfaced as a rate
 * limit; 401/404 mean a bad token, 403 a user who blocked the bot (terminal for that chat).
 */
final class TelegramApi implements PlatformOutbox {
    private static final String JSON_TYPE = "application/json; charset=utf-8";

    private final PlatformHttp http;
    /** The API base; each call appends its path to it. */
    private final URI base;

    private final Secret token;
    private final boolean markdown;
    private final TextSplitter splitter = new TextSplitter(4096, TextSplitter.Unit.UTF16);
    /** Groups that became supergroups: old chat id -> new chat id. */
    private final Map<String, String> migrated = new ConcurrentHashMap<>();
    /** bus message id (update id) -> Telegram message id, to reply to the right message. */
    private final Map<String, Long> replyTargets = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 10_000;
        }
    });

    TelegramApi(PlatformHttp http, URI base, Secret token, boolean markdown) {
        this.http = http;
        this.base = base;
        this.token = token;
        this.markdown = markdown;
    }

    void rememberReplyTarget(String busMessageId, long telegramMessageId) {
        replyTargets.put(busMessageId, telegramMessageId);
    }

    /** Calls a method; returns {@code result}. */
    Json call(String method, Json body, Duration timeout) throws PlatformException {
        HttpRequest.Builder req = http.request(PlatformHttp.resolve(base, "bot" + token.reveal(), method))
                .header("Content-Type", JSON_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (timeout != null) req.timeout(timeout.plusSeconds(5)); // a long poll's own wait, and the answer's time
        try {
            PlatformHttp.Response resp = http.send(req.build());
            String text = resp.body();
            Json json;
            try {
                json = Json.parse(text);
            } catch (Json.ParseException e) {
                throw PlatformException.transientFailure(
                        "http_" + resp.code(),
                        "Telegram " + method + " answered HTTP " + resp.code() + " without JSON");
            }
            if (json.path("ok").asBoolean(false)) return json.path("result");
            int code = json.path("error_code").asInt(resp.code());
            String description = json.path("description").asText("");
            Json params = json.path("parameters");
            if (code == 429 || params.has("retry_after")) {
                throw PlatformException.rateLimited(
                        "too_many_requests",
                        Duration.ofSeconds(params.path("retry_after").asLong(1)),
                        "Telegram " + method + ": " + description);
            }
            if (params.has("migrate_to_chat_id")) {
                throw new Migrated(params.path("migrate_to_chat_id").asText(), description);
            }
            if (code == 401 || code == 404) {
                throw PlatformException.auth(
                        "unauthorized", "Telegram refused TELEGRAM_BOT_TOKEN (" + code + " " + description + ")");
            }
            if (code == 409)
                throw new PlatformException(PlatformException.Kind.TRANSIENT, "conflict", null, description);
            if (code == 403) throw PlatformException.permanent("forbidden", "Telegram " + method + ": " + description);
            if (code >= 500)
                throw PlatformException.transientFailure("http_" + code, "Telegram " + method + ": " + description);
            throw PlatformException.permanent(
                    code == 400 && description.contains("can't parse entities") ? "cant_parse_entities" : "bad_request",
                    "Telegram " + method + " (" + code + "): " + description);
        } catch (IOException e) {
            throw PlatformException.transientFailure(
                    "network",
                    "Telegram " + method + " call failed: " + e.getClass().getSimpleName());
        }
    }

    /** Carries the new chat id of a group that became a supergroup. */
    static final class Migrated extends PlatformException {
        final String newChatId;

        Migrated(String newChatId, String description) {
            super(Kind.PERMANENT, "migrated", null, "chat migrated to a supergroup: " + description);
            this.newChatId = newChatId;
        }
    }

    private String chat(String chatId) {
        return migrated.getOrDefault(chatId, chatId);
    }

    private static void putChatId(Json body, String chatId) {
        try {
            body.put("chat_id", Long.parseLong(chatId)); // ids may exceed 32 bits: always long
        } catch (NumberFormatException e) {
            body.put("chat_id", chatId); // @channelusername
        }
    }

    @Override
    public String post(Target target, String text, boolean asMarkdown, String idempotencyKey) throws PlatformException {
        String chatId = chat(target.conversationId());
        for (int migrations = 0; ; migrations++) {
            try {
                return String.valueOf(send(chatId, target, text, asMarkdown && markdown)
                        .path("message_id")
                        .asLong());
            } catch (Migrated m) {
                if (migrations > 0) throw m;
                migrated.put(target.conversationId(), m.newChatId);
                chatId = m.newChatId;
            }
        }
    }

    private Json send(String chatId, Target target, String text, boolean md) throws PlatformException {
        Json body = Json.object();
        putChatId(body, chatId);
        if (!target.threadId().isEmpty()) {
            try {
                body.put("message_thread_id", Long.parseLong(target.threadId()));
            } catch (NumberFormatException ignored) {
                // not a forum topic id
            }
        }
        Long replyTo = target.replyToPlatformMessageId().isEmpty()
                ? null
                : replyTargets.get(target.replyToPlatformMessageId());
        if (replyTo != null)
            body.putObject("reply_parameters").put("message_id", replyTo).put("allow_sending_without_reply", true);
        if (md) {
            body.put("text", TelegramMarkdown.escape(text)).put("parse_mode", "MarkdownV2");
            try {
                return call("sendMessage", body, null);
            } catch (PlatformException e) {
                if (!"cant_parse_entities".equals(e.code())) throw e;
                body.remove("parse_mode"); // fall back to plain text
            }
        }
        body.put("text", text);
        return call("sendMessage", body, null);
    }

    @Override
    public void update(Target target, String platformMessageId, String text, boolean asMarkdown)
            throws PlatformException {
        Json body = Json.object();
        putChatId(body, chat(target.conversationId()));
        body.put("message_id", Long.parseLong(platformMessageId));
        body.put("text", text);
        try {
            call("editMessageText", body, null);
        } catch (PlatformException e) {
            if (e.getMessage() == null || !e.getMessage().contains("message is not modified")) throw e;
        }
    }

    @Override
    public void typing(Target target) throws PlatformException {
        Json body = Json.object();
        putChatId(body, chat(target.conversationId()));
        body.put("action", "typing");
        call("sendChatAction", body, null);
    }

    @Override
    public boolean supportsEdit() {
        return true;
    }

    @Override
    public TextSplitter splitter() {
        return splitter;
    }
}
