package io.k8s4claw.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.channel.common.ConfigException;
import io.k8s4claw.channel.common.PlatformStatus;
import io.k8s4claw.channel.sdk.FakeBridge;
import io.k8s4claw.channel.slack.FakeSlack;
import io.k8s4claw.channel.telegram.FakeTelegram;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared channel container: several channels in one JVM, each on its own bus connection, port, config and
 * secrets — one failing (bad token, platform outage, invalid configuration) while another keeps carrying traffic,
 * and a rolled Secret restarting its channel alone.
 */
class ChannelGroupTest {
    static final String TG_TOKEN = "123456:telegram-secret-ABCdef";
    static final String APP = "xapp-1-secretapp0123456789";
    static final String BOT = "xoxb-1-secretbot0123456789";

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();
    FakeBridge bridge;
    ChannelGroup group;
    final AtomicLong replySeq = new AtomicLong();

    @AfterEach
    void stop() throws Exception {
        if (group != null) group.close(Duration.ofMillis(500));
        if (bridge != null) bridge.close();
    }

    private Map<String, String> base(int count) throws Exception {
        bridge = new FakeBridge(dir.resolve("bus.sock"), true);
        Map<String, String> env = new HashMap<>();
        env.put("CHANNEL_COUNT", String.valueOf(count));
        env.put("CLAW_BUS_SOCKET", bridge.socket.toString());
        env.put("CHANNEL_HTTP_BIND", "127.0.0.1");
        return env;
    }

    private static void channel(
            Map<String, String> env, int i, String name, String type, String config, Map<String, String> secrets) {
        env.put("CHANNEL_" + i + "_NAME", name);
        env.put("CHANNEL_" + i + "_TYPE", type);
        env.put("CHANNEL_" + i + "_CONFIG", config);
        env.put("CHANNEL_" + i + "_HTTP_PORT", "0");
        secrets.forEach((k, v) -> env.put("CHANNEL_" + i + "_" + k, v));
    }

    private FakeBridge.Conn connectionOf(String channel) {
        return bridge.connections.stream()
                .filter(c -> !c.frames.isEmpty()
                        && c.frames.get(0).hasHello()
                        && c.frames.get(0).getHello().getChannelName().equals(channel))
                .reduce((a, b) -> b)
                .orElse(null);
    }

