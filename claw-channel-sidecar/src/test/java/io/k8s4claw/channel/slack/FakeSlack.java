package io.k8s4claw.channel.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8s4claw.channel.testing.NoDelayServerSockets;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A Slack workspace for tests, written from channels.md: the Web API methods the sidecar uses
 * ({@code auth.test}, {@code apps.connections.open} with single-use {@code wss} tickets,
 * {@code chat.postMessage}, {@code chat.update}) and the Socket Mode WebSocket ({@code hello}, envelopes
 * that must be acked with {@code {envelope_id}}, {@code disconnect} messages). Scripted failures:
 * queue responses for a method ({@link #failNext}).
 */
public final class FakeSlack implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final MockWebServer server = new MockWebServer();
    public final String appToken;
    public final String botToken;
    public volatile String botUserId = "UBOT";
    public volatile boolean appTokenRevoked;
    public volatile boolean botTokenRevoked;
    public final AtomicInteger connectionsOpened = new AtomicInteger();
    public final AtomicInteger authTests = new AtomicInteger();
    private final AtomicInteger tickets = new AtomicInteger();
    private final Set<String> usedTickets = ConcurrentHashMap.newKeySet();
    public final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** chat.postMessage / chat.update calls that succeeded, in order. */
    public final BlockingQueue<JsonNode> posts = new LinkedBlockingQueue<>();

    public final BlockingQueue<JsonNode> updates = new LinkedBlockingQueue<>();
    public final List<String> requestLog = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Deque<MockResponse>> scripted = new ConcurrentHashMap<>();
    private final AtomicLong tsCounter = new AtomicLong(1_700_000_000_000_000L);

    public FakeSlack(String appToken, String botToken) throws IOException {
        this.appToken = appToken;
        this.botToken = botToken;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        server.setServerSocketFactory(new NoDelayServerSockets());
        server.start();
    }

    /** The base URL to configure as apiBaseUrl. */
    public String apiBase() {
        return server.url("/api/").toString();
    }

    /** The next call of {@code method} answers {@code response} instead. */
    public void failNext(String method, MockResponse response) {
        scripted.computeIfAbsent(method, k -> new ArrayDeque<>()).add(response);
    }

    public static MockResponse okFalse(String error) {
        return new MockResponse()
                .setHeader("Content-Type", "application/json")
                .setBody("{\"ok\":false,\"error\":\"" + error + "\"}");
    }

    public static MockResponse rateLimited(int retryAfterSeconds) {
        return new MockResponse()
                .setResponseCode(429)
                .setHeader("Retry-After", String.valueOf(retryAfterSeconds))
                .setHeader("Content-Type", "application/json")
                .setBody("{\"ok\":false,\"error\":\"ratelimited\"}");
    }

    private MockResponse handle(RecordedRequest req) {
        String path = req.getPath() == null ? "" : req.getPath();
        requestLog.add(req.getMethod() + " " + path);
        if (path.startsWith("/link/")) return upgrade(req);
        if (!path.startsWith("/api/")) return new MockResponse().setResponseCode(404);
        String method = path.substring("/api/".length());
        String auth = req.getHeader("Authorization");
        String body = req.getBody().readUtf8();
        if (method.equals("apps.connections.open")) connectionsOpened.incrementAndGet();
        if (method.equals("auth.test")) authTests.incrementAndGet();
        Deque<MockResponse> queue = scripted.get(method);
        MockResponse script = queue == null ? null : queue.poll();
        if (script != null) return script;
        try {
            switch (method) {
                case "auth.test" -> {
                    if (!("Bearer " + botToken).equals(auth) || botTokenRevoked) return okFalse("invalid_auth");
                    return json("{\"ok\":true,\"user_id\":\"" + botUserId + "\",\"team_id\":\"T1\"}");
                }
                case "apps.connections.open" -> {
                    if (body.contains("xapp-"))
                        return okFalse("invalid_arguments"); // token as a POST parameter is rejected
                    if (auth == null || !auth.startsWith("Bearer xapp-")) return okFalse("not_allowed_token_type");
                    if (!("Bearer " + appToken).equals(auth) || appTokenRevoked) return okFalse("invalid_auth");
                    String url = server.url("/link/?ticket=t" + tickets.incrementAndGet())
                            .toString()
                            .replaceFirst("^http", "ws");
                    return json("{\"ok\":true,\"url\":\"" + url + "\"}");
                }
                case "chat.postMessage", "chat.update" -> {
                    if (!("Bearer " + botToken).equals(auth)) return okFalse("invalid_auth");
                    if (botTokenRevoked) return okFalse("token_revoked");
                    ObjectNode call = (ObjectNode) JSON.readTree(body);
                    String text = call.path("text").asText("");
                    if (text.isEmpty()) return okFalse("no_text");
                    if (text.codePointCount(0, text.length()) > 40_000) return okFalse("msg_too_long");
                    if (method.equals("chat.postMessage")) {
                        String ts = formatTs(tsCounter.incrementAndGet());
                        call.put("ts", ts);
                        posts.add(call);
                        return json("{\"ok\":true,\"channel\":\""
                                + call.path("channel").asText() + "\",\"ts\":\"" + ts + "\"}");
                    }
                    updates.add(call);
                    return json(
                            "{\"ok\":true,\"channel\":\"" + call.path("channel").asText() + "\",\"ts\":\""
                                    + call.path("ts").asText() + "\"}");
                }
                default -> {
                    return okFalse("unknown_method");
                }
            }
        } catch (IOException e) {
            return okFalse("invalid_json");
        }
    }

    private static String formatTs(long micros) {
        return (micros / 1_000_000) + "." + String.format("%06d", micros % 1_000_000);
    }

    private static MockResponse json(String body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
    }

    private MockResponse upgrade(RecordedRequest req) {
        String ticket = req.getRequestUrl().queryParameter("ticket");
        if (ticket == null || !usedTickets.add(ticket)) {
            return new MockResponse().setResponseCode(410).setBody("ticket already used"); // single-use URL
        }
        Socket socket = new Socket(ticket, req.getRequestUrl().queryParameter("debug_reconnects") != null);
        sockets.add(socket);
        return new MockResponse().withWebSocketUpgrade(socket);
    }

    /** The server side of one Socket Mode connection. */
    public final class Socket extends WebSocketListener {
        public final String ticket;
        public final boolean debugReconnects;
        public volatile WebSocket ws;
        public volatile boolean open;
        public volatile boolean closed;
        public final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        private final AtomicInteger envelopes = new AtomicInteger();

        Socket(String ticket, boolean debugReconnects) {
            this.ticket = ticket;
            this.debugReconnects = debugReconnects;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            ws = webSocket;
            open = true;
            webSocket.send("{\"type\":\"hello\",\"num_connections\":" + sockets.size()
                    + ",\"connection_info\":{\"app_id\":\"A1\"},\"debug_info\":{\"host\":\"fake\","
                    + "\"build_number\":1,\"approximate_connection_time\":3600}}");
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            try {
                received.add(JSON.readTree(text));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            open = false;
            closed = true;
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            open = false;
            closed = true;
        }

        /** Sends an events_api envelope carrying {@code event}; returns its envelope id. */
        public String sendEvent(String eventId, String eventJson) {
            String envelopeId = ticket + "-env-" + envelopes.incrementAndGet();
            sendEnvelope(envelopeId, eventId, eventJson, 0);
            return envelopeId;
        }

        public void sendEnvelope(String envelopeId, String eventId, String eventJson, int retryAttempt) {
            ws.send("{\"envelope_id\":\"" + envelopeId
                    + "\",\"type\":\"events_api\",\"accepts_response_payload\":false,"
                    + "\"retry_attempt\":" + retryAttempt + ",\"retry_reason\":\"" + (retryAttempt > 0 ? "timeout" : "")
                    + "\","
                    + "\"payload\":{\"type\":\"event_callback\",\"team_id\":\"T1\",\"api_app_id\":\"A1\","
                    + "\"event_id\":\""
                    + eventId
                    + "\",\"event_time\":1700000000,\"event\":" + eventJson + "}}");
        }

        public void disconnect(String reason) {
            ws.send("{\"type\":\"disconnect\",\"reason\":\"" + reason + "\",\"debug_info\":{\"host\":\"fake\"}}");
        }

        /** The ack for {@code envelopeId}, or null when none arrived within {@code millis}. */
        public JsonNode awaitAck(String envelopeId, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            List<JsonNode> others = new ArrayList<>();
            try {
                while (System.nanoTime() < deadline) {
                    JsonNode n = received.poll(10, TimeUnit.MILLISECONDS);
                    if (n == null) continue;
                    if (envelopeId.equals(n.path("envelope_id").asText())) return n;
                    others.add(n);
                }
                return null;
            } finally {
                received.addAll(others);
            }
        }
    }

    public static String message(String channel, String user, String ts, String text) {
        return "{\"type\":\"message\",\"channel\":\"" + channel + "\",\"channel_type\":\"channel\",\"user\":\"" + user
                + "\",\"text\":" + quote(text) + ",\"ts\":\"" + ts + "\",\"event_ts\":\"" + ts + "\"}";
    }

    public static String threadReply(String channel, String user, String ts, String threadTs, String text) {
        return "{\"type\":\"message\",\"channel\":\"" + channel + "\",\"channel_type\":\"channel\",\"user\":\"" + user
                + "\",\"text\":" + quote(text) + ",\"ts\":\"" + ts + "\",\"thread_ts\":\"" + threadTs
                + "\",\"event_ts\":\"" + ts + "\"}";
    }

    public static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket s : sockets) {
            if (s.ws != null && s.open) s.ws.close(1001, "test over");
        }
        server.shutdown();
    }
}
