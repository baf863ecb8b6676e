package io.k8s4claw.bridge.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.testkit.hermes.RealHermes;
import io.k8s4claw.testkit.llm.ChatCompletionRequest;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import io.k8s4claw.testkit.llm.ScriptedReply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes around the real Hermes Agent (hermes-agent 0.19.0 from PyPI): the bridge process killed with -9 at
 * the one point its delivery guarantee depends on the runtime, and Hermes killed or stopped under a run.
 */
class HermesRealPeerFaultTest {

    private static final Duration LONG = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private FakeOpenAiServer model;
    private RealHermes hermes;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void startHermes() {
        model = FakeOpenAiServer.start();
        hermes = RealHermes.builder()
                .root(dir.resolve("hermes"))
                .configYaml(RealHermes.modelConfig(model.baseUrl()))
                .start();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
        hermes.close();
        model.close();
    }

    private Map<String, String> env(Path dataDir, URI runtimeUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("CLAW_BUS_SOCKET", dir.resolve("bus.sock").toString());
        env.put("CLAW_BRIDGE_DATA_DIR", dataDir.toString());
        env.put("CLAW_RUNTIME_PROTOCOL", "hermes-sse");
        env.put("CLAW_RUNTIME_URL", runtimeUrl.toString());
        env.put("CLAW_RUNTIME_TOKEN", hermes.apiKey());
        env.put("CLAW_BRIDGE_RETRY_MAX", "2s");
        env.put("CLAW_BRIDGE_SHUTDOWN_GRACE", "5s");
        return env;
    }

    private BridgeProcess bridge(Path dataDir, URI runtimeUrl) throws Exception {
        BridgeProcess p = BridgeProcess.start(dir, env(dataDir, runtimeUrl));
        cleanup.add(p);
        return p;
    }

    private FaultSidecar sidecar(String channel) {
        FaultSidecar s = new FaultSidecar(channel);
        cleanup.add(0, s);
        return s;
    }

    private long agentTurnsFor(String text) {
        return model.requests().stream()
                .filter(ChatCompletionRequest::hasTools)
                .filter(r -> r.lastUserText().equals(text))
                .count();
    }

    /**
     * hermes-agent 0.19.0 has no Idempotency-Key on {@code POST /v1/runs}: a bridge killed after Hermes accepted a
     * run and before it recorded the run id delivers the message again after its restart, and Hermes runs it a
     * second time. Nothing acked is lost and the channel gets one reply; the agent acted twice (at-least-once).
     */
    @Test
    void killMinus9BetweenRunAcceptedAndRunIdRecordedRunsTheMessageTwiceOnHermes019() throws Exception {
        Path data = dir.resolve("wal");
        try (KillAtRunAcceptedProxy proxy = new KillAtRunAcceptedProxy(hermes.baseUrl())) {
            BridgeProcess first = bridge(data, proxy.baseUrl());
            proxy.killAtFirstAcceptedRun(first);
            FaultSidecar s = sidecar("slack-main");
            s.connect(dir.resolve("bus.sock"));
            String text = "crash window " + System.nanoTime();
            s.send("m1", "C1", text);
            assertThat(proxy.killed().await(LONG.toSeconds(), TimeUnit.SECONDS))
                    .as("bridge killed at the 202")
                    .isTrue();
            assertThat(proxy.acceptedRunBody()).contains("\"run_id\": \"run_");
            s.disconnect();

            bridge(data, hermes.baseUrl());
            s.connect(dir.resolve("bus.sock"));
            await().atMost(LONG).until(() -> s.finals.containsKey("m1") && agentTurnsFor(text) == 2);
            assertThat(s.finals.get("m1")).containsExactly("echo: " + text);
            assertThat(s.unacked).isEmpty();
            assertThat(agentTurnsFor(text))
                    .as("the first run ran, unseen, and the re-delivery ran again")
                    .isEqualTo(2);
        }
    }

    /**
     * Hermes killed with -9 while a run is in flight and started again on the same {@code HERMES_HOME}: the bridge
     * loses the run's stream, finds the run unknown to the new process (0.19.0 keeps runs in memory) and submits the
     * message again; every acked message is answered, and the session's turns in state.db are still there.
     */
    @Test
    void hermesKilledMidRunAndRestartedOnTheSameHomeAnswersEveryAckedMessage() throws Exception {
        bridge(dir.resolve("wal"), hermes.baseUrl());
        FaultSidecar s = sidecar("slack-main");
        s.connect(dir.resolve("bus.sock"));
        String before = "remember the code word " + System.nanoTime();
        s.send("m0", "C1", before);
        await().atMost(LONG).until(() -> s.finals.containsKey("m0"));

        model.holdAgentTurns();
        String during = "answer after the crash " + System.nanoTime();
        s.send("m1", "C1", during);
        await().atMost(LONG).until(() -> s.acked.contains("m1") && agentTurnsFor(during) == 1);
        hermes.kill();
        model.release();
        hermes.start();

        await().atMost(LONG).until(() -> s.finals.containsKey("m1"));
        assertThat(s.finals.get("m1")).containsExactly("echo: " + during);
        assertThat(s.finals.get("m0")).containsExactly("echo: " + before);
        // the session survived in state.db: the turn from before the crash and the answer after it. (0.19.0's
        // runs API stores a session's turns but does not feed them back to the model on the next run.)
        HttpResponse<String> messages = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(hermes.baseUrl().resolve("/api/sessions/slack-main.C1/messages"))
                                .header("Authorization", "Bearer " + hermes.apiKey())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(messages.statusCode()).isEqualTo(200);
        assertThat(messages.body())
                .contains(
                        "\"content\": \"" + before + "\"",
                        "\"content\": \"echo: " + before + "\"",
                        "\"content\": \"echo: " + during + "\"");
    }

