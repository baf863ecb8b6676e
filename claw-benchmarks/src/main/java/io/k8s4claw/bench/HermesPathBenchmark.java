package io.k8s4claw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.ReplyOutcome;
import io.k8s4claw.testkit.hermes.RealHermes;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import io.k8s4claw.testkit.llm.ScriptedReply;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Hermes path's added latency: a message from the channel SDK ({@link BusClient}, what a channel sidecar
 * uses) through the bridge (its main class in a child JVM with the container's flags, {@code hermes-sse},
 * write-ahead log with fsync) to the real Hermes Agent (hermes-agent 0.19.0, installed by the testkit) and its
 * final reply back to the SDK, against a direct client of the same Hermes ({@code POST /v1/runs}, then its SSE
 * events until {@code run.completed} — the least a client must do). The fake model answers at once. Messages
 * alternate between the two paths (which goes first alternates too), each in its own conversation, so load drift
 * on the machine hits both alike. Prints p50/p99 of each and the difference. Asserts nothing.
 *
 * <p>{@code java -cp claw-benchmarks/target/claw-benchmarks-*-all.jar io.k8s4claw.bench.HermesPathBenchmark}
 * (system property {@code bench.hermes.messages}, default 200 per path, after 20 warm-up messages per path).
 */
public final class HermesPathBenchmark {

    private static final int MESSAGES = Integer.getInteger("bench.hermes.messages", 200);
    private static final int WARMUP = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("hermes-path-bench-");
        try (FakeOpenAiServer model = FakeOpenAiServer.start()) {
            model.script(r -> ScriptedReply.of("ok", 1));
            long t0 = System.nanoTime();
            try (RealHermes hermes = RealHermes.builder()
                    .root(work.resolve("hermes"))
                    .configYaml(RealHermes.modelConfig(model.baseUrl()))
                    .start()) {
                System.out.printf(
                        "Hermes path benchmark: real hermes-agent %s (install+start %d ms), %d messages per path"
                                + " after %d warm-up, %d CPUs, %s %s%n",
                        hermes.installation().version(),
                        (System.nanoTime() - t0) / 1_000_000,
                        MESSAGES,
                        WARMUP,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.vm.name"),
                        System.getProperty("java.version"));
                measure(work, hermes);
            }
        }
    }

    private static void measure(Path work, RealHermes hermes) throws Exception {
        Path sock = work.resolve("bus.sock");
        Map<String, String> env = new HashMap<>();
        env.put("CLAW_BUS_SOCKET", sock.toString());
        env.put("CLAW_BRIDGE_DATA_DIR", work.resolve("wal").toString());
        env.put("CLAW_BRIDGE_HTTP_PORT", "0");
        env.put("CLAW_RUNTIME_PROTOCOL", "hermes-sse");
        env.put("CLAW_RUNTIME_URL", hermes.baseUrl().toString());
        env.put("CLAW_RUNTIME_TOKEN", hermes.apiKey());
        env.put("CLAW_BRIDGE_FSYNC", "true");
        try (ChildJvm bridge = ChildJvm.start("io.k8s4claw.bridge.BridgeMain", List.of(), env, "BRIDGE-", work)) {
            Map<String, CompletableFuture<Long>> finals = new ConcurrentHashMap<>();
            BusClient sdk = BusClient.builder()
                    .socketPath(sock)
                    .channel("bench", "slack")
                    .instanceId("bench-0")
                    .sidecarVersion("bench")
                    .replyHandler(reply -> {
                        if (reply.hasFinal() || reply.hasError()) {
                            CompletableFuture<Long> f = finals.get(reply.getInReplyTo());
                            if (f != null) {
                                if (reply.hasFinal()) {
                                    f.complete(System.nanoTime());
                                } else {
                                    f.completeExceptionally(new IllegalStateException(
                                            reply.getError().getCode()));
                                }
                            }
                        }
                        return CompletableFuture.completedFuture(ReplyOutcome.delivered("pm-" + reply.getReplySeq()));
                    })
                    .build();
            sdk.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!sdk.isConnected() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            DirectClient direct = new DirectClient(hermes.baseUrl(), hermes.apiKey());
            List<Long> viaBridge = new ArrayList<>();
            List<Long> viaDirect = new ArrayList<>();
            for (int i = 0; i < WARMUP + MESSAGES; i++) {
                long b;
                long d;
                if (i % 2 == 0) {
                    b = viaBridge(sdk, finals, i);
                    d = direct.turn("direct " + i, "bench-direct-" + i);
                } else {
                    d = direct.turn("direct " + i, "bench-direct-" + i);
                    b = viaBridge(sdk, finals, i);
                }
                if (i >= WARMUP) {
                    viaBridge.add(b);
                    viaDirect.add(d);
                }
            }
            sdk.close();
            long[] bs = viaBridge.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] ds = viaDirect.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(
                    "direct client (POST /v1/runs + SSE to run.completed)  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms%n",
                    ms(pct(ds, 50)), ms(pct(ds, 99)), ms(ds[ds.length - 1]));
            System.out.printf(
                    "channel SDK -> bridge -> Hermes -> final reply        p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms%n",
                    ms(pct(bs, 50)), ms(pct(bs, 99)), ms(bs[bs.length - 1]));
            System.out.printf(
                    "added by the bridge path: p50 %+.2f ms, p99 %+.2f ms%n",
                    ms(pct(bs, 50) - pct(ds, 50)), ms(pct(bs, 99) - pct(ds, 99)));
        }
    }

    private static long viaBridge(BusClient sdk, Map<String, CompletableFuture<Long>> finals, int i) throws Exception {
        String id = "bench-bridge-" + i;
        CompletableFuture<Long> done = new CompletableFuture<>();
        finals.put(id, done);
        long start = System.nanoTime();
        sdk.publish(UserMessage.newBuilder()
                .setMessageId(id)
                .setConversationId("CBENCH" + i)
                .setChatType(ChatType.CHANNEL)
                .setSender(Sender.newBuilder().setId("U1").setDisplayName("Bench"))
                .setText("bridge " + i)
                .build());
        long end = done.get(120, TimeUnit.SECONDS);
        finals.remove(id);
        return end - start;
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** The least a client of the runs API does: start the run, read its events to {@code run.completed}. */
    private record DirectClient(URI base, String key, HttpClient http) {

        DirectClient(URI base, String key) {
            this(
                    base,
                    key,
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        }

        long turn(String text, String session) throws Exception {
            long start = System.nanoTime();
            HttpResponse<String> created = http.send(
                    HttpRequest.newBuilder(base.resolve("/v1/runs"))
                            .header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
                                    .put("input", text)
                                    .put("session_id", session)
                                    .toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 202) {
                throw new IllegalStateException(
                        "POST /v1/runs answered " + created.statusCode() + ": " + created.body());
            }
            String runId = JSON.readTree(created.body()).path("run_id").asText();
            HttpResponse<InputStream> events = http.send(
                    HttpRequest.newBuilder(base.resolve("/v1/runs/" + runId + "/events"))
                            .header("Authorization", "Bearer " + key)
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        JsonNode e = JSON.readTree(line.substring(6));
                        String kind = e.path("event").asText();
                        if (kind.equals("run.completed")) {
                            return System.nanoTime() - start;
                        }
                        if (kind.equals("run.failed") || kind.equals("run.cancelled")) {
                            throw new IllegalStateException(kind + ": " + e);
                        }
                    }
                }
            }
            throw new IllegalStateException("run " + runId + " ended without run.completed");
        }
    }
}