    private long connectionsOf(String channel) {
        return bridge.connections.stream()
                .filter(c -> !c.frames.isEmpty()
                        && c.frames.get(0).hasHello()
                        && c.frames.get(0).getHello().getChannelName().equals(channel))
                .count();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Telegram messages in, replies out, through the group's telegram channel: n of each. */
    private void roundTrips(FakeTelegram telegram, String channel, int n) throws Exception {
        for (int i = 0; i < n; i++) telegram.userMessage(42, "private", false, "message " + i);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> connectionOf(channel) != null
                        && connectionOf(channel).frames.stream()
                                        .filter(Frame::hasUserMessage)
                                        .count()
                                >= n);
        FakeBridge.Conn conn = connectionOf(channel);
        for (int i = 0; i < n; i++) {
            conn.send(Frame.newBuilder()
                    .setReply(Reply.newBuilder()
                            .setReplySeq(replySeq.incrementAndGet())
                            .setStreamId("s" + i)
                            .setConversationId("42")
                            .setFinal(ReplyFinal.newBuilder().setText("reply " + i))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sent.size() >= n);
    }

    @Test
    void aChannelWithABadTokenAnOutageOrABadConfigDoesNotStopTheOthers() throws Exception {
        try (FakeSlack slack = new FakeSlack(APP, BOT);
                FakeTelegram telegram = new FakeTelegram(TG_TOKEN)) {
            slack.appTokenRevoked = true; // bad token: Slack answers invalid_auth
            Map<String, String> env = base(4);
            channel(
                    env,
                    1,
                    "slack-team",
                    "slack",
                    "{\"apiBaseUrl\":\"" + slack.apiBase() + "\"}",
                    Map.of("SLACK_APP_TOKEN", APP, "SLACK_BOT_TOKEN", BOT));
            // platform outage: nothing listens where the Discord API should be
            channel(
                    env,
                    2,
                    "discord-ops",
                    "discord",
                    "{\"apiBaseUrl\":\"http://127.0.0.1:" + closedPort() + "/api/v10\"}",
                    Map.of("DISCORD_BOT_TOKEN", "MTEx.discord-secret"));
            channel(
                    env,
                    3,
                    "tg-main",
                    "telegram",
                    "{\"apiBaseUrl\":\"" + telegram.apiBase() + "\",\"pollTimeoutSeconds\":1}",
                    Map.of("TELEGRAM_BOT_TOKEN", TG_TOKEN));
            channel(
                    env,
                    4,
                    "tg-broken",
                    "telegram",
                    "{\"mode\":\"carrier-pigeon\"}",
                    Map.of("TELEGRAM_BOT_TOKEN", TG_TOKEN));
            env.put("SLACK_BOT_TOKEN", "xoxb-unprefixed-must-not-be-seen");
            group = ChannelGroup.fromEnvironment(env);
            group.start();

            List<ChannelHost> hosts = group.hosts();
            assertThat(hosts.get(3)).isNull();
            assertThat(group.failure(3)).contains("CHANNEL_CONFIG.mode");
            await().until(() -> hosts.get(0).platform().status().state() == PlatformStatus.State.FAILED);
            assertThat(hosts.get(0).platform().status().detail()).contains("invalid_auth");

            roundTrips(telegram, "tg-main", 50);

            assertThat(hosts.get(1).platform().status().isConnected()).isFalse();
            assertThat(get(hosts.get(2).httpPort(), "/readyz").statusCode()).isEqualTo(200);
            assertThat(get(hosts.get(0).httpPort(), "/readyz").statusCode()).isEqualTo(503);
            assertThat(get(hosts.get(2).httpPort(), "/metrics").body())
                    .contains("claw_channel_events_in_total{channel=\"tg-main\",type=\"telegram\"} 50.0")
                    .doesNotContain("slack-team");
            HttpResponse<String> all = get(hosts.get(2).httpPort(), "/readyz/channels");
            assertThat(all.statusCode()).isEqualTo(503);
            assertThat(all.body())
                    .contains("tg-main: ready")
                    .contains("slack-team: not ready")
                    .contains("discord-ops: not ready")
                    .contains("tg-broken: not running: CHANNEL_CONFIG.mode")
                    .doesNotContain(BOT)
                    .doesNotContain(APP);
            // each channel its own connection, with its own name
            assertThat(connectionsOf("tg-main")).isEqualTo(1);
            assertThat(connectionsOf("slack-team")).isEqualTo(1);
            assertThat(connectionsOf("discord-ops")).isEqualTo(1);
        }
    }

    @Test
    void aRolledSecretRestartsThatChannelAloneAndTheOtherKeepsItsConnection() throws Exception {
        try (FakeTelegram first = new FakeTelegram(TG_TOKEN);
                FakeTelegram second = new FakeTelegram("999:other-bot-token")) {
            // the kubelet's layout of a mounted Secret: KEY -> ..data/KEY, ..data -> ..<timestamp>, swapped atomically
            Path secrets = Files.createDirectories(dir.resolve("secrets-1"));
            Path v1 = Files.createDirectories(secrets.resolve("..2026_12_06_22_00_00.1"));
            Files.writeString(v1.resolve("TELEGRAM_BOT_TOKEN"), "123456:an-old-revoked-token");
            Files.createSymbolicLink(secrets.resolve("..data"), v1.getFileName());
            Files.createSymbolicLink(secrets.resolve("TELEGRAM_BOT_TOKEN"), Path.of("..data", "TELEGRAM_BOT_TOKEN"));
            Map<String, String> env = base(2);
            env.put("CHANNEL_SECRETS_POLL_SECONDS", "1");
            channel(
                    env,
                    1,
                    "tg-one",
                    "telegram",
                    "{\"apiBaseUrl\":\"" + first.apiBase() + "\",\"pollTimeoutSeconds\":1}",
                    Map.of());
            env.put("CHANNEL_1_SECRETS_DIR", secrets.toString());
            channel(
                    env,
                    2,
                    "tg-two",
                    "telegram",
                    "{\"apiBaseUrl\":\"" + second.apiBase() + "\",\"pollTimeoutSeconds\":1}",
                    Map.of("TELEGRAM_BOT_TOKEN", "999:other-bot-token"));
            group = ChannelGroup.fromEnvironment(env);
            group.start();
            await().until(() -> group.hosts().get(0).platform().status().state() == PlatformStatus.State.FAILED);
            roundTrips(second, "tg-two", 5);
            ChannelHost before = group.hosts().get(0);

            // the Secret rolled: the kubelet writes a new timestamped directory and swaps ..data to it
            Path v2 = Files.createDirectories(secrets.resolve("..2026_12_06_22_05_00.2"));
            Files.writeString(v2.resolve("TELEGRAM_BOT_TOKEN"), TG_TOKEN);
            Files.createSymbolicLink(secrets.resolve("..data_tmp"), v2.getFileName());
            Files.move(secrets.resolve("..data_tmp"), secrets.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> group.hosts().get(0) != before
                            && group.hosts().get(0) != null
                            && group.hosts().get(0).platform().status().isConnected());
            roundTrips(first, "tg-one", 5);
            assertThat(connectionsOf("tg-one")).isEqualTo(2);
            assertThat(connectionsOf("tg-two"))
                    .as("the other channel kept its bus connection")
                    .isEqualTo(1);
        }
    }

    @Test
    void groupSettingsAreCheckedAndTwoChannelsCannotShareAPort() throws Exception {
        Map<String, String> env = base(2);
        env.put("CHANNEL_COUNT", "zero");
        assertThatThrownBy(() -> ChannelGroup.fromEnvironment(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("CHANNEL_COUNT");
        env.put("CHANNEL_COUNT", "2");
        int port = closedPort();
        channel(env, 1, "hook-a", "webhook", "{}", Map.of("WEBHOOK_SECRET", "a-secret"));
        channel(env, 2, "hook-b", "webhook", "{}", Map.of("WEBHOOK_SECRET", "b-secret"));
        env.put("CHANNEL_1_HTTP_PORT", String.valueOf(port));
        env.put("CHANNEL_2_HTTP_PORT", String.valueOf(port));
        group = ChannelGroup.fromEnvironment(env);
        assertThat(group.failure(1)).contains("CHANNEL_2_HTTP_PORT " + port + " is already the port of channel hook-a");
        assertThat(group.hosts().get(0)).isNotNull();
    }
}
