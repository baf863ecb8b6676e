package io.k8s4claw.channel.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.bus.v1.ApprovalRequest;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.FlowControl;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.ReplyDelta;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.LogCapture;
import io.k8s4claw.channel.SidecarHarness;
import io.k8s4claw.channel.common.PlatformStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlackChannelTest {
    static final String APP = "xapp-1-A1-secretapp0123456789";
    static final String BOT = "xoxb-1-secretbot0123456789";

    @TempDir
    Path dir;

    FakeSlack slack;
    SidecarHarness sidecar;

    @AfterEach
    void tearDown() throws Exception {
        if (sidecar != null) sidecar.close();
        if (slack != null) slack.close();
    }

    private void start(String extraConfig) throws Exception {
        slack = new FakeSlack(APP, BOT);
        sidecar = new SidecarHarness(
                dir,
                "slack",
                "{\"apiBaseUrl\":\"" + slack.apiBase() + "\"" + extraConfig + "}",
                Map.of("SLACK_APP_TOKEN", APP, "SLACK_BOT_TOKEN", BOT));
    }

    private FakeSlack.Socket connectedSocket(int index) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> slack.sockets.size() > index
                        && slack.sockets.get(index).open
                        && sidecar.host.platform().status().isConnected());
        return slack.sockets.get(index);
    }

    @Test
    void messageGoesToTheBusAckedAfterTheBridgeAndTheReplyLandsInTheThread() throws Exception {
        start("");
        FakeSlack.Socket socket = connectedSocket(0);
        String env = socket.sendEvent("Ev1", FakeSlack.message("C1", "U1", "1700000001.000100", "what is k8s?"));
        UserMessage m = sidecar.nextMessage();
        assertThat(m.getMessageId()).isEqualTo("Ev1");
        assertThat(m.getConversationId()).isEqualTo("C1");
        assertThat(m.getThreadId()).as("a top-level message starts a thread").isEqualTo("1700000001.000100");
        assertThat(m.getSender().getId()).isEqualTo("U1");
        assertThat(m.getText()).isEqualTo("what is k8s?");
        assertThat(m.getChatType()).isEqualTo(ChatType.CHANNEL);
        assertThat(m.getMetadataMap()).containsEntry("team_id", "T1");
        assertThat(socket.awaitAck(env, 300))
                .as("no envelope ack before the bridge acked")
                .isNull();
        sidecar.ack("Ev1");
        assertThat(socket.awaitAck(env, 2000)).isNotNull();

        sidecar.reply(Reply.newBuilder()
                .setStreamId("run1")
                .setInReplyTo("Ev1")
                .setConversationId("C1")
                .setThreadId(m.getThreadId())
                .setFinal(ReplyFinal.newBuilder().setText("**Kubernetes** is an orchestrator")));
        JsonNode post = slack.posts.poll(5, TimeUnit.SECONDS);
        assertThat(post.path("channel").asText()).isEqualTo("C1");
        assertThat(post.path("thread_ts").asText()).isEqualTo("1700000001.000100");
        assertThat(post.path("text").asText()).isEqualTo("*Kubernetes* is an orchestrator");
        ReplyAck ack = sidecar.nextReplyAck();
        assertThat(ack.getOk()).isTrue();
        assertThat(ack.getPlatformMessageIdsList())
                .containsExactly(post.path("ts").asText());
        assertThat(sidecar.get("/readyz").statusCode()).isEqualTo(200);
        assertThat(sidecar.get("/metrics").body())
                .contains("claw_channel_events_in_total{channel=\"slack-test\",type=\"slack\"} 1.0")
                .contains("claw_channel_replies_out_total{channel=\"slack-test\",type=\"slack\"} 1.0");
    }

    @Test
    void hostileModelOutputCannotNotifyTheChannelOrDisguiseALink() throws Exception {
        start("");
        connectedSocket(0);
        sidecar.reply(Reply.newBuilder()
                .setStreamId("run1")
                .setInReplyTo("Ev1")
                .setConversationId("C1")
                .setThreadId("1.0")
                .setFinal(ReplyFinal.newBuilder()
                        .setText("<!channel> urgent: log in at "
                                + "<https://evil.example|https://sso.corp> or "
                                + "[SSO](https://evil.example)")));
        JsonNode post = slack.posts.poll(5, TimeUnit.SECONDS);
        assertThat(post.path("text").asText())
                .isEqualTo("&lt;!channel&gt; urgent: log in at &lt;https://evil.example|https://sso.corp&gt; or SSO "
                        + "(https://evil.example)");
        assertThat(sidecar.nextReplyAck().getOk()).isTrue();
    }

    @Test
    void labeledLinksAndUserMentionsAreKeptWhereTheChannelConfigAllowsThem() throws Exception {
        start(",\"allowLabeledLinks\":true,\"allowUserMentions\":true");
        connectedSocket(0);
        sidecar.reply(Reply.newBuilder()
                .setStreamId("run1")
                .setInReplyTo("Ev1")
                .setConversationId("C1")
                .setThreadId("1.0")
                .setFinal(ReplyFinal.newBuilder().setText("<@U012AB> see [docs](https://k8s.io/docs), <!here>")));
        JsonNode post = slack.posts.poll(5, TimeUnit.SECONDS);
        assertThat(post.path("text").asText()).isEqualTo("<@U012AB> see <https://k8s.io/docs|docs>, &lt;!here&gt;");
    }

    @Test
    void aReplyWithoutAConversationGoesToTheDefaultChannel() throws Exception {
        start(",\"defaultChannel\":\"C0DEFAULT\"");
        connectedSocket(0);
        sidecar.reply(Reply.newBuilder()
                .setStreamId("cron-1")
                .setFinal(ReplyFinal.newBuilder().setText("nightly report")));
        JsonNode post = slack.posts.poll(5, TimeUnit.SECONDS);
        assertThat(post.path("channel").asText()).isEqualTo("C0DEFAULT");
        assertThat(sidecar.nextReplyAck().getOk()).isTrue();
    }

    @Test
    void envelopeIsAckedWithinTheDeadlineEvenWhenTheBridgeIsSlow() throws Exception {
        start(",\"ackWaitMs\":500");
        FakeSlack.Socket socket = connectedSocket(0);
        String env = socket.sendEvent("Ev1", FakeSlack.message("C1", "U1", "1700000001.000100", "hi"));
        sidecar.nextMessage(); // the bridge never acks
        assertThat(socket.awaitAck(env, 2500))
                .as("Slack needs the ack within 3 s")
                .isNotNull();
    }

    @Test
    void redeliveredEventsAndMentionPlusMessageArePublishedOnce() throws Exception {
        start("");
        sidecar.bridge.autoAck = true;
        FakeSlack.Socket socket = connectedSocket(0);
        String e1 = socket.sendEvent("Ev1", FakeSlack.message("C1", "U1", "1700000001.000100", "hello"));
        assertThat(socket.awaitAck(e1, 2000)).isNotNull();
        // Slack retries the same event (late ack on its side) and sends app_mention for the same post.
        socket.sendEnvelope("retry-env", "Ev1", FakeSlack.message("C1", "U1", "1700000001.000100", "hello"), 1);
        String mention = socket.sendEvent(
                "Ev2",
                "{\"type\":\"app_mention\",\"channel\":\"C1\",\"user\":\"U1\",\"text\":\"<@UBOT> hello\","
                        + "\"ts\":\"1700000001.000100\"}");
        assertThat(socket.awaitAck("retry-env", 2000))
                .as("duplicates are acked too")
                .isNotNull();
        assertThat(socket.awaitAck(mention, 2000)).isNotNull();
        String e3 = socket.sendEvent(
                "Ev3",
                "{\"type\":\"app_mention\",\"channel\":\"C1\",\"user\":\"U1\",\"text\":\"<@UBOT> second\","
                        + "\"ts\":\"1700000002.000100\"}");
        assertThat(socket.awaitAck(e3, 2000)).isNotNull();
        List<UserMessage> published = new ArrayList<>();
        published.add(sidecar.nextMessage());
        published.add(sidecar.nextMessage());
        assertThat(sidecar.bridge.poll(Frame.BodyCase.USER_MESSAGE, 300)).isNull();
        assertThat(published).extracting(UserMessage::getMessageId).containsExactly("Ev1", "Ev3");
        assertThat(published.get(1).getText()).as("the bot mention is stripped").isEqualTo("second");
        assertThat(sidecar.host.metrics().dedupes()).isEqualTo(2);
    }

    @Test
    void botMessagesOwnMessagesAndEditsAreIgnored() throws Exception {
        start("");
        sidecar.bridge.autoAck = true;
        FakeSlack.Socket socket = connectedSocket(0);
        List<String> envs = List.of(
                socket.sendEvent(
                        "B1",
                        "{\"type\":\"message\",\"subtype\":\"bot_message\",\"bot_id\":\"B9\",\"channel\":\"C1\","
                                + "\"text\":\"echo\",\"ts\":\"1.1\"}"),
                socket.sendEvent(
                        "B2",
                        "{\"type\":\"message\",\"channel\":\"C1\",\"user\":\"UBOT\",\"bot_id\":\"B1\","
                                + "\"text\":\"my own reply\",\"ts\":\"1.2\"}"),
                socket.sendEvent(
                        "B3",
                        "{\"type\":\"message\",\"subtype\":\"message_changed\",\"channel\":\"C1\","
                                + "\"message\":{\"text\":\"edited\"},\"ts\":\"1.3\"}"),
                socket.sendEvent(
                        "B4",
                        "{\"type\":\"message\",\"subtype\":\"message_deleted\",\"channel\":\"C1\",\"ts\":\"1.4\"}"),
                socket.sendEvent("B5", "{\"type\":\"reaction_added\",\"user\":\"U1\",\"reaction\":\"+1\"}"));
        for (String env : envs) assertThat(socket.awaitAck(env, 2000)).as(env).isNotNull();
        assertThat(sidecar.bridge.poll(Frame.BodyCase.USER_MESSAGE, 300)).isNull();
    }

    @Test
    void refreshRequestedOpensTheReplacementBeforeTheOldSocketCloses() throws Exception {
        start("");
        sidecar.bridge.autoAck = true;
        FakeSlack.Socket first = connectedSocket(0);
        first.disconnect("refresh_requested");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.sockets.size() == 2 && slack.sockets.get(1).open);
        FakeSlack.Socket second = slack.sockets.get(1);
        assertThat(second.ticket).as("a fresh single-use URL").isNotEqualTo(first.ticket);
        assertThat(slack.connectionsOpened.get()).isEqualTo(2);
        await().until(() -> first.closed); // the old one is retired after the new one said hello
        String env = second.sendEvent("Ev9", FakeSlack.message("C1", "U1", "1700000009.000100", "after refresh"));
        assertThat(second.awaitAck(env, 2000)).isNotNull();
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo("Ev9");
    }

    @Test
    void warningThenServerCloseKeepsServing() throws Exception {
        start("");
        FakeSlack.Socket first = connectedSocket(0);
        first.disconnect("warning");
        first.ws.close(1001, "going away"); // Slack closes ~10 s after the warning
        await().atMost(Duration.ofSeconds(10))
                .until(() -> slack.sockets.size() >= 2 && slack.sockets.get(slack.sockets.size() - 1).open);
        await().until(() -> sidecar.host.platform().status().isConnected());
    }

    @Test
    void socketDropWithoutDisconnectReconnectsWithAFreshUrl() throws Exception {
        start("");
        FakeSlack.Socket first = connectedSocket(0);
        first.ws.close(1011, "server error"); // no disconnect message first
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.sockets.size() == 2 && slack.sockets.get(1).open);
        assertThat(slack.sockets.get(1).ticket).isNotEqualTo(first.ticket);
        assertThat(slack.connectionsOpened.get()).isEqualTo(2);
    }

    @Test
    void staleUrlIsNotRetriedButReplacedByANewOne() throws Exception {
        slack = new FakeSlack(APP, BOT);
        // The first apps.connections.open hands out a URL whose ticket was already used.
        String staleUrl = slack.server.url("/link/?ticket=stale").toString().replaceFirst("^http", "ws");
        slack.server.url("/"); // server already started
        OkHttpClient c = new OkHttpClient();
        c.newWebSocket(new Request.Builder().url(staleUrl).build(), new WebSocketListener() {}); // burns the ticket
        await().until(() -> slack.sockets.size() == 1);
        slack.sockets.get(0).ws.close(1000, "done");
        slack.sockets.clear();
        slack.failNext(
                "apps.connections.open",
                new MockResponse()
                        .setHeader("Content-Type", "application/json")
                        .setBody("{\"ok\":true,\"url\":\"" + staleUrl + "\"}"));
        sidecar = new SidecarHarness(
                dir,
                "slack",
                "{\"apiBaseUrl\":\"" + slack.apiBase() + "\"}",
                Map.of("SLACK_APP_TOKEN", APP, "SLACK_BOT_TOKEN", BOT));
        connectedSocket(0);
        assertThat(slack.connectionsOpened.get()).isEqualTo(2);
        assertThat(slack.requestLog.stream()
                        .filter(r -> r.contains("ticket=stale"))
                        .count())
                .as("the stale URL is tried once")
                .isEqualTo(2);
    }

    @Test
    void linkDisabledStopsForGood() throws Exception {
        start("");
        FakeSlack.Socket first = connectedSocket(0);
        first.disconnect("link_disabled");
        await().until(() -> sidecar.host.platform().status().isFailed());
        assertThat(sidecar.host.platform().status().detail())
                .contains("link_disabled")
                .contains("enable Socket Mode");
        Thread.sleep(700);
        assertThat(slack.connectionsOpened.get()).as("no reconnect loop").isEqualTo(1);
        var ready = sidecar.get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("failed");
        assertThat(sidecar.get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void revokedAppTokenFailsFastWithoutRetryLoop() throws Exception {
        slack = new FakeSlack(APP, BOT);
        slack.appTokenRevoked = true;
        try (LogCapture logs = new LogCapture()) {
            sidecar = new SidecarHarness(
                    dir,
                    "slack",
                    "{\"apiBaseUrl\":\"" + slack.apiBase() + "\"}",
                    Map.of("SLACK_APP_TOKEN", APP, "SLACK_BOT_TOKEN", BOT));
            await().until(() -> sidecar.host.platform().status().state() == PlatformStatus.State.FAILED);
            Thread.sleep(700);
            assertThat(slack.connectionsOpened.get()).isEqualTo(1);
            assertThat(sidecar.host.platform().status().detail())
                    .contains("SLACK_APP_TOKEN")
                    .contains("invalid_auth");
            assertThat(logs.all())
                    .contains("invalid_auth")
                    .doesNotContain(APP)
                    .doesNotContain(BOT)
                    .doesNotContain("secretapp")
                    .doesNotContain("secretbot");
        }
    }

    @Test
    void invalidBotTokenFailsAtAuthTest() throws Exception {
        slack = new FakeSlack(APP, BOT);
        slack.botTokenRevoked = true;
        sidecar = new SidecarHarness(
                dir,
                "slack",
                "{\"apiBaseUrl\":\"" + slack.apiBase() + "\"}",
                Map.of("SLACK_APP_TOKEN", APP, "SLACK_BOT_TOKEN", BOT));
        await().until(() -> sidecar.host.platform().status().isFailed());
        assertThat(slack.connectionsOpened.get()).isZero();
        assertThat(slack.authTests.get()).isEqualTo(1);
    }

    @Test
    void rateLimitedPostWaitsRetryAfterPausesRepliesAndSucceeds() throws Exception {
        start("");
        connectedSocket(0);
        slack.failNext("chat.postMessage", FakeSlack.rateLimited(1));
        long t0 = System.nanoTime();
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r")
                .setConversationId("C1")
                .setThreadId("1.0")
                .setFinal(ReplyFinal.newBuilder().setText("hi")));
        FlowControl paused = sidecar.bridge.next(Frame.BodyCase.FLOW_CONTROL).getFlowControl();
        assertThat(paused.getPaused()).isTrue();
        JsonNode post = slack.posts.poll(5, TimeUnit.SECONDS);
        assertThat(post).isNotNull();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(950);
        assertThat(sidecar.bridge
                        .next(Frame.BodyCase.FLOW_CONTROL)
                        .getFlowControl()
                        .getPaused())
                .isFalse();
        assertThat(sidecar.nextReplyAck().getOk()).isTrue();
        assertThat(sidecar.host.metrics().rateLimitWaits()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void oversizeReplyIsSplitInTheThreadWithBalancedFences() throws Exception {
        start("");
        connectedSocket(0);
        StringBuilder text = new StringBuilder("Here is the script:\n```python\n");
        for (int i = 0; i < 400; i++)
            text.append("print('line number ").append(i).append("')\n");
        text.append("```\nDone.");
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r")
                .setConversationId("C1")
                .setThreadId("1.0")
                .setFinal(ReplyFinal.newBuilder().setText(text.toString())));
        ReplyAck ack = sidecar.nextReplyAck();
        assertThat(ack.getOk()).isTrue();
        assertThat(ack.getPlatformMessageIdsCount()).isGreaterThanOrEqualTo(3);
        List<JsonNode> posts = new ArrayList<>();
        slack.posts.drainTo(posts);
        assertThat(posts).hasSize(ack.getPlatformMessageIdsCount());
        for (JsonNode p : posts) {
            String t = p.path("text").asText();
            assertThat(t.codePointCount(0, t.length())).isLessThanOrEqualTo(4000);
            assertThat(t.split("```", -1).length % 2)
                    .as("fences balanced in: " + t.substring(0, 40))
                    .isEqualTo(1);
            assertThat(p.path("thread_ts").asText()).isEqualTo("1.0");
        }
        assertThat(posts)
                .extracting(p -> p.path("ts").asText())
                .containsExactlyElementsOf(ack.getPlatformMessageIdsList());
    }

    @Test
    void notInChannelIsAPermanentReplyFailure() throws Exception {
        start("");
        connectedSocket(0);
        slack.failNext("chat.postMessage", FakeSlack.okFalse("not_in_channel"));
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r")
                .setConversationId("C9")
                .setFinal(ReplyFinal.newBuilder().setText("hi")));
        ReplyAck ack = sidecar.nextReplyAck();
        assertThat(ack.getOk()).isFalse();
        assertThat(ack.getError()).isEqualTo("not_in_channel");
        assertThat(ack.getRetryable()).isFalse();
    }

    @Test
    void revokedBotTokenOnPostPausesRepliesInsteadOfLooping() throws Exception {
        start("");
        connectedSocket(0);
        slack.botTokenRevoked = true;
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r")
                .setConversationId("C1")
                .setFinal(ReplyFinal.newBuilder().setText("hi")));
        ReplyAck ack = sidecar.nextReplyAck();
        assertThat(ack.getOk()).isFalse();
        assertThat(ack.getError()).isEqualTo("token_revoked");
        assertThat(ack.getRetryable()).as("the bridge keeps the reply").isTrue();
        assertThat(sidecar.bridge.current().frames)
                .filteredOn(Frame::hasFlowControl)
                .extracting(f -> f.getFlowControl().getPaused())
                .containsExactly(true);
        assertThat(sidecar.host.platform().status().isFailed()).isTrue();
    }

    @Test
    void streamingEditsOnePreviewThenFinalizesIt() throws Exception {
        start(",\"streaming\":true,\"streamEditIntervalMs\":100");
        connectedSocket(0);
        sidecar.reply(Reply.newBuilder()
                .setStreamId("s1")
                .setConversationId("C1")
                .setThreadId("1.0")
                .setDelta(ReplyDelta.newBuilder().setText("Hel")));
        ReplyAck a1 = sidecar.nextReplyAck();
        JsonNode preview = slack.posts.poll(5, TimeUnit.SECONDS);
        assertThat(preview.path("text").asText()).isEqualTo("Hel");
        Thread.sleep(150);
        sidecar.reply(Reply.newBuilder()
                .setStreamId("s1")
                .setConversationId("C1")
                .setThreadId("1.0")
                .setDelta(ReplyDelta.newBuilder().setText("Hello wor")));
        sidecar.nextReplyAck();
        sidecar.reply(Reply.newBuilder()
                .setStreamId("s1")
                .setConversationId("C1")
                .setThreadId("1.0")
                .setFinal(ReplyFinal.newBuilder().setText("Hello world")));
        ReplyAck fin = sidecar.nextReplyAck();
        assertThat(fin.getPlatformMessageIdsList())
                .containsExactly(preview.path("ts").asText());
        assertThat(a1.getPlatformMessageIdsList())
                .containsExactly(preview.path("ts").asText());
        JsonNode u1 = slack.updates.poll(5, TimeUnit.SECONDS);
        JsonNode u2 = slack.updates.poll(5, TimeUnit.SECONDS);
        assertThat(u1.path("text").asText()).isEqualTo("Hello wor");
        assertThat(u2.path("text").asText()).isEqualTo("Hello world");
        assertThat(u2.path("ts").asText()).isEqualTo(preview.path("ts").asText());
        assertThat(slack.posts).isEmpty();
    }

    @Test
    void approvalRequestIsAskedInTheThreadAndTheAnswerGoesBackAsApprovalAnswer() throws Exception {
        start("");
        sidecar.bridge.autoAck = true;
        FakeSlack.Socket socket = connectedSocket(0);
        sidecar.reply(Reply.newBuilder()
                .setStreamId("run-9")
                .setConversationId("C1")
                .setThreadId("1700000001.000100")
                .setApprovalRequest(ApprovalRequest.newBuilder()
                        .setApprovalId("ap-1")
                        .setText("Run `rm -rf /tmp/cache`?")
                        .addChoices("once")
                        .addChoices("deny")));
        JsonNode question = slack.posts.poll(5, TimeUnit.SECONDS);
        assertThat(question.path("thread_ts").asText()).isEqualTo("1700000001.000100");
        assertThat(question.path("text").asText()).contains("rm -rf /tmp/cache").contains("once, deny");
        assertThat(sidecar.nextReplyAck().getOk()).isTrue();
        String env = socket.sendEvent(
                "EvA", FakeSlack.threadReply("C1", "U1", "1700000002.000100", "1700000001.000100", "Once"));
        assertThat(socket.awaitAck(env, 2000)).isNotNull();
        var answer = sidecar.bridge.next(Frame.BodyCase.APPROVAL_ANSWER).getApprovalAnswer();
        assertThat(answer.getStreamId()).isEqualTo("run-9");
        assertThat(answer.getApprovalId()).isEqualTo("ap-1");
        assertThat(answer.getChoice()).isEqualTo("once");
        assertThat(answer.getSender().getId()).isEqualTo("U1");
        // The answer is not also a new user message; the next message in the thread is one again.
        socket.sendEvent(
                "EvB", FakeSlack.threadReply("C1", "U1", "1700000003.000100", "1700000001.000100", "once more please"));
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo("EvB");
    }

    @Test
    void eventTheBusCannotBufferStaysUnackedSoSlackRedeliversIt() throws Exception {
        start(",\"busBufferSize\":1,\"ackWaitMs\":500");
        FakeSlack.Socket socket = connectedSocket(0);
        String first = socket.sendEvent("Ev1", FakeSlack.message("C1", "U1", "1700000001.000100", "one"));
        sidecar.nextMessage(); // in flight, the bridge does not ack yet: the buffer (1) is full
        assertThat(socket.awaitAck(first, 2000))
                .as("acked after ackWaitMs: it is held by the bus client")
                .isNotNull();
        String second = socket.sendEvent("Ev2", FakeSlack.message("C1", "U1", "1700000002.000100", "two"));
        assertThat(socket.awaitAck(second, 1500))
                .as("refused by the full buffer: left for Slack to redeliver")
                .isNull();
        sidecar.ack("Ev1");
        socket.sendEnvelope("redelivered", "Ev2", FakeSlack.message("C1", "U1", "1700000002.000100", "two"), 1);
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo("Ev2");
        sidecar.ack("Ev2");
        assertThat(socket.awaitAck("redelivered", 2000)).isNotNull();
    }
}
