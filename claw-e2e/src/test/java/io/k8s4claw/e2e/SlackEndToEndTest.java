package io.k8s4claw.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.channel.slack.FakeSlack;
import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import io.k8s4claw.testkit.hermes.Step;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fake Slack workspace → Slack sidecar → bridge → Hermes API emulator → reply in the right Slack thread. */
class SlackEndToEndTest {
    static final String APP = "xapp-1-A1-e2e-app-token";
    static final String BOT = "xoxb-1-e2e-bot-token";

    @TempDir
    Path dir;

    FakeSlack slack;
    HermesApiEmulator hermes;
    Pod pod;

    @AfterEach
    void tearDown() throws Exception {
        if (pod != null) pod.close();
        if (hermes != null) hermes.close();
        if (slack != null) slack.close();
    }

    @Test
    void messageInAChannelIsAnsweredInItsThreadAndThreadsAreConversations() throws Exception {
        slack = new FakeSlack(APP, BOT);
        // The run's answer shows which conversation turn it is (${turn}: earlier turns in the Hermes session).
        hermes = HermesApiEmulator.builder()
                .apiKey(Pod.HERMES_KEY)
                .script(r ->
                        List.of(new Step.Delta("turn ${turn}: "), new Step.Delta(r.input()), new Step.Complete(null)))
                .start();
        pod = new Pod(
                dir,
                hermes,
                "slack-team",
                "slack",
                "{\"apiBaseUrl\":\"" + slack.apiBase() + "\"}",
                Map.of("SLACK_APP_TOKEN", APP, "SLACK_BOT_TOKEN", BOT));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !slack.sockets.isEmpty()
                        && slack.sockets.get(0).open
                        && pod.sidecar.platform().status().isConnected()
                        && pod.sidecar.bus().isConnected());
        FakeSlack.Socket socket = slack.sockets.get(0);

        // A top-level message in #C1 starts thread 1700000100.000100.
        String env1 = socket.sendEvent("Ev100", FakeSlack.message("C1", "U1", "1700000100.000100", "what is a pod?"));
        assertThat(socket.awaitAck(env1, 3000))
                .as("envelope acked within Slack's 3 s")
                .isNotNull();
        JsonNode first = slack.posts.poll(30, TimeUnit.SECONDS);
        assertThat(first).as("a reply was posted").isNotNull();
        assertThat(first.path("channel").asText()).isEqualTo("C1");
        assertThat(first.path("thread_ts").asText()).isEqualTo("1700000100.000100");
        assertThat(first.path("text").asText()).isEqualTo("turn 0: what is a pod?");

        // A follow-up inside that thread continues the same conversation.
        String env2 = socket.sendEvent(
                "Ev101", FakeSlack.threadReply("C1", "U1", "1700000101.000100", "1700000100.000100", "and a node?"));
        assertThat(socket.awaitAck(env2, 3000)).isNotNull();
        JsonNode second = slack.posts.poll(30, TimeUnit.SECONDS);
        assertThat(second.path("thread_ts").asText()).isEqualTo("1700000100.000100");
        assertThat(second.path("text").asText()).isEqualTo("turn 1: and a node?");

        // Another top-level message is another conversation, answered in its own thread.
        socket.sendEvent("Ev102", FakeSlack.message("C1", "U2", "1700000200.000100", "hello"));
        JsonNode third = slack.posts.poll(30, TimeUnit.SECONDS);
        assertThat(third.path("thread_ts").asText()).isEqualTo("1700000200.000100");
        assertThat(third.path("text").asText()).isEqualTo("turn 0: hello");

        // Slack redelivers an event (late ack on its side): no second run, no second reply.
        socket.sendEnvelope(
                "redelivery", "Ev100", FakeSlack.message("C1", "U1", "1700000100.000100", "what is a pod?"), 1);
        assertThat(socket.awaitAck("redelivery", 3000)).isNotNull();
        assertThat(slack.posts.poll(1500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(hermes.admittedRuns()).isEqualTo(3);

        // The bridge's reply log got every ReplyAck (nothing left pending for this channel).
        await().atMost(Duration.ofSeconds(10)).until(() -> pod.bridge.replies().pendingTotal() == 0);
    }
}
