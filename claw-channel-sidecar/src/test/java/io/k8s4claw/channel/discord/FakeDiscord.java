package io.k8s4claw.channel.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8s4claw.channel.testing.NoDelayServerSockets;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
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
 * Discord for tests, from channels.md: {@code GET /gateway/bot}, a Gateway v10 WebSocket (Hello with a
 * short heartbeat interval, Identify with token and intents checks → READY with
 * {@code resume_gateway_url}, Heartbeat → ACK, Resume → replay of missed dispatches + RESUMED, close
 * codes), and the messages REST endpoint with nonce/enforce_nonce dedupe and scripted rate limits.
 */
public final class FakeDiscord implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final MockWebServer server = new MockWebServer();
    public final String token;
    public volatile long heartbeatIntervalMs = 200;
    /** The token the gateway accepts (differs from the REST one to simulate a token reset between calls). */
    public volatile String gatewayToken;

    public volatile boolean ackHeartbeats = true;
    public volatile boolean messageContentApproved = true;
    public volatile boolean staleSeqOnResume;
    /** Resume replays this many already-delivered dispatches too (duplicates the client must absorb). */
    public volatile int replayOverlap;

    public final AtomicInteger identifies = new AtomicInteger();
    public final AtomicInteger resumes = new AtomicInteger();
    public final List<String> connectPaths = new CopyOnWriteArrayList<>();
    public final List<Gateway> gateways = new CopyOnWriteArrayList<>();
    public final BlockingQueue<JsonNode> identifyPayloads = new LinkedBlockingQueue<>();
    public final BlockingQueue<JsonNode> resumePayloads = new LinkedBlockingQueue<>();
    /** Every dispatch of the session, for replay on resume. */
    private final List<ObjectNode> dispatched = new CopyOnWriteArrayList<>();

    private final AtomicLong seq = new AtomicLong();
    private volatile String sessionId;
    public final BlockingQueue<JsonNode> created = new LinkedBlockingQueue<>();
    public final List<JsonNode> allCreateRequests = new CopyOnWriteArrayList<>();
    private final Map<String, String> nonces = new ConcurrentHashMap<>();
    private final Deque<MockResponse> scriptedPosts = new ArrayDeque<>();
    public volatile boolean createThenFail; // the message is created but the answer is a 502 (client retries)
    private final AtomicLong snowflakes = new AtomicLong(1_100_000_000_000_000_000L);

    public FakeDiscord(String token) throws IOException {
        this.token = token;
        this.gatewayToken = token;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        server.setServerSocketFactory(new NoDelayServerSockets());
        server.start();
    }

    public String apiBase() {
        return server.url("/api/v10/").toString();
    }

    public synchronized void scriptPost(MockResponse r) {
        scriptedPosts.add(r);
    }

    private MockResponse handle(RecordedRequest req) {
        String path = req.getPath();
        if (path.startsWith("/gateway") || path.startsWith("/resume")) {
            connectPaths.add(path);
            Gateway g = new Gateway();
            gateways.add(g);
            return new MockResponse().withWebSocketUpgrade(g);
        }
        if (!("Bot " + token).equals(req.getHeader("Authorization"))) {
            return json(401, "{\"message\":\"401: Unauthorized\",\"code\":0}");
        }
        if (path.equals("/api/v10/gateway/bot")) {
            return json(
                    200,
                    "{\"url\":\""
                            + server.url("/gateway")
                                    .toString()
                                    .replaceFirst("^http", "ws")
                                    .replaceAll("/$", "")
                            + "\",\"shards\":1,\"session_start_limit\":{\"total\":1000,\"remaining\":999,"
                            + "\"reset_after\":86400000,\"max_concurrency\":1}}");
        }
        if (path.matches("/api/v10/channels/\\d+/messages") && req.getMethod().equals("POST")) {
            JsonNode body;
            try {
                body = JSON.readTree(req.getBody().readUtf8());
            } catch (IOException e) {
                return json(400, "{\"message\":\"Invalid JSON\",\"code\":50109}");
            }
            allCreateRequests.add(body);
            synchronized (this) {
                MockResponse s = scriptedPosts.poll();
                if (s != null) return s;
            }
            String content = body.path("content").asText("");
            if (content.codePointCount(0, content.length()) > 2000) {
                return json(400, "{\"message\":\"Invalid Form Body\",\"code\":50035}");
            }
            String nonce = body.path("nonce").asText("");
            if (body.path("enforce_nonce").asBoolean() && nonces.containsKey(nonce)) {
                return json(200, "{\"id\":\"" + nonces.get(nonce) + "\",\"content\":" + body.path("content") + "}");
            }
            String id = String.valueOf(snowflakes.incrementAndGet());
            if (!nonce.isEmpty()) nonces.put(nonce, id);
            ((ObjectNode) body).put("id", id).put("channel_id", path.split("/")[4]);
            created.add(body);
            if (createThenFail) {
                createThenFail = false;
                return json(502, "{\"message\":\"Bad Gateway\"}");
            }
            return json(200, "{\"id\":\"" + id + "\",\"content\":" + body.path("content") + "}")
                    .setHeader("X-RateLimit-Bucket", "abc")
                    .setHeader("X-RateLimit-Limit", "5")
                    .setHeader("X-RateLimit-Remaining", "4")
                    .setHeader("X-RateLimit-Reset-After", "1.0");
        }
        if (path.matches("/api/v10/channels/\\d+/typing")) return new MockResponse().setResponseCode(204);
        return json(404, "{\"message\":\"Unknown\",\"code\":0}");
    }

    public static MockResponse json(int code, String body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    public static MockResponse rateLimited(double retryAfter, boolean global) {
        MockResponse r = json(
                        429,
                        "{\"message\":\"You are being rate limited.\",\"retry_after\":" + retryAfter + ",\"global\":"
                                + global + "}")
                .setHeader("Retry-After", String.valueOf((int) Math.ceil(retryAfter)))
                .setHeader("X-RateLimit-Scope", global ? "global" : "user");
        if (global) r.setHeader("X-RateLimit-Global", "true");
        return r;
    }

    public Gateway live() {
        for (int i = gateways.size() - 1; i >= 0; i--) {
            if (gateways.get(i).ready) return gateways.get(i);
        }
        return null;
    }

    /** Emits a MESSAGE_CREATE dispatch on the live connection (recorded for resume replay). */
    public ObjectNode messageCreate(String id, String channelId, String authorId, boolean bot, String content) {
        return messageCreate(id, channelId, authorId, bot, content, true);
    }

    /** With {@code send=false} the event is only recorded: the client misses it and gets it on resume. */
    public ObjectNode messageCreate(
            String id, String channelId, String authorId, boolean bot, String content, boolean send) {
        ObjectNode d = JSON.createObjectNode();
        d.put("id", id)
                .put("channel_id", channelId)
                .put("guild_id", "G1")
                .put("content", content)
                .put("type", 0)
                .put("timestamp", "2026-11-21T10:00:00.000000+00:00");
        d.putObject("author")
                .put("id", authorId)
                .put("username", "user" + authorId)
                .put("bot", bot);
        d.putArray("attachments");
        return dispatch("MESSAGE_CREATE", d, send);
    }

    /** Records a dispatch; sends it only when {@code send} (false simulates an event missed during an outage). */
    public synchronized ObjectNode dispatch(String t, ObjectNode d, boolean send) {
        ObjectNode p = JSON.createObjectNode().put("op", 0).put("t", t).put("s", seq.incrementAndGet());
        p.set("d", d);
        dispatched.add(p);
        Gateway g = live();
        if (send && g != null) g.ws.send(p.toString());
        return p;
    }

    /** The server side of one gateway connection. */
    public final class Gateway extends WebSocketListener {
        public volatile WebSocket ws;
        public volatile boolean ready;
        public volatile boolean closed;
        public volatile int closeCodeFromClient = -1;
        public final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        public final List<Integer> heartbeats = new CopyOnWriteArrayList<>();

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            ws = webSocket;
            webSocket.send(
                    "{\"op\":10,\"d\":{\"heartbeat_interval\":" + heartbeatIntervalMs + "},\"s\":null,\"t\":null}");
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            JsonNode p;
            try {
                p = JSON.readTree(text);
            } catch (IOException e) {
                webSocket.close(4002, "decode error");
                return;
            }
            received.add(p);
            switch (p.path("op").asInt()) {
                case 1 -> {
                    heartbeats.add(1);
                    if (ackHeartbeats) webSocket.send("{\"op\":11}");
                }
                case 2 -> {
                    identifies.incrementAndGet();
                    identifyPayloads.add(p.path("d"));
                    if (!gatewayToken.equals(p.path("d").path("token").asText())) {
                        webSocket.close(4004, "Authentication failed.");
                        return;
                    }
                    if ((p.path("d").path("intents").asInt() & (1 << 15)) != 0 && !messageContentApproved) {
                        webSocket.close(4014, "Disallowed intent(s).");
                        return;
                    }
                    synchronized (FakeDiscord.this) {
                        sessionId = "sess-" + identifies.get();
                        dispatched.clear();
                        seq.set(0);
                    }
                    ready = true;
                    ObjectNode d = JSON.createObjectNode()
                            .put("v", 10)
                            .put("session_id", sessionId)
                            .put(
                                    "resume_gateway_url",
                                    server.url("/resume")
                                            .toString()
                                            .replaceFirst("^http", "ws")
                                            .replaceAll("/$", ""));
                    d.putObject("user")
                            .put("id", "BOT1")
                            .put("username", "claw")
                            .put("bot", true);
                    ObjectNode readyPayload = JSON.createObjectNode()
                            .put("op", 0)
                            .put("t", "READY")
                            .put("s", seq.incrementAndGet());
                    readyPayload.set("d", d);
                    webSocket.send(readyPayload.toString());
                }
                case 6 -> {
                    resumes.incrementAndGet();
                    resumePayloads.add(p.path("d"));
                    JsonNode d = p.path("d");
                    if (!token.equals(d.path("token").asText())) {
                        webSocket.close(4004, "Authentication failed.");
                        return;
                    }
                    if (staleSeqOnResume || !d.path("session_id").asText().equals(sessionId)) {
                        staleSeqOnResume = false;
                        webSocket.close(4007, "Invalid seq.");
                        return;
                    }
                    long from = d.path("seq").asLong();
                    ready = true;
                    List<ObjectNode> replay = new ArrayList<>();
                    synchronized (FakeDiscord.this) {
                        for (ObjectNode e : dispatched) {
                            if (e.path("s").asLong() > from - replayOverlap) replay.add(e);
                        }
                    }
                    for (ObjectNode e : replay) webSocket.send(e.toString());
                    webSocket.send("{\"op\":0,\"t\":\"RESUMED\",\"s\":" + seq.incrementAndGet() + ",\"d\":{}}");
                }
                default -> {}
            }
        }

        public void sendOp(int op, String d) {
            ws.send("{\"op\":" + op + ",\"d\":" + d + ",\"s\":null,\"t\":null}");
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            closeCodeFromClient = code;
            ready = false;
            webSocket.close(code, null);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            ready = false;
            closed = true;
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            ready = false;
            closed = true;
        }
    }

    @Override
    public void close() throws IOException {
        for (Gateway g : gateways) {
            if (g.ws != null && !g.closed) g.ws.close(1001, "test over");
        }
        server.shutdown();
    }
}
