package io.k8s4claw.testkit.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Installs Node 24 + openclaw from npm (once, into the cache) and runs the real gateway against the fake model:
 * proves the test peer works before the bridge's connector tests rely on it. Prints install and start times.
 */
class RealOpenClawGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiServer model;
    private static OpenClawGateway gateway;

    @BeforeAll
    static void startGateway() {
        long t0 = System.nanoTime();
        OpenClawInstallation installation = OpenClawInstaller.ensureInstalled();
        long installMs = (System.nanoTime() - t0) / 1_000_000;
        model = FakeOpenAiServer.start();
        gateway = OpenClawGateway.builder()
                .installation(installation)
                .config(OpenClawConfigs.withFakeModel(model.baseUrl()))
                .start();
        System.out.printf(
                "openclaw: ensureInstalled %d ms, gateway start %d ms (port %d)%n",
                installMs, gateway.lastStartDuration().toMillis(), gateway.port());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    void installIsIdempotentAndPointsAtNode24() throws Exception {
        OpenClawInstallation again = OpenClawInstaller.ensureInstalled();
        assertThat(again).isEqualTo(gateway.installation());
        Process p = new ProcessBuilder(again.nodeBinary().toString(), "--version").start();
        assertThat(new String(p.getInputStream().readAllBytes()).trim())
                .isEqualTo("v" + OpenClawInstaller.NODE_VERSION);
        assertThat(Files.readString(gateway.logFile())).doesNotContain(gateway.token());
    }

    @Test
    void backendClientConnectsAndGetsAStreamedReplyFromTheFakeModel() throws Exception {
        BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(gateway.url(), new WebSocket.Listener() {
                    final StringBuilder buf = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        buf.append(data);
                        if (last) {
                            try {
                                frames.add(JSON.readTree(buf.toString()));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            buf.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        try {
            JsonNode challenge =
                    next(frames, f -> "connect.challenge".equals(f.path("event").asText()));
            assertThat(challenge.path("payload").path("nonce").asText()).isNotEmpty();
            ws.sendText("""
                    {"type":"req","id":"c-1","method":"connect","params":{"minProtocol":4,"maxProtocol":4,
                     "client":{"id":"gateway-client","version":"0.1.0","platform":"linux","mode":"backend"},
                     "role":"operator","scopes":["operator.read","operator.write"],"caps":[],
                     "auth":{"token":"%s"}}}""".formatted(gateway.token()), true).join();
            JsonNode hello = next(frames, f -> "c-1".equals(f.path("id").asText()));
            assertThat(hello.path("ok").asBoolean()).as(hello.toString()).isTrue();
            assertThat(hello.path("payload").path("protocol").asInt()).isEqualTo(4);
            assertThat(hello.path("payload").path("auth").path("scopes").toString())
                    .contains("operator.write");

            ws.sendText("""
                    {"type":"req","id":"r-2","method":"chat.send",\
                    "params":{"sessionKey":"agent:main:slack:channel:c0testkit",
                     "message":"testkit ping","idempotencyKey":"testkit-1","queueMode":"followup",\
                    "timeoutMs":120000}}""", true).join();
            JsonNode ack = next(frames, f -> "r-2".equals(f.path("id").asText()));
            assertThat(ack.path("payload").path("runId").asText()).isEqualTo("testkit-1");
            JsonNode fin = next(
                    frames,
                    f -> "chat".equals(f.path("event").asText())
                            && "testkit-1"
                                    .equals(f.path("payload").path("runId").asText())
                            && f.path("payload").path("state").asText().matches("final|error|aborted"));
            assertThat(fin.path("payload").path("state").asText())
                    .as(fin.toString())
                    .isEqualTo("final");
            assertThat(fin.path("payload")
                            .path("message")
                            .path("content")
                            .get(0)
                            .path("text")
                            .asText())
                    .isEqualTo("echo: testkit ping");
            assertThat(model.agentTurnsFor("testkit ping")).isEqualTo(1);
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    private static JsonNode next(BlockingQueue<JsonNode> frames, Predicate<JsonNode> match)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode f = frames.poll(1, TimeUnit.SECONDS);
            if (f != null && match.test(f)) {
                return f;
            }
        }
        throw new AssertionError("no matching frame within 90 s");
    }
}
