package io.k8s4claw.bridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.BridgeConfig;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundTarget;
import io.k8s4claw.bridge.testing.ScriptedConnector;
import io.k8s4claw.bridge.testing.ScriptedConnector.Action;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.testing.TestSidecar;
import io.k8s4claw.bridge.wal.FileStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryEngineTest {

    private static final Duration T = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private Bridge bridge;

    private Bridge start(BridgeConfig cfg, ScriptedConnector runtime) throws Exception {
        bridge = Bridge.start(cfg, runtime, FileStore.DEFAULT);
        return bridge;
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private static DeliveryPolicy policy(int maxRuns, int maxAttempts, Duration deadLetterAfter) {
        return new DeliveryPolicy(maxRuns, Duration.ofMillis(10), Duration.ofMillis(100), deadLetterAfter, maxAttempts);
    }

    @Test
    void conversationsAreOrderedAndRunsBounded() throws Exception {
        ScriptedConnector runtime = new ScriptedConnector();
        runtime.script(m -> Action.ACCEPT_AND_HOLD);
        start(TestConfigs.with(TestConfigs.config(dir), policy(3, 100, Duration.ofMinutes(5))), runtime);
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            for (int c = 0; c < 5; c++) {
                s.sendMessage("c" + c + "-first", "conv" + c, "1");
                s.sendMessage("c" + c + "-second", "conv" + c, "2");
            }
            await().atMost(T).until(() -> runtime.openRuns.size() == 3);
            // A message is handed to the engine (which starts it at once if a slot is free, delivering in the
            // same call) before its Ack is sent: once all ten are acked, every start there will be has happened.
            for (int i = 0; i < 10; i++) {
                s.await(Frame::hasAck, T);
            }
            assertThat(bridge.engine().running()).isEqualTo(3);
            assertThat(bridge.engine().queued())
                    .as("all ten in the engine (a running message stays queued)")
                    .isEqualTo(10);
            assertThat(runtime.openRuns).hasSize(3);
            assertThat(runtime.openRuns.keySet()).allMatch(id -> id.endsWith("-first"));
            // finish everything as it comes; seconds only ever start after their firsts ended
            Map<String, Long> finishedAt = new ConcurrentHashMap<>();
            AtomicInteger done = new AtomicInteger();
            while (done.get() < 10) {
                await().atMost(T).until(() -> !runtime.openRuns.isEmpty());
                for (String id : List.copyOf(runtime.openRuns.keySet())) {
                    if (id.endsWith("-second")) {
                        String first = id.replace("-second", "-first");
                        assertThat(finishedAt)
                                .as("%s started before %s ended", id, first)
                                .containsKey(first);
                    }
                    finishedAt.put(id, System.nanoTime());
                    runtime.finish(id, "ok " + id);
                    done.incrementAndGet();
                }
            }
            assertThat(runtime.maxConcurrent.get()).isEqualTo(3);
        }
    }

    @Test
    void retryableFailuresAreRetriedUntilAccepted() throws Exception {
        ScriptedConnector runtime = new ScriptedConnector();
        AtomicInteger attempts = new AtomicInteger();
        runtime.script(m -> attempts.incrementAndGet() <= 3 ? Action.RETRYABLE : Action.ACCEPT_AND_ECHO);
        start(TestConfigs.config(dir), runtime);
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            s.sendMessage("m1", "C1", "persist");
            s.await(Frame::hasAck, T);
            Frame fin = s.await(f -> f.hasReply() && f.getReply().hasFinal(), T);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("echo: persist");
        }
        assertThat(runtime.callsFor("m1")).isEqualTo(4);
        assertThat(runtime.calls)
                .extracting(ScriptedConnector.Call::idempotencyKey)
                .containsOnly(InboundMessage.idempotencyKeyFor("ch", "m1"));
    }

    @Test
    void deadLettersAreNackedShownListedAndReplayable() throws Exception {
        ScriptedConnector runtime = new ScriptedConnector();
        runtime.script(m -> Action.RETRYABLE);
        BridgeConfig cfg = TestConfigs.with(TestConfigs.config(dir), policy(10, 3, Duration.ofMinutes(5)));
        start(cfg, runtime);
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            s.sendMessage("m1", "C1", "doomed");
            s.await(Frame::hasAck, T);
            Frame nack = s.await(Frame::hasNack, T);
            assertThat(nack.getNack().getReason()).isEqualTo(Nack.Reason.DEAD_LETTERED);
            assertThat(nack.getNack().getUserVisibleText()).isNotEmpty();
            assertThat(nack.getNack().getDetail()).contains("3 attempts").contains("unreachable");
            Frame err = s.await(f -> f.hasReply() && f.getReply().hasError(), T);
            assertThat(err.getReply().getError().getCode()).isEqualTo("dead_lettered");
            assertThat(err.getReply().getInReplyTo()).isEqualTo("m1");
            assertThat(runtime.callsFor("m1")).isEqualTo(3);

            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + bridge.httpPort());
            String list = http.send(
                            HttpRequest.newBuilder(base.resolve("/v1/dead-letters"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            String id = InboundMessage.idempotencyKeyFor("ch", "m1");
            assertThat(list).contains(id).contains("\"messageId\":\"m1\"").contains("doomed");
            String metrics = http.send(
                            HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics).contains("claw_bridge_dead_letters_total{channel=\"ch\",reason=\"undeliverable\"} 1.0");

            runtime.script(m -> Action.ACCEPT_AND_ECHO);
            HttpResponse<String> replay = http.send(
                    HttpRequest.newBuilder(base.resolve("/v1/dead-letters/" + id + "/replay"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(replay.statusCode()).isEqualTo(200);
            Frame fin = s.await(f -> f.hasReply() && f.getReply().hasFinal(), T);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("echo: doomed");
            assertThat(bridge.ledger().deadLetters()).isEmpty();
            HttpResponse<String> again = http.send(
                    HttpRequest.newBuilder(base.resolve("/v1/dead-letters/" + id + "/replay"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aDeliveryTheConnectorNeverAnswersIsRetriedAfterTheAttemptTimeout() throws Exception {
        ScriptedConnector runtime = new ScriptedConnector();
        AtomicInteger attempts = new AtomicInteger();
        runtime.script(m -> attempts.incrementAndGet() == 1 ? Action.NEVER_ANSWER : Action.ACCEPT_AND_ECHO);
        start(TestConfigs.config(dir), runtime);
        bridge.engine().attemptTimeout(Duration.ofMillis(300));
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            s.sendMessage("m1", "C1", "hung once");
            Frame fin = s.await(f -> f.hasReply() && f.getReply().hasFinal(), T);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("echo: hung once");
        }
        assertThat(runtime.callsFor("m1")).isEqualTo(2);
        assertThat(runtime.calls)
                .extracting(ScriptedConnector.Call::idempotencyKey)
                .containsOnly(InboundMessage.idempotencyKeyFor("ch", "m1"));
    }

    @Test
    void permanentRefusalIsDeadLetteredAsRejected() throws Exception {
        ScriptedConnector runtime = new ScriptedConnector();
        runtime.script(m -> Action.PERMANENT);
        start(TestConfigs.config(dir), runtime);
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            s.sendMessage("m1", "C1", "x");
            Frame nack = s.await(Frame::hasNack, T);
            assertThat(nack.getNack().getReason()).isEqualTo(Nack.Reason.RUNTIME_REJECTED);
            assertThat(nack.getNack().getDetail()).contains("unauthorized");
        }
        assertThat(runtime.callsFor("m1")).isEqualTo(1);
    }

    @Test
    void recoveryResumesAcceptedRunsAndRedeliversTheRest() throws Exception {
        ScriptedConnector first = new ScriptedConnector();
        first.script(m -> m.messageId().equals("accepted") ? Action.ACCEPT_AND_HOLD : Action.NEVER_ANSWER);
        start(TestConfigs.config(dir), first);
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            s.sendMessage("accepted", "C1", "a");
            s.sendMessage("unanswered", "C2", "b");
            s.await(Frame::hasAck, T);
            s.await(Frame::hasAck, T);
            await().atMost(T).until(() -> first.openRuns.containsKey("accepted") && first.callsFor("unanswered") == 1);
        }
        bridge.close(); // like a crash: the runs never ended
        Thread.sleep(100);

        ScriptedConnector second = new ScriptedConnector();
        start(TestConfigs.config(dir), second);
        await().atMost(T).until(() -> second.calls.size() == 2);
        assertThat(second.calls).anySatisfy(c -> {
            assertThat(c.messageId()).isEqualTo("accepted");
            assertThat(c.kind()).isEqualTo("resume");
            assertThat(c.runRef()).isEqualTo("run-accepted");
        });
        assertThat(second.calls).anySatisfy(c -> {
            assertThat(c.messageId()).isEqualTo("unanswered");
            assertThat(c.kind()).isEqualTo("deliver");
        });
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            List<String> finals = new ArrayList<>();
            finals.add(s.await(f -> f.hasReply() && f.getReply().hasFinal(), T)
                    .getReply()
                    .getInReplyTo());
            finals.add(s.await(f -> f.hasReply() && f.getReply().hasFinal(), T)
                    .getReply()
                    .getInReplyTo());
            assertThat(finals).containsExactlyInAnyOrder("accepted", "unanswered");
        }
        bridge.close();
        // a third start has nothing left to deliver
        ScriptedConnector third = new ScriptedConnector();
        start(TestConfigs.config(dir), third);
        // Recovery hands every pending message to the engine inside start(), which delivers it in the same call:
        // once start() returned, anything left would have been delivered (or be pending) — no need to wait.
        assertThat(bridge.ledger().pendingCount()).isZero();
        assertThat(third.calls).isEmpty();
        // and this bridge does deliver: a new message is its one and only call
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            s.sendMessage("after-restart", "C3", "c");
            s.await(Frame::hasAck, T);
            await().atMost(T).until(() -> third.calls.size() == 1);
        }
        assertThat(third.calls)
                .singleElement()
                .satisfies(c -> assertThat(c.messageId()).isEqualTo("after-restart"));
    }

    @Test
    void proactiveMessagesAreRoutedAndCompleteOnReplyAck() throws Exception {
        ScriptedConnector runtime = new ScriptedConnector();
        start(TestConfigs.config(dir), runtime);
        try (TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("slack-main", 0);
            var result = runtime.outbound
                    .send(new OutboundTarget(null, "webhook", "C9", ""), "cron says hi", null)
                    .toCompletableFuture();
            Frame r = s.await(Frame::hasReply, T);
            assertThat(r.getReply().getFinal().getText()).isEqualTo("cron says hi");
            assertThat(r.getReply().getConversationId()).isEqualTo("C9");
            assertThat(r.getReply().getInReplyTo()).isEmpty();
            s.send(s.frames().replyAck(r.getReply().getReplySeq(), true, "", false, List.of("171.5")));
            assertThat(result.get(10, TimeUnit.SECONDS).lastMessageId()).isEqualTo("171.5");
            var unknown = runtime.outbound
                    .send(new OutboundTarget(null, "discord", "C9", ""), "x", null)
                    .toCompletableFuture();
            Assertions.assertThatThrownBy(unknown::join).hasMessageContaining("no channel of type 'discord'");
        }
    }
}
