package io.k8s4claw.bridge.runtime.hermes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.api.bus.v1.ApprovalAnswer;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.StopRequest;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.RecordingSink;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.testing.TestSidecar;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.testkit.hermes.RealHermes;
import io.k8s4claw.testkit.llm.ChatCompletionRequest;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import io.k8s4claw.testkit.llm.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hermes runs connector ({@code hermes-sse}) against the real Hermes Agent (hermes-agent 0.19.0 from PyPI,
 * installed by the testkit) answering through the fake model. One Hermes for the class.
 */
class HermesSseRealHermesTest {

    /** Generous: the machine is shared; nothing here waits this long when Hermes is healthy. */
    private static final Duration TURN = Duration.ofSeconds(120);

    private static FakeOpenAiServer model;
    private static RealHermes hermes;
    private final List<HermesSseConnector> connectors = new ArrayList<>();

    @BeforeAll
    static void startHermes() {
        model = FakeOpenAiServer.start();
        hermes = RealHermes.builder()
                .configYaml(RealHermes.modelConfig(model.baseUrl()))
                .start();
    }

    @AfterAll
    static void stopHermes() {
        if (hermes != null) {
            hermes.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @AfterEach
    void closeConnectors() {
        model.release();
        model.script(FakeOpenAiServer::echo);
        connectors.forEach(HermesSseConnector::close);
    }

    private HermesSseConnector connector() {
        var c = new HermesSseConnector(HermesSseSettings.of(hermes.baseUrl(), hermes.apiKey())
                .withReconnect(Duration.ofMillis(50), Duration.ofSeconds(1)));
        connectors.add(c);
        c.start(null);
        await().atMost(TURN).until(() -> c.health().isUp());
        return c;
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
                Map.of(),
                InboundMessage.ChatType.CHANNEL,
                Instant.EPOCH);
    }

    private static long agentTurnsFor(String text) {
        return model.requests().stream()
                .filter(ChatCompletionRequest::hasTools)
                .filter(r -> r.lastUserText().equals(text))
                .count();
    }

    @Test
    void aMessageBecomesARunWhoseStreamedReplyReachesTheSink() throws Exception {
        var c = connector();
        String text = "what's the deploy status? marker-sse-1";
        RecordingSink sink = new RecordingSink();
        Accepted accepted = c.deliver(slackThreadMessage("ev-1", text), sink)
                .toCompletableFuture()
                .get(TURN.toSeconds(), TimeUnit.SECONDS);
        assertThat(accepted.runRef()).matches("run_[0-9a-f]{32}");
        assertThat(accepted.replayed()).isFalse();

        await().atMost(TURN).until(sink::terminal);
        List<String> events = sink.eventsWithoutTyping();
        assertThat(events.get(0)).isEqualTo("start");
        assertThat(events.get(events.size() - 1)).isEqualTo("final:echo: " + text);
        // cumulative deltas, each a prefix of the final text
        events.stream()
                .filter(e -> e.startsWith("delta:"))
                .map(e -> e.substring(6))
                .forEach(d -> assertThat("echo: " + text).startsWith(d));
        assertThat(sink.violations()).isEmpty();
        assertThat(agentTurnsFor(text)).isEqualTo(1);
    }

    @Test
    void throughTheBridgeTheReplyReachesTheChannelInItsThread(@TempDir Path dir) throws Exception {
        var owned = new HermesSseConnector(HermesSseSettings.of(hermes.baseUrl(), hermes.apiKey()));
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
            String text = "deploy status? marker-bridge-1";
            slack.send(slack.frames()
                    .userMessage(UserMessage.newBuilder()
                            .setMessageId("Ev0BRIDGE")
                            .setConversationId("C0123ABCD")
                            .setThreadId("1767225600.000100")
                            .setPlatformMessageId("1767225612.000200")
                            .setChatType(ChatType.CHANNEL)
                            .setSender(Sender.newBuilder().setId("U01ALICE").setDisplayName("Alice"))
                            .setText(text)
                            .build()));
            assertThat(slack.await(Frame::hasAck, TURN).getAck().getMessageId()).isEqualTo("Ev0BRIDGE");
            Frame fin = slack.await(
                    f -> f.hasReply()
                            && (f.getReply().hasFinal() || f.getReply().hasError()),
                    TURN);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("echo: " + text);
            assertThat(fin.getReply().getInReplyTo()).isEqualTo("Ev0BRIDGE");
            assertThat(fin.getReply().getConversationId()).isEqualTo("C0123ABCD");
            assertThat(fin.getReply().getThreadId()).isEqualTo("1767225600.000100");
            assertThat(fin.getReply().getStreamId()).matches("run_[0-9a-f]{32}");
            assertThat(agentTurnsFor(text)).isEqualTo(1);
        }
    }

