package io.k8s4claw.channel.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.channel.ChannelHost;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelConfigTest {

    @Test
    void errorsNameTheKeyAndWhatIsExpected() {
        assertThatThrownBy(() ->
                        ChannelConfig.from("{\"streaming\": \"yes\"}", Map.of()).bool("streaming", false))
                .hasMessageContaining("CHANNEL_CONFIG.streaming must be true or false")
                .hasMessageContaining("yes");
        assertThatThrownBy(() ->
                        ChannelConfig.from("{\"ackWaitMs\": 99999}", Map.of()).integer("ackWaitMs", 1, 0, 2800))
                .hasMessageContaining("CHANNEL_CONFIG.ackWaitMs must be between 0 and 2800, got 99999");
        assertThatThrownBy(() -> ChannelConfig.from("{\"outboundUrl\": \"ftp://x\"}", Map.of())
                        .url("outboundUrl", null))
                .hasMessageContaining("CHANNEL_CONFIG.outboundUrl must be an absolute http(s) URL");
        assertThatThrownBy(() -> ChannelConfig.from("{\"a\": 1,}", Map.of()))
                .hasMessageContaining("CHANNEL_CONFIG is not valid JSON (line 1, column");
        assertThatThrownBy(() -> ChannelConfig.from("[1]", Map.of())).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> ChannelConfig.from("{}", Map.of()).secret("SLACK_BOT_TOKEN", "the bot token"))
                .hasMessageContaining("SLACK_BOT_TOKEN is missing")
                .hasMessageContaining("secretRef");
    }

    @Test
    void secretsDoNotPrintThemselves() {
        Secret s = ChannelConfig.from("", Map.of("DISCORD_BOT_TOKEN", "very-secret"))
                .secret("DISCORD_BOT_TOKEN", "x");
        assertThat(s.reveal()).isEqualTo("very-secret");
        assertThat(s.toString()).isEqualTo("Secret[DISCORD_BOT_TOKEN]").doesNotContain("very-secret");
    }

    @Test
    void hostReportsMissingAndMalformedEnvironment() {
        Map<String, String> env = new HashMap<>();
        assertThatThrownBy(() -> ChannelHost.fromEnvironment(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("CHANNEL_NAME");
        env.put("CHANNEL_NAME", "x");
        env.put("CHANNEL_TYPE", "irc");
        assertThatThrownBy(() -> ChannelHost.fromEnvironment(env))
                .hasMessageContaining("CHANNEL_TYPE \"irc\" is not supported");
        env.put("CHANNEL_TYPE", "slack");
        env.put("SLACK_APP_TOKEN", "xoxb-wrong-kind");
        env.put("SLACK_BOT_TOKEN", "xoxb-1");
        assertThatThrownBy(() -> ChannelHost.fromEnvironment(env))
                .hasMessageContaining("SLACK_APP_TOKEN must be an app-level token")
                .hasMessageNotContaining("xoxb-wrong-kind");
        env.put("CHANNEL_TYPE", "telegram");
        env.put("TELEGRAM_BOT_TOKEN", "1:x");
        env.put("CHANNEL_CONFIG", "{\"mode\":\"push\"}");
        assertThatThrownBy(() -> ChannelHost.fromEnvironment(env))
                .hasMessageContaining("CHANNEL_CONFIG.mode must be \"polling\" or \"webhook\"");
        env.put("CHANNEL_CONFIG", "{\"mode\":\"webhook\"}");
        assertThatThrownBy(() -> ChannelHost.fromEnvironment(env))
                .hasMessageContaining("TELEGRAM_WEBHOOK_SECRET is missing");
        env.put("CHANNEL_TYPE", "webhook");
        env.put("CHANNEL_CONFIG", "{}");
        env.put("CHANNEL_HTTP_PORT", "eighty");
        assertThatThrownBy(() -> ChannelHost.fromEnvironment(env))
                .hasMessageContaining("CHANNEL_HTTP_PORT must be a port number");
    }

    @Test
    void unknownKeysAreRefusedListingTheKnownOnes() {
        Map<String, String> env = new HashMap<>(Map.of(
                "CHANNEL_NAME",
                "hook",
                "CHANNEL_TYPE",
                "webhook",
                "WEBHOOK_SECRET",
                "s-0123456789",
                "CHANNEL_HTTP_PORT",
                "0",
                "CHANNEL_HTTP_BIND",
                "127.0.0.1",
                "CHANNEL_CONFIG",
                "{\"outboundURL\":\"http://127.0.0.1:9/r\",\"retries\":3}"));
        assertThatThrownBy(() -> ChannelHost.fromEnvironment(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "CHANNEL_CONFIG.outboundURL is not a key of the webhook channel (did you mean outboundUrl?)")
                .hasMessageContaining("CHANNEL_CONFIG.retries is not a key of the webhook channel")
                .hasMessageContaining("known keys: ackTimeoutMs, busBufferSize, maxBodyBytes, outboundMaxAttempts, "
                        + "outboundStreaming, "
                        + "outboundUrl, path, replayWindowSeconds");
    }

    @Test
    void theExamplesSlackKeyIsKnown() throws Exception {
        // examples/slack-team-channel.yaml sets defaultChannel (k8s4claw's key): it must start.
        Map<String, String> env = Map.of(
                "CHANNEL_NAME",
                "slack-team",
                "CHANNEL_TYPE",
                "slack",
                "SLACK_APP_TOKEN",
                "xapp-1",
                "SLACK_BOT_TOKEN",
                "xoxb-1",
                "CHANNEL_HTTP_PORT",
                "0",
                "CHANNEL_HTTP_BIND",
                "127.0.0.1",
                "CHANNEL_CONFIG",
                "{\"defaultChannel\":\"C0123456789\"}");
        ChannelHost.fromEnvironment(env).close(Duration.ofMillis(100));
    }
}
