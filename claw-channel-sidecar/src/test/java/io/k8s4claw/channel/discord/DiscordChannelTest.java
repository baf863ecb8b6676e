package io.k8s4claw.channel.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.LogCapture;
import io.k8s4claw.channel.SidecarHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscordChannelTest {
    static final String TOKEN = "MTEx.discord-secret-token.0123456789";

    @TempDir
    Path dir;

    FakeDiscord discord;
    SidecarHarness sidecar;

    @AfterEach
    void tearDown() throws Exception {
        if (sidecar != null) sidecar.close();
        if (discord != null) discord.close();
    }

    private void start(String token) throws Exception {
        if (discord == null) discord = new FakeDiscord(TOKEN);
        sidecar = new SidecarHarness(
                dir,
                "discord",
                "{\"apiBaseUrl\":\"" + discord.apiBase()
                        + "\",\"invalidSessionDelayMinMs\":10,\"invalidSessionDelayMaxMs\":50}",
                Map.of("DISCORD_BOT_TOKEN", token));
    }

    private DiscordChannel channel() {
        return (DiscordChannel) sidecar.host.platform();
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> discord.live() != null && channel().status().isConnected());
    }

    @Test
    void identifiesWithIntentsPublishesMessagesAndIgnoresBots() throws Exception {
        start(TOKEN);
        awaitReady();
        JsonNode identify = discord.identifyPayloads.poll(1, TimeUnit.SECONDS);
        int intents = identify.path("intents").asInt();
        assertThat(intents & DiscordChannel.MESSAGE_CONTENT).isNotZero();
        assertThat(intents & DiscordChannel.GUILD_MESSAGES).isNotZero();
        assertThat(intents & DiscordChannel.DIRECT_MESSAGES).isNotZero();
        assertThat(identify.path("properties").path("os").asText()).isNotEmpty();
        discord.messageCreate("1001", "555", "U7", true, "I am another bot");
        discord.messageCreate("1002", "555", "BOT1", false, "my own echo");
        discord.messageCreate("1003", "555", "U7", false, "hello <@BOT1> there");
        UserMessage m = sidecar.nextMessage();
        assertThat(m.getMessageId()).isEqualTo("1003");
        assertThat(m.getConversationId()).isEqualTo("555");
        assertThat(m.getText()).isEqualTo("hello  there");
        assertThat(m.getMetadataMap()).containsEntry("guild_id", "G1");
        assertThat(sidecar.bridge.poll(Frame.BodyCase.USER_MESSAGE, 300)).isNull();
        await().until(() -> discord.live().heartbeats.size() >= 2);
    }

    @Test
    void repliesUseNonceEnforceNonceLockedMentionsAndReference() throws Exception {
        start(TOKEN);
        awaitReady();
        sidecar.reply(Reply.newBuilder()
                .setStreamId("run-1")
                .setInReplyTo("1003")
                .setConversationId("555")
                .setFinal(ReplyFinal.newBuilder().setText("@everyone hi")));
        JsonNode created = discord.created.poll(5, TimeUnit.SECONDS);
        assertThat(created.path("content").asText()).isEqualTo("@everyone hi");
        assertThat(created.path("allowed_mentions").path("parse").isArray()).isTrue();
        assertThat(created.path("allowed_mentions").path("parse")).isEmpty();
        assertThat(created.path("nonce").asText()).hasSizeLessThanOrEqualTo(25).isNotEmpty();
        assertThat(created.path("enforce_nonce").asBoolean()).isTrue();
        assertThat(created.path("message_reference").path("message_id").asText())
                .isEqualTo("1003");
        ReplyAck ack = sidecar.nextReplyAck();
        assertThat(ack.getPlatformMessageIdsList())
                .containsExactly(created.path("id").asText());
    }

    @Test
    void retriedSendIsIdempotentThroughTheNonce() throws Exception {
        start(TOKEN);
        awaitReady();
        discord.createThenFail = true; // created, but the answer is lost as a 502
        sidecar.reply(Reply.newBuilder()
                .setStreamId("run-2")
                .setConversationId("555")
                .setFinal(ReplyFinal.newBuilder().setText("once")));
        ReplyAck ack = sidecar.nextReplyAck();
        assertThat(ack.getOk()).isTrue();
        assertThat(discord.allCreateRequests).hasSize(2);
        assertThat(discord.allCreateRequests.get(0).path("nonce").asText())
                .isEqualTo(discord.allCreateRequests.get(1).path("nonce").asText());
        assertThat(discord.created).hasSize(1);
        assertThat(ack.getPlatformMessageIdsList())
                .containsExactly(discord.created.peek().path("id").asText());
    }

    @Test
    void zombieConnectionIsResumedAndReplayedEventsAreDeduplicated() throws Exception {
        start(TOKEN);
        awaitReady();
        sidecar.bridge.autoAck = true;
        discord.messageCreate("2001", "555", "U7", false, "before");
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo("2001");
        FakeDiscord.Gateway first = discord.live();
        discord.ackHeartbeats = false; // the connection turns into a zombie
        discord.messageCreate("2002", "555", "U7", false, "missed", false);
        discord.replayOverlap = 1; // the replay also carries 2001 again
        await().atMost(Duration.ofSeconds(5)).until(() -> first.closed);
        assertThat(first.closeCodeFromClient)
                .as("not 1000/1001: keep the session")
                .isNotIn(1000, 1001);
        discord.ackHeartbeats = true;
        await().atMost(Duration.ofSeconds(10))
                .until(() -> discord.resumes.get() == 1 && channel().status().isConnected());
        JsonNode resume = discord.resumePayloads.poll(1, TimeUnit.SECONDS);
        assertThat(resume.path("session_id").asText()).isEqualTo("sess-1");
        assertThat(discord.connectPaths.get(discord.connectPaths.size() - 1))
                .startsWith("/resume")
                .contains("v=10")
                .contains("encoding=json");
        assertThat(discord.identifies.get()).as("resume, not re-identify").isEqualTo(1);
        List<String> ids = new ArrayList<>();
        ids.add(sidecar.nextMessage().getMessageId());
        assertThat(sidecar.bridge.poll(Frame.BodyCase.USER_MESSAGE, 300)).isNull();
        assertThat(ids).containsExactly("2002");
        assertThat(sidecar.host.metrics().dedupes()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void op7ResumesAndOp9FalseReidentifies() throws Exception {
        start(TOKEN);
        awaitReady();
        discord.live().sendOp(7, "null");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> discord.resumes.get() == 1 && channel().status().isConnected() && discord.live() != null);
        discord.live().sendOp(9, "false");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> discord.identifies.get() == 2 && channel().status().isConnected());
        discord.live().sendOp(9, "true");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> discord.resumes.get() == 2 && channel().status().isConnected());
        assertThat(discord.identifies.get()).isEqualTo(2);
        assertThat(channel().identifyCount()).isEqualTo(2);
    }

    @Test
    void staleSeqOnResumeFallsBackToIdentify() throws Exception {
        start(TOKEN);
        awaitReady();
        discord.staleSeqOnResume = true;
        discord.live().sendOp(7, "null");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> discord.identifies.get() == 2 && channel().status().isConnected());
    }

    @Test
    void authFailedCloseCodeStopsTheReconnectLoop() throws Exception {
        discord = new FakeDiscord(TOKEN);
        discord.gatewayToken = "MTEx.token-after-reset"; // the bot token was reset: identify fails with 4004
        try (LogCapture logs = new LogCapture()) {
            start(TOKEN);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel().status().isFailed());
            assertThat(channel().status().detail()).contains("4004").contains("DISCORD_BOT_TOKEN");
            Thread.sleep(500);
            assertThat(discord.identifies.get()).as("no hot reconnect loop").isEqualTo(1);
            assertThat(sidecar.get("/readyz").statusCode()).isEqualTo(503);
            assertThat(logs.all()).doesNotContain(TOKEN).doesNotContain("discord-secret-token");
        }
    }

    @Test
    void revokedTokenOnRestFailsFast() throws Exception {
        discord = new FakeDiscord(TOKEN);
        start("MTEx.revoked-token");
        await().atMost(Duration.ofSeconds(10)).until(() -> channel().status().isFailed());
        assertThat(discord.gateways).isEmpty();
        assertThat(discord.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void disallowedIntentsCloseCodeStops() throws Exception {
        discord = new FakeDiscord(TOKEN);
        discord.messageContentApproved = false;
        start(TOKEN);
        await().atMost(Duration.ofSeconds(10)).until(() -> channel().status().isFailed());
        assertThat(channel().status().detail()).contains("4014").contains("MESSAGE_CONTENT");
        Thread.sleep(500);
        assertThat(discord.identifies.get()).isEqualTo(1);
    }

    @Test
    void rateLimitsPerRouteAndGlobalAreWaitedOut() throws Exception {
        start(TOKEN);
        awaitReady();
        discord.scriptPost(FakeDiscord.rateLimited(0.6, false));
        discord.scriptPost(FakeDiscord.rateLimited(0.4, true));
        long t0 = System.nanoTime();
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r")
                .setConversationId("555")
                .setFinal(ReplyFinal.newBuilder().setText("paced")));
        ReplyAck ack = sidecar.nextReplyAck();
        assertThat(ack.getOk()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(950);
        assertThat(discord.allCreateRequests).hasSize(3);
        assertThat(sidecar.host.metrics().rateLimitWaits()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void longRepliesAreSplitAt2000AndMissingPermissionsFailPermanently() throws Exception {
        start(TOKEN);
        awaitReady();
        String text = ("line of reply text that goes on\n").repeat(200);
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r")
                .setConversationId("555")
                .setFinal(ReplyFinal.newBuilder().setText(text)));
        ReplyAck ack = sidecar.nextReplyAck();
        assertThat(ack.getOk()).isTrue();
        assertThat(ack.getPlatformMessageIdsCount()).isEqualTo(4);
        List<JsonNode> msgs = new ArrayList<>();
        discord.created.drainTo(msgs);
        StringBuilder joined = new StringBuilder();
        for (JsonNode n : msgs) {
            assertThat(n.path("content").asText().length()).isLessThanOrEqualTo(2000);
            joined.append(n.path("content").asText()).append('\n');
        }
        assertThat(joined.toString()).isEqualTo(text);
        assertThat(msgs).extracting(n -> n.path("nonce").asText()).doesNotHaveDuplicates();

        discord.scriptPost(FakeDiscord.json(403, "{\"message\":\"Missing Permissions\",\"code\":50013}"));
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r2")
                .setConversationId("555")
                .setFinal(ReplyFinal.newBuilder().setText("x")));
        ReplyAck denied = sidecar.nextReplyAck();
        assertThat(denied.getOk()).isFalse();
        assertThat(denied.getError()).isEqualTo("missing_permissions");
        assertThat(denied.getRetryable()).isFalse();
    }

    @Test
    void serverHeartbeatRequestIsAnsweredAtOnceWithTheLastSequence() throws Exception {
        discord = new FakeDiscord(TOKEN);
        discord.heartbeatIntervalMs = 60_000; // no scheduled heartbeat during the test
        start(TOKEN);
        awaitReady();
        discord.messageCreate("3001", "555", "U7", false, "hi");
        sidecar.nextMessage();
        FakeDiscord.Gateway g = discord.live();
        int before = g.heartbeats.size();
        g.sendOp(1, "null");
        await().atMost(Duration.ofSeconds(2)).until(() -> g.heartbeats.size() > before);
        JsonNode hb = null;
        for (JsonNode p : g.received) if (p.path("op").asInt() == 1) hb = p;
        assertThat(hb.path("d").asLong())
                .as("d = last sequence number received")
                .isEqualTo(2);
    }
}
