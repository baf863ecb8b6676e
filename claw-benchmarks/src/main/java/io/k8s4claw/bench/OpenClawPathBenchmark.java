package io.k8s4claw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.openclaw.OpenClawGatewayConnector;
import io.k8s4claw.bridge.runtime.openclaw.OpenClawSettings;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import io.k8s4claw.testkit.llm.ScriptedReply;
import io.k8s4claw.testkit.openclaw.OpenClawConfigs;
import io.k8s4claw.testkit.openclaw.OpenClawGateway;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * The OpenClaw path's added latency: the bridge's {@link OpenClawGatewayConnector} against a minimal direct
 * WebSocket client (handshake, {@code chat.send}, wait for the run's terminal {@code chat} event — nothing else),
 * both against the same real gateway (openclaw@2026.9.6, installed by the testkit) and the same instant fake model,
 * interleaved message by message (alternating which goes first) so load drift on the machine hits both alike. Each
 * message goes to its own fresh session. Prints ack latency (send → {@code chat.send} answered) and reply latency (send
 * → final), p50/p90/max, and the connector's added p50. Then the same against an instant loopback v4 peer (2000
 * messages per path), which isolates what the connector itself costs from the gateway's noise. Asserts nothing.
 *
 * <p>{@code java -cp claw-benchmarks/target/claw-benchmarks-*-all.jar io.k8s4claw.bench.OpenClawPathBenchmark}
 * (system property {@code bench.openclaw.messages}, default 20 per path, after 3 warm-up messages per path).
 */
public final class OpenClawPathBenchmark {