    /**
     * Hermes's memory survives a kill -9 (issue #15, "sessions and memory still there"): the agent saves a fact with
     * its own memory tool (the fake model calls it), Hermes is killed with -9 and started again on the same
     * {@code HERMES_HOME}, and the next run's system prompt — which Hermes builds from {@code memories/MEMORY.md} —
     * carries the fact.
     */
    @Test
    void memoryTheAgentSavedIsStillThereAfterHermesIsKilledAndRestarted() throws Exception {
        String fact = "The deploy code word is PERSIMMON-" + System.nanoTime();
        String remember = "please remember the deploy code word marker-memory-1";
        model.script(r -> r.lastUserText().equals(remember) && !r.hasToolResult()
                ? ScriptedReply.callTool(
                        "memory",
                        new ObjectMapper()
                                .createObjectNode()
                                .put("action", "add")
                                .put("target", "memory")
                                .put("content", fact)
                                .toString())
                : FakeOpenAiServer.echo(r));
        bridge(dir.resolve("wal"), hermes.baseUrl());
        FaultSidecar s = sidecar("slack-main");
        s.connect(dir.resolve("bus.sock"));
        s.send("mem-0", "C7", remember);
        await().atMost(LONG).until(() -> s.finals.containsKey("mem-0"));
        Path memoryFile = hermes.home().resolve("memories").resolve("MEMORY.md");
        assertThat(memoryFile).as("the agent's memory tool wrote its file").exists();
        assertThat(Files.readString(memoryFile)).contains(fact);

        hermes.kill();
        hermes.start();
        String ask = "what is the deploy code word? marker-memory-2";
        s.send("mem-1", "C8", ask); // another conversation: only memory, not session history, can carry it
        await().atMost(LONG).until(() -> s.finals.containsKey("mem-1"));
        ChatCompletionRequest turn = model.requests().stream()
                .filter(ChatCompletionRequest::hasTools)
                .filter(r -> r.lastUserText().equals(ask))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertThat(turn.messages().get(0).role()).isEqualTo("system");
        assertThat(turn.messages().get(0).text())
                .as("Hermes's system prompt after the restart")
                .contains(fact);
    }

    /**
     * SIGTERM to Hermes with a run in flight, as the kubelet sends it at pod deletion, with the drain and grace the
     * hermesclaw adapter renders ({@code agent.restart_drain_timeout: 25}, 120 s), while the model call of that run
     * does not return. Hermes 0.19.0 cancels the run ({@code run.cancelled} on its stream) and, its agent thread
     * still waiting on the model, does not exit within the grace: it is killed at its end, as the kubelet would.
     * The bridge, seeing Hermes going away, does not report the cancellation to the channel but submits the message
     * again, and it is answered once Hermes is back.
     */
    @Test
    void sigtermWithARunInFlightCancelsItAndTheBridgeRunsItAgainAfterTheRestart() throws Exception {
        hermes.close();
        hermes = RealHermes.builder()
                .root(dir.resolve("hermes-drain"))
                .configYaml(RealHermes.modelConfig(model.baseUrl()) + "agent:\n  restart_drain_timeout: 25\n")
                .start();
        bridge(dir.resolve("wal"), hermes.baseUrl());
        FaultSidecar s = sidecar("slack-main");
        s.connect(dir.resolve("bus.sock"));
        model.holdAgentTurns();
        String text = "in flight at SIGTERM " + System.nanoTime();
        s.send("m1", "C1", text);
        await().atMost(LONG).until(() -> s.acked.contains("m1") && agentTurnsFor(text) == 1);

        long t0 = System.nanoTime();
        int exit = hermes.stop(Duration.ofSeconds(120));
        System.out.printf(
                "hermes SIGTERM with a run in flight (model call held): exit code %d after %d ms%n",
                exit, (System.nanoTime() - t0) / 1_000_000);
        model.release();
        assertThat(s.errors)
                .as("a cancellation by the shutdown is not reported")
                .isEmpty();

        hermes.start();
        await().atMost(LONG).until(() -> s.finals.containsKey("m1"));
        assertThat(s.finals.get("m1")).containsExactly("echo: " + text);
        assertThat(s.errors).isEmpty();
        assertThat(agentTurnsFor(text))
                .as("the cancelled turn and the resubmitted one")
                .isEqualTo(2);
    }
}
