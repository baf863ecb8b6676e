package io.k8s4claw.bridge.runtime.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.testing.TestSidecar;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.testkit.llm.ChatCompletionRequest;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import io.k8s4claw.testkit.llm.ScriptedReply;
import io.k8s4claw.testkit.openclaw.OpenClawConfigs;
import io.k8s4claw.testkit.openclaw.OpenClawGateway;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenClaw connector against the real gateway (openclaw@2026.9.6 on Node 24, installed from npm by the testkit)
 * with a fake OpenAI-compatible model. One gateway for the class; the restart test restarts it in place.
 */
class OpenClawRealGatewayTest {

    /** The machine is shared and slow under load: a gateway start has taken 10–70 s here. */
    private static final Duration TURN = Duration.ofSeconds(120);

    private static final Pattern MARKER = Pattern.compile("marker-[0-9a-z-]+");

    private static FakeOpenAiServer model;
    private static OpenClawGateway gateway;
    private OpenClawGatewayConnector connector;

    @BeforeAll
    static void startGateway() {
        model = FakeOpenAiServer.start();
        gateway = OpenClawGateway.builder()
                .config(OpenClawConfigs.withFakeModel(model.baseUrl()))
                .start();
        System.out.printf(
                "openclaw gateway started in %d ms%n",
                gateway.lastStartDuration().toMillis());
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @BeforeEach
    void connect() {
        // answer for the marker found in the conversation: a turn resumed after a crash still names it
        model.script(r -> ScriptedReply.of(answerFor(r), 3));
        connector = new OpenClawGatewayConnector(
                OpenClawSettings.defaults(gateway.url(), gateway.token())
                        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2)),
                Clock.systemUTC());
        connector.start(null);
        await().atMost(TURN).until(() -> connector.health().isUp());
    }

    @AfterEach
    void disconnect() {
        model.release();
        connector.close();
    }

    static String answerFor(ChatCompletionRequest r) {
        for (int i = r.messages().size() - 1; i >= 0; i--) {
            var m = r.messages().get(i);
            Matcher matcher = MARKER.matcher(m.text());
            if (m.role().equals("user") && matcher.find()) {
                return "Answer for " + matcher.group() + ": deploy is green.";
            }
        }
        return "echo: " + r.lastUserText();
    }

    private static InboundMessage slackThreadMessage(String id, String text) {
        return new InboundMessage(
                id,
                InboundMessage.idempotencyKeyFor("slack-eng", id),
                "slack-eng",
                "slack",
                "C0123ABCD",
                "1767225600.000100",
                new InboundMessage.Sender("U01ALICE", "Alice", false),
                text,
                "1767225612.000200",
                List.of(),
                Map.of("team_id", "T01"),
                InboundMessage.ChatType.CHANNEL,
                Instant.EPOCH);
    }

    /**
     * The signal that nothing more is coming for the earlier runs of the thread, instead of sleeping: a follow-up in
     * the same session runs after them on the gateway (a turn re-run after a restart included) and its events come
     * over the same connection, so a second final for an earlier run would have reached its sink before this one's.
     */
    private void followUpAnsweredAfter(String id, String marker) throws Exception {
        RecordingSink later = new RecordingSink();
        connector
                .deliver(slackThreadMessage(id, "and now? " + marker), later)
                .toCompletableFuture()
                .get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(() -> !later.terminals().isEmpty());
        assertThat(later.terminals()).containsExactly("final:Answer for " + marker + ": deploy is green.");
    }

    private static long turnsFor(String marker) {
        return model.requests().stream()
                .filter(ChatCompletionRequest::hasTools)
                .filter(r -> r.lastUserText().contains(marker))
                .count();
    }

    @Test
    void deliversAMessageAndStreamsTheReplyToTheSink() throws Exception {
        RecordingSink sink = new RecordingSink();
        InboundMessage m = slackThreadMessage("ev-1", "what's the deploy status? marker-stream-1");
        Accepted accepted = connector.deliver(m, sink).toCompletableFuture().get(TURN.toSeconds(), TimeUnit.SECONDS);
        assertThat(accepted).isEqualTo(new Accepted(m.idempotencyKey(), false));

        await().atMost(TURN).until(() -> !sink.terminals().isEmpty());
        assertThat(sink.terminals()).containsExactly("final:Answer for marker-stream-1: deploy is green.");
        assertThat(sink.events.get(0)).isEqualTo("start");
        // cumulative deltas: each a prefix of the next and of the final text
        List<String> deltas = sink.deltas();
        assertThat(deltas).isNotEmpty();
        for (int i = 1; i < deltas.size(); i++) {
            assertThat(deltas.get(i)).startsWith(deltas.get(i - 1));
        }
        assertThat("Answer for marker-stream-1: deploy is green.").startsWith(deltas.get(deltas.size() - 1));
        // the agent saw the attributed text, once
        assertThat(model.requests().stream()
                        .filter(ChatCompletionRequest::hasTools)
                        .anyMatch(r -> r.lastUserText()
                                .equals("[Slack] Alice (U01ALICE): what's the deploy status? marker-stream-1")))
                .isTrue();
        assertThat(turnsFor("marker-stream-1")).isEqualTo(1);
    }

    @Test
    void throughTheBridgeTheReplyReachesTheChannelInItsThread(@TempDir Path dir) throws Exception {
        OpenClawGatewayConnector owned = new OpenClawGatewayConnector(
                OpenClawSettings.defaults(gateway.url(), gateway.token()), Clock.systemUTC());
        try (Bridge bridge = Bridge.start(TestConfigs.config(dir), owned, FileStore.DEFAULT);
                TestSidecar slack = TestSidecar.connect(dir.resolve("bus.sock"))) {
            slack.send(slack.frames()
                    .hello(
                            "slack-eng",
                            "slack",
                            "slack-0",
                            0,
                            ChannelCapabilities.newBuilder()
                                    .setSupportsEdit(true)
                                    .build(),
                            "test"));
            assertThat(slack.await(f -> f.hasWelcome() || f.hasError(), TURN).hasWelcome())
                    .isTrue();
            await().atMost(TURN).until(() -> owned.health().isUp());
            slack.send(slack.frames()
                    .userMessage(UserMessage.newBuilder()
                            .setMessageId("Ev0BRIDGE")
                            .setConversationId("C0123ABCD")
                            .setThreadId("1767225600.000100")
                            .setPlatformMessageId("1767225612.000200")
                            .setChatType(ChatType.CHANNEL)
                            .setSender(Sender.newBuilder().setId("U01ALICE").setDisplayName("Alice"))
                            .setText("deploy status? marker-bridge-1")
                            .build()));
            assertThat(slack.await(Frame::hasAck, TURN).getAck().getMessageId()).isEqualTo("Ev0BRIDGE");
            var fin = slack.await(
                    f -> f.hasReply()
                            && (f.getReply().hasFinal() || f.getReply().hasError()),
                    TURN);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("Answer for marker-bridge-1: deploy is green.");
            assertThat(fin.getReply().getInReplyTo()).isEqualTo("Ev0BRIDGE");
            assertThat(fin.getReply().getConversationId()).isEqualTo("C0123ABCD");
            assertThat(fin.getReply().getThreadId()).isEqualTo("1767225600.000100");
            assertThat(fin.getReply().getStreamId())
                    .isEqualTo(InboundMessage.idempotencyKeyFor("slack-eng", "Ev0BRIDGE"));
            assertThat(turnsFor("marker-bridge-1")).isEqualTo(1);
        }
    }

    @Test
    void followupQueueingGivesASecondMessageInTheSameSessionItsOwnReply() throws Exception {
        // OpenClaw does not document this, so it is shown here: with the default queue mode "steer" the second message
        // would be folded into the running turn and its own run would end with a final without text.
        model.holdAgentTurns();
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();
        connector
                .deliver(slackThreadMessage("ev-q1", "first question marker-q-1"), first)
                .toCompletableFuture()
                .get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(() -> !first.deltas().isEmpty());
        connector
                .deliver(slackThreadMessage("ev-q2", "second question marker-q-2"), second)
                .toCompletableFuture()
                .get(TURN.toSeconds(), TimeUnit.SECONDS);
        model.release();
        await().atMost(TURN)
                .until(() -> !first.terminals().isEmpty() && !second.terminals().isEmpty());
        assertThat(first.terminals()).containsExactly("final:Answer for marker-q-1: deploy is green.");
        assertThat(second.terminals()).containsExactly("final:Answer for marker-q-2: deploy is green.");
        assertThat(turnsFor("marker-q-2")).isEqualTo(1);
    }

    @Test
    void aDuplicateDeliveryIsAbsorbedByTheIdempotencyKey() throws Exception {
        InboundMessage m = slackThreadMessage("ev-dup", "status please marker-dup-1");
        RecordingSink first = new RecordingSink();
        connector.deliver(m, first).toCompletableFuture().get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(() -> !first.terminals().isEmpty());

        // the same bus message again (e.g. the bridge crashed before recording the run): no second run
        RecordingSink second = new RecordingSink();
        Accepted again = connector.deliver(m, second).toCompletableFuture().get(TURN.toSeconds(), TimeUnit.SECONDS);
        assertThat(again).isEqualTo(new Accepted(m.idempotencyKey(), true));
        await().atMost(TURN).until(() -> !second.terminals().isEmpty());
        assertThat(second.terminals()).containsExactly("final:Answer for marker-dup-1: deploy is green.");
        assertThat(first.terminals()).hasSize(1);
        assertThat(turnsFor("marker-dup-1")).isEqualTo(1);

        // and while the run is still going: the gateway says in_flight, the newer sink follows the one run
        model.holdAgentTurns();
        InboundMessage m2 = slackThreadMessage("ev-dup-2", "slow one marker-dup-2");
        RecordingSink a = new RecordingSink();
        RecordingSink b = new RecordingSink();
        assertThat(connector
                        .deliver(m2, a)
                        .toCompletableFuture()
                        .get(TURN.toSeconds(), TimeUnit.SECONDS)
                        .replayed())
                .isFalse();
        await().atMost(TURN).until(() -> turnsFor("marker-dup-2") == 1);
        assertThat(connector
                        .deliver(m2, b)
                        .toCompletableFuture()
                        .get(TURN.toSeconds(), TimeUnit.SECONDS)
                        .replayed())
                .isTrue();
        model.release();
        await().atMost(TURN).until(() -> !b.terminals().isEmpty());
        assertThat(b.terminals()).containsExactly("final:Answer for marker-dup-2: deploy is green.");
        assertThat(a.terminals()).isEmpty();
        assertThat(turnsFor("marker-dup-2")).isEqualTo(1);
    }

    @Test
    void theGatewayKilledMidRunAndRestartedStillDeliversTheReplyExactlyOnce() throws Exception {
        model.holdAgentTurns();
        InboundMessage m = slackThreadMessage("ev-crash", "long question marker-crash-1");
        RecordingSink sink = new RecordingSink();
        connector.deliver(m, sink).toCompletableFuture().get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(() -> !sink.deltas().isEmpty()); // mid-run: the first piece was streamed

        gateway.kill();
        await().atMost(TURN).until(() -> connector.health().state() == RuntimeHealth.State.DOWN);
        assertThatThrownBy(() -> connector
                        .deliver(slackThreadMessage("ev-x", "x"), new RecordingSink())
                        .toCompletableFuture()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.retryable()).isTrue());
        model.release();
        gateway.start();
        System.out.printf(
                "openclaw gateway restarted in %d ms%n",
                gateway.lastStartDuration().toMillis());

        await().atMost(TURN).until(() -> !sink.terminals().isEmpty());
        assertThat(sink.terminals())
                .singleElement()
                .asString()
                .startsWith("final:")
                .contains("Answer for marker-crash-1");
        // nothing more arrives for this run (a second final would be a duplicate reply in the channel)
        followUpAnsweredAfter("ev-crash-next", "marker-crash-2");
        assertThat(sink.terminals()).hasSize(1);
        assertThat(connector.health().isUp()).isTrue();
    }

    @Test
    void anOrderlyRestartMidRunDrainsTheTurnAndTheReplyArrivesOnce() throws Exception {
        model.holdAgentTurns();
        InboundMessage m = slackThreadMessage("ev-drain", "another question marker-drain-1");
        RecordingSink sink = new RecordingSink();
        connector.deliver(m, sink).toCompletableFuture().get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(() -> !sink.deltas().isEmpty());

        // SIGTERM: the gateway drains running turns before it broadcasts shutdown and closes with 1012
        Thread stopper = new Thread(gateway::stop, "gateway-stop");
        stopper.start();
        Thread.sleep(1000);
        model.release();
        stopper.join(TURN.toMillis());
        assertThat(gateway.isRunning()).isFalse();
        await().atMost(TURN).until(() -> !connector.health().isUp());
        gateway.start();
        await().atMost(TURN).until(() -> connector.health().isUp());

        assertThat(sink.terminals()).containsExactly("final:Answer for marker-drain-1: deploy is green.");
        assertThat(turnsFor("marker-drain-1")).isEqualTo(1);
        followUpAnsweredAfter("ev-drain-next", "marker-drain-2");
        assertThat(sink.terminals()).hasSize(1);
    }

    @Test
    void aWrongTokenIsReportedAndPausedNotRetriedInALoop() throws Exception {
        try (OpenClawGatewayConnector wrong = new OpenClawGatewayConnector(
                OpenClawSettings.defaults(gateway.url(), "0".repeat(64)), Clock.systemUTC())) {
            wrong.start(null);
            await().atMost(TURN).until(() -> wrong.health().state() == RuntimeHealth.State.DOWN);
            assertThat(wrong.health().detail())
                    .contains("AUTH_TOKEN_MISMATCH")
                    .contains("CLAW_RUNTIME_TOKEN")
                    .doesNotContain("0".repeat(64));
            await().atMost(TURN).until(() -> wrong.health().detail().contains("retrying in 300 s"));
            assertThatThrownBy(() -> wrong.deliver(slackThreadMessage("ev-w", "x"), new RecordingSink())
                            .toCompletableFuture()
                            .get())
                    .cause()
                    .isInstanceOfSatisfying(
                            DeliveryException.class, e -> assertThat(e.code()).isEqualTo("unreachable"));
        }
    }
}