    private static final int MESSAGES = Integer.getInteger("bench.openclaw.messages", 20);
    private static final int WARMUP = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        try (FakeOpenAiServer model = FakeOpenAiServer.start()) {
            model.script(r -> ScriptedReply.of("ok", 1));
            long t0 = System.nanoTime();
            try (OpenClawGateway gateway = OpenClawGateway.builder()
                    .config(OpenClawConfigs.withFakeModel(model.baseUrl()))
                    .start()) {
                System.out.printf(
                        "OpenClaw path benchmark: real gateway %s (install+start %d ms), %d messages per path after %d"
                                + " warm-up, %d CPUs, %s %s%n",
                        gateway.installation().openclawVersion(),
                        (System.nanoTime() - t0) / 1_000_000,
                        MESSAGES,
                        WARMUP,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.vm.name"),
                        System.getProperty("java.version"));
                measure(gateway.url(), gateway.token(), MESSAGES);
            }
        }
        // The same two clients against a minimal v4 peer that answers at once: what the connector itself costs,
        // without the gateway's noise.
        try (InstantGateway instant = new InstantGateway()) {
            instant.start();
            instant.started.get(10, TimeUnit.SECONDS);
            System.out.printf(
                    "%nagainst an instant loopback v4 peer (ack and final sent at once), %d messages per path:%n",
                    2000);
            measure(URI.create("ws://127.0.0.1:" + instant.getPort() + "/"), "t".repeat(64), 2000);
        }
    }

    private static void measure(URI url, String token, int messages) throws Exception {
        DirectClient direct = new DirectClient(url, token);
        direct.connectBlocking(30, TimeUnit.SECONDS);
        direct.hello.get(60, TimeUnit.SECONDS);
        OpenClawGatewayConnector connector =
                new OpenClawGatewayConnector(OpenClawSettings.defaults(url, token), Clock.systemUTC());
        connector.start(null);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!connector.health().isUp() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<long[]> directRuns = new ArrayList<>();
        List<long[]> bridgeRuns = new ArrayList<>();
        int warmup = messages > 100 ? 500 : WARMUP;
        for (int i = 0; i < warmup + messages; i++) {
            // alternate who goes first: the gateway keeps working after a turn (recaps, titles), which
            // would otherwise always slow the second path
            long[] d;
            long[] b;
            if (i % 2 == 0) {
                d = direct.turn("bench-direct-" + i);
                b = viaConnector(connector, i);
            } else {
                b = viaConnector(connector, i);
                d = direct.turn("bench-direct-" + i);
            }
            if (i >= warmup) {
                directRuns.add(d);
                bridgeRuns.add(b);
            }
        }
        connector.close();
        direct.close();
        System.out.println();
        print("ack   (chat.send answered)", directRuns, bridgeRuns, 0);
        print("reply (terminal chat event)", directRuns, bridgeRuns, 1);
    }

    private static void print(String what, List<long[]> direct, List<long[]> bridge, int index) {
        long[] d = direct.stream().mapToLong(r -> r[index]).sorted().toArray();
        long[] b = bridge.stream().mapToLong(r -> r[index]).sorted().toArray();
        System.out.printf(
                "%-28s direct client    p50 %9.3f ms  p90 %9.3f ms  max %9.3f ms%n",
                what, ms(pct(d, 50)), ms(pct(d, 90)), ms(d[d.length - 1]));
        System.out.printf(
                "%-28s bridge connector p50 %9.3f ms  p90 %9.3f ms  max %9.3f ms%n",
                "", ms(pct(b, 50)), ms(pct(b, 90)), ms(b[b.length - 1]));
        System.out.printf(
                "%-28s added by the connector: p50 %+.3f ms (%.3fx of direct)%n",
                "", ms(pct(b, 50) - pct(d, 50)), pct(b, 50) / (double) pct(d, 50));
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Returns {ack nanos, final nanos}. */
    private static long[] viaConnector(OpenClawGatewayConnector connector, int i) throws Exception {
        String id = "bench-bridge-" + i;
        InboundMessage m = new InboundMessage(
                id,
                InboundMessage.idempotencyKeyFor("bench", id),
                "bench",
                "slack",
                "CBENCH" + i,
                "",
                new InboundMessage.Sender("U1", "Bench", false),
                "ping",
                "",
                List.of(),
                Map.of(),
                InboundMessage.ChatType.CHANNEL,
                Instant.EPOCH);
        CompletableFuture<Long> done = new CompletableFuture<>();
        long start = System.nanoTime();
        ReplySink sink = new ReplySink() {
            public void onStart() {}

            public void onDelta(String t) {}

            public void onFinal(String t) {
                done.complete(System.nanoTime());
            }

            public void onError(String c, String t) {
                done.completeExceptionally(new IllegalStateException(c + ": " + t));
            }

            public void onTyping() {}

            public void onApprovalRequest(String a, String t, List<String> c) {}
        };
        connector.deliver(m, sink).toCompletableFuture().get(60, TimeUnit.SECONDS);
        long ack = System.nanoTime();
        long fin = done.get(120, TimeUnit.SECONDS);
        return new long[] {ack - start, fin - start};
    }

    /** A v4 peer that acks every chat.send and sends its final at once (no agent). */
    static final class InstantGateway extends WebSocketServer implements AutoCloseable {
        final CompletableFuture<Void> started = new CompletableFuture<>();

        InstantGateway() {
            super(new InetSocketAddress("127.0.0.1", 0));
            setTcpNoDelay(true);
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake h) {
            conn.send("{\"type\":\"event\",\"event\":\"connect.challenge\",\"payload\":{\"nonce\":\"n\",\"ts\":0}}");
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            try {
                JsonNode f = JSON.readTree(message);
                String id = f.path("id").asText();
                switch (f.path("method").asText()) {
                    case "connect" ->
                        conn.send("{\"type\":\"res\",\"id\":\"" + id
                                + "\",\"ok\":true,\"payload\":{\"type\":\"hello-ok\","
                                + "\"protocol\":4,\"auth\":{\"scopes\":[\"operator.read\","
                                + "\"operator.write\"]},\"policy\":{\"tickIntervalMs\":30000}}}");
                    case "chat.send" -> {
                        String run = f.path("params").path("idempotencyKey").asText();
                        conn.send("{\"type\":\"res\",\"id\":\"" + id + "\",\"ok\":true,\"payload\":{\"runId\":\"" + run
                                + "\",\"status\":\"started\"}}");
                        conn.send("{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":\"" + run
                                + "\",\"seq\":1,\"state\":\"final\","
                                + "\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
                                + "\"text\":\"ok\"}]}}}");
                    }
                    default -> {}
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {}

        @Override
        public void onError(WebSocket conn, Exception ex) {}

        @Override
        public void onStart() {
            started.complete(null);
        }

        @Override
        public void close() throws Exception {
            stop(1000);
        }
    }

    /** The baseline: the least a client must do (openclaw.md §9), with no durability, recovery or mapping. */
    private static final class DirectClient extends WebSocketClient {
        final CompletableFuture<Void> hello = new CompletableFuture<>();
        private final String token;
        private final Map<String, CompletableFuture<Long>> acks = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<Long>> finals = new ConcurrentHashMap<>();

        DirectClient(URI url, String token) {
            super(url);
            this.token = token;
            setConnectionLostTimeout(0);
            setTcpNoDelay(true);
        }

        long[] turn(String key) throws Exception {
            CompletableFuture<Long> ack = new CompletableFuture<>();
            CompletableFuture<Long> fin = new CompletableFuture<>();
            acks.put("r-" + key, ack);
            finals.put(key, fin);
            long start = System.nanoTime();
            send("{\"type\":\"req\",\"id\":\"r-" + key
                    + "\",\"method\":\"chat.send\",\"params\":{\"sessionKey\":\"agent:main:slack:channel:c" + key
                    + "\",\"message\":\"[Slack] Bench (U1): ping\",\"idempotencyKey\":\"" + key
                    + "\",\"queueMode\":\"followup\",\"timeoutMs\":600000}}");
            long a = ack.get(60, TimeUnit.SECONDS);
            long f = fin.get(120, TimeUnit.SECONDS);
            return new long[] {a - start, f - start};
        }

        @Override
        public void onOpen(ServerHandshake h) {}

        @Override
        public void onMessage(String message) {
            long now = System.nanoTime();
            try {
                JsonNode f = JSON.readTree(message);
                if ("connect.challenge".equals(f.path("event").asText())) {
                    send("{\"type\":\"req\",\"id\":\"c-1\",\"method\":\"connect\",\"params\":{\"minProtocol\":4,"
                            + "\"maxProtocol\":4,"
                            + "\"client\":{\"id\":\"gateway-client\",\"version\":\"1\","
                            + "\"platform\":\"linux\",\"mode\":\"backend\"},"
                            + "\"role\":\"operator\",\"scopes\":[\"operator.read\",\"operator.write\"],"
                            + "\"caps\":[],\"auth\":{\"token\":\""
                            + token + "\"}}}");
                } else if ("c-1".equals(f.path("id").asText())) {
                    hello.complete(null);
                } else if ("res".equals(f.path("type").asText())) {
                    CompletableFuture<Long> a = acks.remove(f.path("id").asText());
                    if (a != null) {
                        a.complete(now);
                    }
                } else if ("chat".equals(f.path("event").asText())
                        && Arrays.asList("final", "error", "aborted")
                                .contains(f.path("payload").path("state").asText())) {
                    CompletableFuture<Long> fin =
                            finals.remove(f.path("payload").path("runId").asText());
                    if (fin != null) {
                        fin.complete(now);
                    }
                }
            } catch (Exception e) {
                hello.completeExceptionally(e);
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {}

        @Override
        public void onError(Exception ex) {
            hello.completeExceptionally(ex);
        }
    }
}