    @Test
    void hermes019HasNoIdempotencyOnRunsSoTheSameMessageDeliveredTwiceRunsTwice() throws Exception {
        var c = connector();
        String text = "twice? marker-dup-1";
        InboundMessage m = slackThreadMessage("ev-dup", text);
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();
        Accepted a = c.deliver(m, first).toCompletableFuture().get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(first::terminal);
        Accepted b = c.deliver(m, second).toCompletableFuture().get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(second::terminal);
        // the Idempotency-Key header went out both times and was ignored: two runs, two agent turns
        assertThat(b.runRef()).isNotEqualTo(a.runRef());
        assertThat(b.replayed()).isFalse();
        assertThat(agentTurnsFor(text)).isEqualTo(2);
    }

    @Test
    void followingRunsLeavesNoHttpConnectionAllocated() throws Exception {
        // no health probe in flight while the pool is counted: one probe at start, the next in an hour
        var c = new HermesSseConnector(
                HermesSseSettings.of(hermes.baseUrl(), hermes.apiKey()).withHealthInterval(Duration.ofHours(1)));
        connectors.add(c);
        c.start(null);
        await().atMost(TURN).until(() -> c.health().isUp());
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingSink sink = new RecordingSink();
            sinks.add(sink);
            c.deliver(slackThreadMessage("ev-leak-" + i, "leak check " + i), sink)
                    .toCompletableFuture()
                    .get(TURN.toSeconds(), TimeUnit.SECONDS);
        }
        await().atMost(TURN).until(() -> sinks.stream().allMatch(RecordingSink::terminal));
        // A stream nobody closed keeps its connection allocated (neither idle nor reusable); once every follower is
        // done, every connection is idle or closed.
        var pool = c.http();
        await().atMost(TURN).until(() -> c.activeFollowers() == 0);
        assertThat(pool.connectionCount() - pool.idleConnectionCount())
                .as("connections still allocated")
                .isZero();
    }

    @Test
    void anApprovalRequestReachesTheSinkAndItsAnswerLetsTheCommandRun(@TempDir Path scratch) throws Exception {
        Path victim = Files.createDirectories(scratch.resolve("approval-victim").resolve("inner"));
        String text = "clean up please marker-approval-1";
        // the model asks the terminal tool for a recursive delete, which Hermes holds for approval
        model.script(r -> r.lastUserText().equals(text) && !r.hasToolResult()
                ? ScriptedReply.callTool(
                        "terminal",
                        JSON_ARGS
                                .createObjectNode()
                                .put("command", "rm -r " + victim.getParent())
                                .toString())
                : FakeOpenAiServer.echo(r));
        var c = connector();
        RecordingSink sink = new RecordingSink();
        Accepted accepted = c.deliver(slackThreadMessage("ev-approval", text), sink)
                .toCompletableFuture()
                .get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(() -> sink.lastApprovalId() != null);
        String request = sink.events().stream()
                .filter(e -> e.startsWith("approval:"))
                .findFirst()
                .orElseThrow();
        assertThat(request).contains("rm -r " + victim.getParent());
        assertThat(Files.exists(victim)).as("nothing ran before the answer").isTrue();

        c.answerApproval(accepted.runRef(), sink.lastApprovalId(), "once")
                .toCompletableFuture()
                .get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(sink::terminal);
        assertThat(sink.events().get(sink.events().size() - 1)).isEqualTo("final:echo: " + text);
        assertThat(Files.exists(victim.getParent()))
                .as("the approved command ran")
                .isFalse();
        assertThat(sink.violations()).isEmpty();
    }

    @Test
    void throughTheBridgeTheChannelAnswersAnApprovalAndGetsTheReply(@TempDir Path dir) throws Exception {
        Path victim = Files.createDirectories(dir.resolve("approval-victim-2").resolve("inner"));
        String text = "tidy up please marker-approval-bridge";
        model.script(r -> r.lastUserText().equals(text) && !r.hasToolResult()
                ? ScriptedReply.callTool(
                        "terminal",
                        JSON_ARGS
                                .createObjectNode()
                                .put("command", "rm -r " + victim.getParent())
                                .toString())
                : FakeOpenAiServer.echo(r));
        var owned = new HermesSseConnector(HermesSseSettings.of(hermes.baseUrl(), hermes.apiKey()));
        try (Bridge bridge = Bridge.start(TestConfigs.config(dir.resolve("bridge")), owned, FileStore.DEFAULT);
                TestSidecar slack = TestSidecar.connect(dir.resolve("bridge").resolve("bus.sock"))) {
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
                            .setMessageId("Ev0APPROVAL")
                            .setConversationId("C0123ABCD")
                            .setThreadId("1767225600.000300")
                            .setChatType(ChatType.CHANNEL)
                            .setSender(Sender.newBuilder().setId("U01ALICE").setDisplayName("Alice"))
                            .setText(text)
                            .build()));
            Frame ask = slack.await(
                    f -> f.hasReply()
                            && (f.getReply().hasApprovalRequest()
                                    || f.getReply().hasError()),
                    TURN);
            assertThat(ask.getReply().hasApprovalRequest()).as(ask.toString()).isTrue();
            assertThat(ask.getReply().getApprovalRequest().getText()).contains("rm -r " + victim.getParent());
            assertThat(ask.getReply().getThreadId()).isEqualTo("1767225600.000300");
            assertThat(Files.exists(victim)).isTrue();

            // the user presses "once" in the channel
            slack.send(slack.frames()
                    .frame(b -> b.setApprovalAnswer(ApprovalAnswer.newBuilder()
                            .setStreamId(ask.getReply().getStreamId())
                            .setApprovalId(ask.getReply().getApprovalRequest().getApprovalId())
                            .setChoice("once"))));
            Frame fin = slack.await(
                    f -> f.hasReply()
                            && (f.getReply().hasFinal() || f.getReply().hasError()),
                    TURN);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("echo: " + text);
            assertThat(fin.getReply().getInReplyTo()).isEqualTo("Ev0APPROVAL");
            assertThat(Files.exists(victim.getParent()))
                    .as("the approved command ran")
                    .isFalse();
        }
    }

    /**
     * Hermes's own limit (issue #15, runtime-hermes-sse.md): 0.19.0's {@code /v1/runs} stores each run's turns under
     * the {@code session_id} the bridge sends but does not load them as the next run's history, so the second
     * message of a conversation reaches the model without the first. Fails once a Hermes loads the session.
     */
    @Test
    void hermes019RunsOfOneSessionDoNotSeeEachOthersTurns() throws Exception {
        var c = connector();
        String first = "remember the word tangerine marker-history-1";
        String second = "which word did I ask you to remember? marker-history-2";
        RecordingSink one = new RecordingSink();
        c.deliver(slackThreadMessage("ev-hist-1", first), one)
                .toCompletableFuture()
                .get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(one::terminal);
        RecordingSink two = new RecordingSink();
        c.deliver(slackThreadMessage("ev-hist-2", second), two)
                .toCompletableFuture()
                .get(TURN.toSeconds(), TimeUnit.SECONDS);
        await().atMost(TURN).until(two::terminal);
        assertThat(two.events().get(two.events().size() - 1)).isEqualTo("final:echo: " + second);

        ChatCompletionRequest turn = model.requests().stream()
                .filter(ChatCompletionRequest::hasTools)
                .filter(r -> r.lastUserText().equals(second))
                .findFirst()
                .orElseThrow();
        System.out.printf(
                "second run of the session: the model got %d messages, roles %s%n",
                turn.messages().size(),
                turn.messages().stream()
                        .map(ChatCompletionRequest.Message::role)
                        .toList());
        assertThat(turn.messages())
                .as("the same session_id, yet no earlier turn is in the model's request")
                .noneSatisfy(m -> assertThat(m.text()).contains("marker-history-1"));
        assertThat(turn.messages().stream().filter(m -> m.role().equals("user")).count())
                .isEqualTo(1);
    }

    @Test
    void throughTheBridgeAChannelsStopCancelsTheRunningReplyAndTheConversationGoesOn(@TempDir Path dir)
            throws Exception {
        var owned = new HermesSseConnector(HermesSseSettings.of(hermes.baseUrl(), hermes.apiKey()));
        String thread = "1767225600.000400";
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
            model.holdAgentTurns(); // the agent's model call streams its first chunk and then waits: a long answer
            String text = "write me a long report marker-stop-1";
            slack.send(slack.frames()
                    .userMessage(UserMessage.newBuilder()
                            .setMessageId("Ev0STOP")
                            .setConversationId("C0123ABCD")
                            .setThreadId(thread)
                            .setChatType(ChatType.CHANNEL)
                            .setSender(Sender.newBuilder().setId("U01ALICE").setDisplayName("Alice"))
                            .setText(text)
                            .build()));
            assertThat(slack.await(Frame::hasAck, TURN).getAck().getMessageId()).isEqualTo("Ev0STOP");
            Frame started = slack.await(
                    f -> f.hasReply()
                            && (f.getReply().hasStart() || f.getReply().hasDelta()),
                    TURN);
            await().atMost(TURN).until(() -> model.heldTurns() >= 1);

            // the user's /stop in the thread
            long stopSentAt = System.nanoTime();
            slack.send(slack.frames()
                    .frame(b -> b.setStopRequest(StopRequest.newBuilder()
                            .setConversationId("C0123ABCD")
                            .setThreadId(thread)
                            .setSender(Sender.newBuilder().setId("U01ALICE").setDisplayName("Alice")))));
            Frame end = slack.await(
                    f -> f.hasReply()
                                    && (f.getReply().hasFinal() || f.getReply().hasError())
                            || f.hasError(),
                    TURN);
            long stopMs = (System.nanoTime() - stopSentAt) / 1_000_000;
            System.out.printf(
                    "stop through the bridge: run cancelled %d ms after the StopRequest (model call still held: %d)%n",
                    stopMs, model.heldTurns());
            assertThat(end.hasReply()).as(end.toString()).isTrue();
            assertThat(end.getReply().hasError()).as(end.toString()).isTrue();
            assertThat(end.getReply().getError().getCode()).isEqualTo("run_cancelled");
            assertThat(end.getReply().getInReplyTo()).isEqualTo("Ev0STOP");
            assertThat(end.getReply().getStreamId())
                    .isEqualTo(started.getReply().getStreamId());
            assertThat(end.getReply().getThreadId()).isEqualTo(thread);
            model.release();

            // the conversation goes on: the next message is answered, the stopped one is not run again
            String next = "and now something short marker-stop-2";
            slack.send(slack.frames()
                    .userMessage(UserMessage.newBuilder()
                            .setMessageId("Ev0AFTERSTOP")
                            .setConversationId("C0123ABCD")
                            .setThreadId(thread)
                            .setChatType(ChatType.CHANNEL)
                            .setSender(Sender.newBuilder().setId("U01ALICE").setDisplayName("Alice"))
                            .setText(next)
                            .build()));
            Frame fin = slack.await(
                    f -> f.hasReply()
                            && (f.getReply().hasFinal() || f.getReply().hasError()),
                    TURN);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("echo: " + next);
            assertThat(fin.getReply().getInReplyTo()).isEqualTo("Ev0AFTERSTOP");
            assertThat(agentTurnsFor(text))
                    .as("the stopped message was not delivered again")
                    .isEqualTo(1);

            // a stop with nothing running changes nothing and is not an error
            slack.send(slack.frames()
                    .frame(b -> b.setStopRequest(StopRequest.newBuilder()
                            .setConversationId("C0123ABCD")
                            .setThreadId(thread))));
            slack.sendMessage("Ev0PROBE", "C0123ABCD", "probe marker-stop-3");
            Frame probe = slack.await(
                    f -> f.hasError() || f.hasReply() && f.getReply().hasFinal(), TURN);
            assertThat(probe.hasError()).as(probe.toString()).isFalse();
            assertThat(probe.getReply().getFinal().getText()).isEqualTo("echo: probe marker-stop-3");
        }
    }

    private static final ObjectMapper JSON_ARGS = new ObjectMapper();
}
