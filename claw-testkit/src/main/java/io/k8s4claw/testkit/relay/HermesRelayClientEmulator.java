package io.k8s4claw.testkit.relay;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The Hermes gateway's side of the relay (docs/openclaw-and-relay-peers.md), to test a connector:
 * it mints the HMAC upgrade token, dials {@code <base>/relay}, sends one {@code hello} per platform,
 * collects {@code descriptor}s and {@code inbound} events, sends {@code outbound} actions and correlates
 * their {@code outbound_result}s, sends {@code going_idle}, and can reconnect with a fresh token. Like Hermes it writes
 * one frame per WebSocket message in Python's JSON style ({@code ", "} and {@code ": "} separators, non-ASCII escaped),
 * reads by concatenating messages and splitting on {@code \n}, and pings every 30 s.
 */
public final class HermesRelayClientEmulator implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hermes' own serialisation: Python json.dumps defaults. */
    private static final ObjectMapper PYTHON_STYLE =
            JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private static final SecureRandom RANDOM = new SecureRandom();

    /** How the upgrade request authenticates. */
    public sealed interface Auth {
        /** A correctly signed token expiring {@code ttl} from now (Hermes uses 300 s). */
        record Signed(String gatewayId, String secret, Duration ttl) implements Auth {}

        /** A token signed correctly but whose {@code exp} is this instant (in the past to test expiry). */
        record SignedWithExp(String gatewayId, String secret, long expUnixSeconds) implements Auth {}

        /** A raw bearer value (forged or malformed tokens). */
        record Raw(String bearer) implements Auth {}

        /** No Authorization header (what Hermes does when ID or SECRET is missing). */
        record None() implements Auth {}
    }

    /** How the socket ended. */
    public record Closed(int code, String reason) {}

    private final URI relayUrl;
    private final OkHttpClient http;
    private final List<String> platforms;
    private final Map<String, String> botIds;
    private volatile Auth auth;
    private volatile Connection current;

    /** One dial: a socket and what arrived on it. */
    public final class Connection {
        private final WebSocket socket;
        private final StringBuilder buffer = new StringBuilder();
        private final BlockingQueue<JsonNode> descriptors = new LinkedBlockingQueue<>();
        private final BlockingQueue<JsonNode> inbound = new LinkedBlockingQueue<>();
        private final BlockingQueue<JsonNode> other = new LinkedBlockingQueue<>();
        private final List<String> rawLines = new ArrayList<>();
        private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final CompletableFuture<Response> opened = new CompletableFuture<>();
        private final CompletableFuture<Closed> closed = new CompletableFuture<>();

        private Connection(Request request) {
            socket = http.newWebSocket(request, new WebSocketListener() {
                @Override
                public void onOpen(WebSocket webSocket, Response response) {
                    opened.complete(response);
                }

                @Override
                public void onMessage(WebSocket webSocket, String text) {
                    onText(text);
                }

                @Override
                public void onClosing(WebSocket webSocket, int code, String reason) {
                    closed.complete(new Closed(code, reason));
                    webSocket.close(1000, null);
                }

                @Override
                public void onClosed(WebSocket webSocket, int code, String reason) {
                    closed.complete(new Closed(code, reason));
                    failPending("relay transport connection lost");
                }

                @Override
                public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                    opened.completeExceptionally(t);
                    closed.complete(new Closed(
                            response != null ? -response.code() : 1006,
                            response != null ? "HTTP " + response.code() : String.valueOf(t)));
                    failPending("relay transport connection lost");
                }
            });
        }

        private synchronized void onText(String text) {
            buffer.append(text);
            int nl;
            while ((nl = buffer.indexOf("\n")) >= 0) {
                String line = buffer.substring(0, nl);
                buffer.delete(0, nl + 1);
                rawLines.add(line);
                if (line.isBlank()) {
                    continue;
                }
                JsonNode frame;
                try {
                    frame = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    continue; // Hermes skips unparseable lines with a warning
                }
                switch (frame.path("type").asText()) {
                    case "descriptor" -> descriptors.add(frame.path("descriptor"));
                    case "inbound" -> inbound.add(frame.path("event"));
                    case "outbound_result" -> {
                        CompletableFuture<JsonNode> f =
                                pending.remove(frame.path("requestId").asText());
                        if (f != null) {
                            f.complete(frame.path("result"));
                        } else {
                            other.add(frame);
                        }
                    }
                    default -> other.add(frame);
                }
            }
        }

        private void failPending(String why) {
            pending.values()
                    .forEach(f -> f.complete(
                            JSON.createObjectNode().put("success", false).put("error", why)));
            pending.clear();
        }

        /** Completes when the upgrade succeeded (101); fails when it was refused. */
        public CompletableFuture<Response> opened() {
            return opened;
        }

        public CompletableFuture<Closed> closed() {
            return closed;
        }

        public JsonNode awaitDescriptor(Duration timeout) throws InterruptedException {
            return require(descriptors.poll(timeout.toMillis(), TimeUnit.MILLISECONDS), "descriptor", timeout);
        }

        public JsonNode awaitInbound(Duration timeout) throws InterruptedException {
            return require(inbound.poll(timeout.toMillis(), TimeUnit.MILLISECONDS), "inbound event", timeout);
        }

        /** Frames other than descriptor/inbound/correlated results (e.g. {@code going_idle_ack}). */
        public JsonNode awaitOther(Duration timeout) throws InterruptedException {
            return require(other.poll(timeout.toMillis(), TimeUnit.MILLISECONDS), "frame", timeout);
        }

        public synchronized List<String> rawLines() {
            return List.copyOf(rawLines);
        }

        /** Sends an {@code outbound} action; the future completes with its {@code result} object. */
        public CompletableFuture<JsonNode> outbound(ObjectNode action, String platform) {
            String requestId = HexFormat.of().formatHex(randomBytes(16));
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(requestId, f);
            ObjectNode frame = JSON.createObjectNode().put("type", "outbound").put("requestId", requestId);
            frame.set("action", action);
            if (platform != null) {
                frame.put("platform", platform);
            }
            sendFrame(frame);
            return f;
        }

        public CompletableFuture<JsonNode> send(
                String chatId, String content, String replyTo, String platform, Map<String, String> metadata) {
            ObjectNode a = JSON.createObjectNode()
                    .put("op", "send")
                    .put("chat_id", chatId)
                    .put("content", content);
            if (replyTo == null) {
                a.putNull("reply_to");
            } else {
                a.put("reply_to", replyTo);
            }
            ObjectNode meta = a.putObject("metadata");
            metadata.forEach(meta::put);
            return outbound(a, platform);
        }

        public CompletableFuture<JsonNode> edit(String chatId, String messageId, String content, String platform) {
            ObjectNode a = JSON.createObjectNode()
                    .put("op", "edit")
                    .put("chat_id", chatId)
                    .put("message_id", messageId)
                    .put("content", content);
            a.putObject("metadata");
            return outbound(a, platform);
        }

        public CompletableFuture<JsonNode> typing(String chatId, String platform) {
            ObjectNode a = JSON.createObjectNode().put("op", "typing").put("chat_id", chatId);
            a.putObject("metadata");
            return outbound(a, platform);
        }

        public void hello(String platform) {
            ObjectNode hello = JSON.createObjectNode()
                    .put("type", "hello")
                    .put("platform", platform)
                    .put("botId", botIds.getOrDefault(platform, ""));
            sendFrame(hello);
        }

        public void goingIdle() {
            sendFrame(JSON.createObjectNode().put("type", "going_idle"));
        }

        /** Sends raw text as one WebSocket message (for malformed-input tests). */
        public void sendRaw(String text) {
            socket.send(text);
        }

        public void sendFrame(ObjectNode frame) {
            try {
                socket.send(PYTHON_STYLE.writer(new PythonSeparators()).writeValueAsString(frame) + "\n");
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        public void close() {
            socket.close(1000, null);
        }

        /** Drops the TCP connection without a close handshake (a crash). */
        public void abort() {
            socket.cancel();
        }
    }

    public HermesRelayClientEmulator(
            URI connectorBaseUrl, Auth auth, List<String> platforms, Map<String, String> botIds) {
        this.relayUrl = relayUrl(connectorBaseUrl);
        this.auth = Objects.requireNonNull(auth, "auth");
        this.platforms = platforms.isEmpty() ? List.of("relay") : List.copyOf(platforms);
        this.botIds = Map.copyOf(botIds);
        this.http = new OkHttpClient.Builder()
                .pingInterval(Duration.ofSeconds(30))
                .readTimeout(Duration.ZERO)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Hermes' derivation: https→wss, http→ws, trailing '/' stripped, '/relay' appended unless present. */
    public static URI relayUrl(URI base) {
        String s = base.toString();
        if (s.startsWith("https://")) {
            s = "wss://" + s.substring(8);
        } else if (s.startsWith("http://")) {
            s = "ws://" + s.substring(7);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.endsWith("/relay")) {
            s = s + "/relay";
        }
        return URI.create(s);
    }

    /** Mints a token exactly as Hermes does. */
    public static String mintToken(String gatewayId, String secret, long expUnixSeconds) {
        String signed = gatewayId + ":" + expUnixSeconds;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String sig = HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((signed + ":" + sig).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public void auth(Auth auth) {
        this.auth = Objects.requireNonNull(auth, "auth");
    }

    /** Dials without saying hello (for auth tests). */
    public Connection dial() {
        Request.Builder req = new Request.Builder().url(relayUrl.toString().replaceFirst("^ws", "http"));
        Auth a = auth;
        String bearer;
        if (a instanceof Auth.Signed s) {
            bearer = mintToken(
                    s.gatewayId(), s.secret(), Instant.now().plus(s.ttl()).getEpochSecond());
        } else if (a instanceof Auth.SignedWithExp s) {
            bearer = mintToken(s.gatewayId(), s.secret(), s.expUnixSeconds());
        } else if (a instanceof Auth.Raw r) {
            bearer = r.bearer();
        } else {
            bearer = null;
        }
        if (bearer != null) {
            req.header("Authorization", "Bearer " + bearer);
        }
        Connection c = new Connection(req.build());
        current = c;
        return c;
    }

    /** Dials, says hello for every platform and waits for every descriptor, as Hermes does at connect. */
    public Connection connect(Duration timeout) throws InterruptedException {
        Connection c = dial();
        try {
            c.opened().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("relay upgrade failed: " + e.getMessage(), e);
        }
        for (String p : platforms) {
            c.hello(p);
        }
        return c;
    }

    /** Reconnect after a drop: a fresh token, hello again, expecting a fresh descriptor. */
    public Connection reconnect(Duration timeout) throws InterruptedException {
        Connection old = current;
        if (old != null) {
            old.abort();
        }
        return connect(timeout);
    }

    public Connection current() {
        return current;
    }

    @Override
    public void close() {
        Connection c = current;
        if (c != null) {
            c.close();
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    private static JsonNode require(JsonNode node, String what, Duration timeout) {
        if (node == null) {
            throw new AssertionError("no " + what + " from the connector within " + timeout);
        }
        return node;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Python's json.dumps separators: {@code ", "} between entries and {@code ": "} after keys. */
    private static final class PythonSeparators extends MinimalPrettyPrinter {
        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }
}
