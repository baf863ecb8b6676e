package io.k8s4claw.channel.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8s4claw.channel.testing.NoDelayServerSockets;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The Telegram Bot API for tests, from channels.md: {@code /bot<token>/<method>}; {@code getUpdates} with
 * offset confirmation (updates below the offset are deleted) and long polling; a conflict switch (409 as
 * when a second poller runs); {@code sendMessage} that enforces 4096 UTF-16 units and MarkdownV2 escaping,
 * plus scripted errors ({@code retry_after}, {@code migrate_to_chat_id}, 403).
 */
public final class FakeTelegram implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final MockWebServer server = new MockWebServer();
    public final String token;
    private final List<ObjectNode> pending = new ArrayList<>();
    private final AtomicLong nextUpdateId = new AtomicLong(100);
    private final AtomicLong nextMessageId = new AtomicLong(5000);
    public volatile boolean conflict;
    public final List<Long> offsetsSeen = new CopyOnWriteArrayList<>();
    /** The {@code timeout} of every getUpdates, in order. */
    public final List<Long> pollTimeoutsSeen = new CopyOnWriteArrayList<>();

    public final BlockingQueue<JsonNode> sent = new LinkedBlockingQueue<>();
    public final List<JsonNode> sendAttempts = new CopyOnWriteArrayList<>();
    private final Deque<MockResponse> scriptedSends = new ArrayDeque<>();
    public final List<String> migratedChats = new CopyOnWriteArrayList<>();

    public FakeTelegram(String token) throws IOException {
        this.token = token;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                return handle(request);
            }
        });
        server.setServerSocketFactory(new NoDelayServerSockets());
        server.start();
    }

    public String apiBase() {
        return server.url("/").toString();
    }

    public synchronized void scriptSend(MockResponse r) {
        scriptedSends.add(r);
    }

    public static MockResponse error(int code, String description, String parameters) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody("{\"ok\":false,\"error_code\":" + code + ",\"description\":\"" + description + "\""
                        + (parameters == null ? "" : ",\"parameters\":" + parameters) + "}");
    }

    /** Queues a text message update; returns its update_id. */
    public synchronized long userMessage(long chatId, String chatType, boolean fromBot, String text) {
        long id = nextUpdateId.incrementAndGet();
        ObjectNode u = JSON.createObjectNode().put("update_id", id);
        ObjectNode m = u.putObject("message")
                .put("message_id", nextMessageId.incrementAndGet())
                .put("date", 1_700_000_000L)
                .put("text", text);
        m.putObject("chat").put("id", chatId).put("type", chatType);
        m.putObject("from").put("id", 4242L).put("is_bot", fromBot).put("first_name", "Grace");
        pending.add(u);
        notifyAll();
        return id;
    }

    private MockResponse handle(RecordedRequest req) throws InterruptedException {
        String path = req.getPath();
        String prefix = "/bot" + token + "/";
        if (!path.startsWith(prefix))
            return error(404, "Not Found", null); // what Telegram answers for a bad token path
        String method = path.substring(prefix.length());
        JsonNode body;
        try {
            body = JSON.readTree(req.getBody().readUtf8());
        } catch (IOException e) {
            return error(400, "Bad Request: invalid JSON", null);
        }
        return switch (method) {
            case "getUpdates" -> getUpdates(body);
            case "sendMessage" -> sendMessage(body);
            case "sendChatAction", "setWebhook", "editMessageText" -> ok("true");
            default -> error(404, "Not Found: method not found", null);
        };
    }

    private synchronized MockResponse getUpdates(JsonNode body) throws InterruptedException {
        pollTimeoutsSeen.add(body.path("timeout").asLong(0));
        if (conflict) {
            return error(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                    null);
        }
        long offset = body.path("offset").asLong(0);
        offsetsSeen.add(offset);
        pending.removeIf(u -> u.path("update_id").asLong() < offset); // confirmed updates are deleted
        long deadline =
                System.currentTimeMillis() + Math.min(1000, body.path("timeout").asLong(0) * 1000);
        while (pending.isEmpty() && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
        ArrayNode result = JSON.createArrayNode();
        for (ObjectNode u : pending) result.add(u);
        return ok(result.toString());
    }

    private MockResponse sendMessage(JsonNode body) {
        sendAttempts.add(body);
        synchronized (this) {
            MockResponse s = scriptedSends.poll();
            if (s != null) return s;
        }
        String text = body.path("text").asText("");
        if ("MarkdownV2".equals(body.path("parse_mode").asText())) {
            String unescaped = checkMarkdownV2(text);
            if (unescaped != null) {
                return error(
                        400,
                        "Bad Request: can't parse entities: Character '" + unescaped
                                + "' is reserved and must be escaped with the preceding '\\\\'",
                        null);
            }
        }
        // The limit applies after entity parsing: escapes do not count.
        String parsed = "MarkdownV2".equals(body.path("parse_mode").asText()) ? text.replaceAll("\\\\(.)", "$1") : text;
        if (parsed.length() > 4096) return error(400, "Bad Request: message is too long", null);
        if (text.isEmpty()) return error(400, "Bad Request: message text is empty", null);
        long id = nextMessageId.incrementAndGet();
        ((ObjectNode) body).put("message_id", id);
        sent.add(body);
        return ok("{\"message_id\":" + id + ",\"chat\":{\"id\":" + body.path("chat_id") + "},\"text\":"
                + body.path("text") + "}");
    }

    /** The first reserved character left unescaped outside code, or null. */
    static String checkMarkdownV2(String text) {
        String reserved = "_*[]()~>#+-=|{}.!";
        boolean inCode = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c == '`') {
                inCode = !inCode;
                continue;
            }
            if (!inCode && reserved.indexOf(c) >= 0) return String.valueOf(c);
        }
        return null;
    }

    private static MockResponse ok(String result) {
        return new MockResponse()
                .setHeader("Content-Type", "application/json")
                .setBody("{\"ok\":true,\"result\":" + result + "}");
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            notifyAll();
        }
        server.shutdown();
    }
}
