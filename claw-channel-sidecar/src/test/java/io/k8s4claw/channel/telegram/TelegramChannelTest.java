package io.k8s4claw.channel.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.LogCapture;
import io.k8s4claw.channel.SidecarHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelegramChannelTest {
    static final String TOKEN = "123456:telegram-secret-ABCdef";
    static final long BIG_CHAT = -1001234567890123L; // supergroup ids exceed 32 bits

    @TempDir
    Path dir;

    FakeTelegram telegram;
    SidecarHarness sidecar;

    @AfterEach
    void tearDown() throws Exception {
        if (sidecar != null) sidecar.close();
        if (telegram != null) telegram.close();
    }

    private void start(String extra, Map<String, String> secrets) throws Exception {
        if (telegram == null) telegram = new FakeTelegram(TOKEN);
        sidecar = new SidecarHarness(
                dir,
                "telegram",
                "{\"apiBaseUrl\":\"" + telegram.apiBase() + "\",\"pollTimeoutSeconds\":1" + extra + "}",
                secrets);
    }

    private void start() throws Exception {
        start("", Map.of("TELEGRAM_BOT_TOKEN", TOKEN));
    }

    @Test
    void offsetAdvancesOnlyAfterTheBridgeAcked() throws Exception {
        start();
        long id = telegram.userMessage(BIG_CHAT, "supergroup", false, "hello bot");
        UserMessage m = sidecar.nextMessage();
        assertThat(m.getMessageId()).isEqualTo(String.valueOf(id));
        assertThat(m.getConversationId()).isEqualTo(String.valueOf(BIG_CHAT));
        assertThat(m.getChatType()).isEqualTo(ChatType.GROUP);
        Thread.sleep(400);
        assertThat(telegram.offsetsSeen)
                .as("no poll confirms the update before the ack")
                .allMatch(o -> o <= id);
        sidecar.ack(m.getMessageId());
        await().until(() -> telegram.offsetsSeen.contains(id + 1));
    }

    @Test
    void aStopCommandIsAStopRequestForItsChatNotAMessageToTheAgent() throws Exception {
        start();
        sidecar.bridge.autoAck = true;
        long stop = telegram.userMessage(42, "private", false, "/stop");
        Frame f = sidecar.bridge.next(Frame.BodyCase.STOP_REQUEST);
        assertThat(f.getStopRequest().getConversationId()).isEqualTo("42");
        assertThat(f.getStopRequest().getThreadId()).isEmpty();
        assertThat(f.getStopRequest().getSender().getId()).isNotEmpty();
        await().until(() -> telegram.offsetsSeen.contains(stop + 1)); // confirmed: a stop is not stored
        telegram.userMessage(BIG_CHAT, "supergroup", false, "/stop@claw_bot");
        assertThat(sidecar.bridge
                        .next(Frame.BodyCase.STOP_REQUEST)
                        .getStopRequest()
                        .getConversationId())
                .isEqualTo(String.valueOf(BIG_CHAT));
        telegram.userMessage(42, "private", false, "/stopwatch please");
        assertThat(sidecar.nextMessage().getText())
                .as("only /stop itself is the command")
                .isEqualTo("/stopwatch please");
        assertThat(sidecar.bridge.poll(Frame.BodyCase.STOP_REQUEST, 300)).isNull();
    }

    @Test
    void restartBeforeTheAckRedeliversTheSameUpdate() throws Exception {
        start();
        long id = telegram.userMessage(42, "private", false, "are you there?");
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo(String.valueOf(id));
        sidecar.close(); // crash/restart before the bridge acked
        sidecar = null;
        Path second = dir.resolve("second");
        Files.createDirectories(second);
        sidecar = new SidecarHarness(
                second,
                "telegram",
                "{\"apiBaseUrl\":\"" + telegram.apiBase() + "\",\"pollTimeoutSeconds\":1}",
                Map.of("TELEGRAM_BOT_TOKEN", TOKEN));
        UserMessage again = sidecar.nextMessage();
        assertThat(again.getMessageId())
                .as("same id: the bridge absorbs the duplicate")
                .isEqualTo(String.valueOf(id));
        assertThat(again.getChatType()).isEqualTo(ChatType.DIRECT);
    }

    @Test
    void botMessagesAreIgnored() throws Exception {
        start();
        sidecar.bridge.autoAck = true;
        long bot = telegram.userMessage(42, "group", true, "beep");
        long human = telegram.userMessage(42, "group", false, "hi");
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo(String.valueOf(human));
        assertThat(sidecar.bridge.poll(Frame.BodyCase.USER_MESSAGE, 300)).isNull();
        await().until(() -> telegram.offsetsSeen.contains(human + 1));
        assertThat(bot).isLessThan(human);
    }

    /**
     * A long poll answers only when a message comes or after pollTimeoutSeconds (25 s by default): the channel must not
     * wait for one before it reports ready, at start or after a failure.
     */
    @Test
    void theFirstPollDoesNotWaitSoTheChannelIsReadyAtOnce() throws Exception {
        telegram = new FakeTelegram(TOKEN);
        telegram.conflict = true;
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> telegram.pollTimeoutsSeen.size() >= 2);
        telegram.conflict = false;
        await().atMost(Duration.ofSeconds(15))
                .until(() -> sidecar.host.platform().status().isConnected());
        await().atMost(Duration.ofSeconds(10)).until(() -> telegram.pollTimeoutsSeen.size() >= 4);
        List<Long> timeouts = List.copyOf(telegram.pollTimeoutsSeen);
        int firstAnswered = timeouts.size() - 1;
        while (firstAnswered > 0 && timeouts.get(firstAnswered - 1) == 1L) firstAnswered--;
        assertThat(timeouts.subList(0, firstAnswered))
                .as("every poll until Telegram answered (refused with 409) asks for no wait: %s", timeouts)
                .containsOnly(0L);
        assertThat(timeouts.subList(firstAnswered, timeouts.size()))
                .as("once answered, the channel long-polls with pollTimeoutSeconds: %s", timeouts)
                .containsOnly(1L)
                .isNotEmpty();
    }

    @Test
    void conflictIsReportedClearlyAndPollingRecovers() throws Exception {
        telegram = new FakeTelegram(TOKEN);
        telegram.conflict = true;
        start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> sidecar.host.platform().status().detail().contains("409"));
        var ready = sidecar.get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("409 Conflict").contains("another poller");
        telegram.conflict = false;
        await().atMost(Duration.ofSeconds(15))
                .until(() -> sidecar.host.platform().status().isConnected());
    }

    @Test
    void badTokenStopsPollingAndNeverLogsTheToken() throws Exception {
        telegram = new FakeTelegram(TOKEN);
        try (LogCapture logs = new LogCapture()) {
            start("", Map.of("TELEGRAM_BOT_TOKEN", "999:wrong-telegram-token"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> sidecar.host.platform().status().isFailed());
            int requests = telegram.server.getRequestCount();
            Thread.sleep(500);
            assertThat(telegram.server.getRequestCount()).isEqualTo(requests);
            assertThat(logs.all() + sidecar.get("/readyz").body())
                    .doesNotContain("wrong-telegram-token")
                    .doesNotContain(TOKEN);
        }
    }

    @Test
    void tokenInTheUrlNeverReachesLogsOnNetworkErrors() throws Exception {
        telegram = new FakeTelegram(TOKEN);
        String base = telegram.apiBase();
        telegram.server.shutdown(); // connection refused: OkHttp's exception would name the URL
        try (LogCapture logs = new LogCapture()) {
            sidecar = new SidecarHarness(
                    dir,
                    "telegram",
                    "{\"apiBaseUrl\":\"" + base + "\",\"pollTimeoutSeconds\":1}",
                    Map.of("TELEGRAM_BOT_TOKEN", TOKEN));
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.all().contains("getUpdates"));
            assertThat(logs.all() + sidecar.get("/readyz").body())
                    .doesNotContain("telegram-secret")
                    .doesNotContain(TOKEN);
        }
    }

    private ReplyAck reply(String chat, String text) throws InterruptedException {
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r-" + System.nanoTime())
                .setConversationId(chat)
                .setFinal(ReplyFinal.newBuilder().setText(text)));
        return sidecar.nextReplyAck();
    }

    @Test
    void longRepliesSplitAt4096Utf16UnitsWithA64BitChatId() throws Exception {
        start();
        String text = "😀 emoji take two UTF-16 units each.\n".repeat(300); // ~11k units
        ReplyAck ack = reply(String.valueOf(BIG_CHAT), text);
        assertThat(ack.getOk()).isTrue();
        List<JsonNode> msgs = new ArrayList<>();
        telegram.sent.drainTo(msgs);
        assertThat(msgs).hasSizeGreaterThanOrEqualTo(3).hasSize(ack.getPlatformMessageIdsCount());
        for (JsonNode m : msgs) {
            assertThat(m.path("chat_id").isIntegralNumber())
                    .as(m.toString().substring(0, 80))
                    .isTrue();
            assertThat(m.path("chat_id").asLong()).isEqualTo(BIG_CHAT);
        }
        // The fake enforces 4096 on the sent (escaped) text; the unescaped content of each part fits too.
        assertThat(msgs).allMatch(m -> m.path("text").asText().replace("\\", "").length() <= 4096);
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        start();
        telegram.scriptSend(FakeTelegram.error(429, "Too Many Requests: retry after 1", "{\"retry_after\":1}"));
        long t0 = System.nanoTime();
        ReplyAck ack = reply("42", "hi");
        assertThat(ack.getOk()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(950);
        assertThat(telegram.sendAttempts).hasSize(2);
    }

    @Test
    void markdownV2ParseFailureFallsBackToPlainText() throws Exception {
        start();
        telegram.scriptSend(FakeTelegram.error(
                400,
                "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 3",
                null));
        ReplyAck ack = reply("42", "a *b");
        assertThat(ack.getOk()).isTrue();
        assertThat(telegram.sendAttempts).hasSize(2);
        assertThat(telegram.sendAttempts.get(0).path("parse_mode").asText()).isEqualTo("MarkdownV2");
        assertThat(telegram.sendAttempts.get(1).has("parse_mode")).isFalse();
        assertThat(telegram.sendAttempts.get(1).path("text").asText()).isEqualTo("a *b");
    }

    @Test
    void hostileModelOutputGoesOutAsTextNotAsALinkOrMention() throws Exception {
        start();
        String hostile = "log in at [https://sso.corp](https://evil.example) or ask [the admin](tg://user?id=12345)";
        ReplyAck ack = reply("42", hostile);
        assertThat(ack.getOk()).isTrue();
        JsonNode sent = telegram.sent.poll();
        assertThat(sent.path("parse_mode").asText()).isEqualTo("MarkdownV2");
        assertThat(sent.path("text").asText())
                .isEqualTo("log in at \\[https://sso\\.corp\\]\\(https://evil\\.example\\) "
                        + "or ask \\[the admin\\]\\(tg://user?id\\=12345\\)");
        assertThat(sent.has("entities")).as("no entities of the model's making").isFalse();
    }

    @Test
    void markdownIsEscapedSoTelegramAcceptsIt() throws Exception {
        start();
        ReplyAck ack = reply("42", "Version 1.2 (beta) - done! Use `kubectl get pods -A` and:\n```bash\necho a_b\n```");
        assertThat(ack.getOk()).isTrue();
        assertThat(telegram.sendAttempts).hasSize(1);
        assertThat(telegram.sent.poll().path("text").asText())
                .contains("1\\.2 \\(beta\\) \\- done\\!")
                .contains("`kubectl get pods -A`");
    }

    @Test
    void supergroupMigrationIsFollowedAndRemembered() throws Exception {
        start();
        telegram.scriptSend(FakeTelegram.error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                "{\"migrate_to_chat_id\":" + BIG_CHAT + "}"));
        ReplyAck ack = reply("-4567", "moved?");
        assertThat(ack.getOk()).isTrue();
        assertThat(telegram.sent.poll(5, TimeUnit.SECONDS).path("chat_id").asLong())
                .isEqualTo(BIG_CHAT);
        reply("-4567", "again");
        assertThat(telegram.sent.poll(5, TimeUnit.SECONDS).path("chat_id").asLong())
                .as("remembered")
                .isEqualTo(BIG_CHAT);
        assertThat(telegram.sendAttempts).hasSize(3);
    }

    @Test
    void blockedUserIsAPermanentFailure() throws Exception {
        start();
        telegram.scriptSend(FakeTelegram.error(403, "Forbidden: bot was blocked by the user", null));
        ReplyAck ack = reply("42", "hello?");
        assertThat(ack.getOk()).isFalse();
        assertThat(ack.getRetryable()).isFalse();
        assertThat(ack.getError()).isEqualTo("forbidden");
    }

    @Test
    void webhookModeChecksTheSecretHeaderAndAnswersAfterTheAck() throws Exception {
        telegram = new FakeTelegram(TOKEN);
        start(",\"mode\":\"webhook\"", Map.of("TELEGRAM_BOT_TOKEN", TOKEN, "TELEGRAM_WEBHOOK_SECRET", "hook_secret-1"));
        String update = "{\"update_id\":777,\"message\":{\"message_id\":9,\"date\":1700000000,\"text\":\"via webhook\","
                + "\"chat\":{\"id\":42,\"type\":\"private\"},\"from\":{\"id\":1,\"is_bot\":false,"
                + "\"first_name\":\"Lin\"}}}";
        assertThat(sidecar.post("/telegram", Map.of(), update).statusCode()).isEqualTo(401);
        assertThat(sidecar.post("/telegram", Map.of("X-Telegram-Bot-Api-Secret-Token", "nope"), update)
                        .statusCode())
                .isEqualTo(401);
        assertThat(sidecar.bridge.poll(Frame.BodyCase.USER_MESSAGE, 200)).isNull();
        await().until(() -> sidecar.host.bus().isConnected());
        var resp = CompletableFuture.supplyAsync(() -> {
            try {
                return sidecar.post("/telegram", Map.of("X-Telegram-Bot-Api-Secret-Token", "hook_secret-1"), update);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo("777");
        Thread.sleep(200);
        assertThat(resp).isNotDone();
        sidecar.ack("777");
        assertThat(resp.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // Telegram retries (duplicate): answered 200 without publishing again.
        assertThat(sidecar.post("/telegram", Map.of("X-Telegram-Bot-Api-Secret-Token", "hook_secret-1"), update)
                        .statusCode())
                .isEqualTo(200);
        assertThat(sidecar.bridge.poll(Frame.BodyCase.USER_MESSAGE, 200)).isNull();
    }
}
