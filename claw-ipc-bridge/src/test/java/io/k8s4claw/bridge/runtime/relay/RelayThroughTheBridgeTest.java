package io.k8s4claw.bridge.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.testing.TestSidecar;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.testkit.relay.HermesRelayClientEmulator;
import io.k8s4claw.testkit.relay.HermesRelayClientEmulator.Auth;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay inside the real bridge core: a channel sidecar on the bus, Hermes (emulated from part B) on /relay.
 * A user message reaches Hermes as an inbound event; a cron-style send with no user message before it reaches the
 * channel as a durable proactive reply, and the platform message id the channel acks travels back to Hermes, so an
 * edit of it lands on the same platform message.
 */
class RelayThroughTheBridgeTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final Duration T = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private Bridge bridge;
    private HermesRelayConnector relay;
    private HermesRelayClientEmulator hermes;

    @AfterEach
    void stop() {
        if (hermes != null) {
            hermes.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void userMessagesReachHermesAndProactiveSendsReachTheChannelWithPlatformIds() throws Exception {
        relay = new HermesRelayConnector(RelaySettings.defaults(0, SECRET), Clock.systemUTC());
        bridge = Bridge.start(TestConfigs.config(dir), relay, FileStore.DEFAULT);
        try (TestSidecar telegram = TestSidecar.connect(dir.resolve("bus.sock"))) {
            telegram.send(telegram.frames()
                    .hello(
                            "tg-main",
                            "telegram",
                            "tg-0",
                            0,
                            ChannelCapabilities.newBuilder()
                                    .setMaxMessageLength(4096)
                                    .setLengthUnit(ChannelCapabilities.LengthUnit.UTF16_UNITS)
                                    .setSupportsEdit(true)
                                    .addAllSupportedOps(List.of("send", "edit"))
                                    .setMarkdownDialect("telegram-markdownv2")
                                    .build(),
                            "test"));
            assertThat(telegram.await(f -> f.hasWelcome() || f.hasError(), T).hasWelcome())
                    .isTrue();

            hermes = new HermesRelayClientEmulator(
                    URI.create("http://127.0.0.1:" + relay.port()),
                    new Auth.Signed("gw-bridge", SECRET, Duration.ofSeconds(300)),
                    List.of("telegram"),
                    Map.of());
            var socket = hermes.connect(T);
            JsonNode descriptor = socket.awaitDescriptor(T);
            // built from the capabilities the sidecar announced on the bus, not the platform defaults
            assertThat(descriptor.path("markdown_dialect").asText()).isEqualTo("markdown_v2");
            assertThat(descriptor.path("supported_ops").toString()).isEqualTo("[\"send\",\"edit\"]");
            assertThat(descriptor.path("len_unit").asText()).isEqualTo("utf16");
            await().atMost(T).until(() -> relay.health().isUp());

            // user → Hermes
            telegram.send(telegram.frames()
                    .userMessage(UserMessage.newBuilder()
                            .setMessageId("upd-1")
                            .setConversationId("123456789")
                            .setPlatformMessageId("4711")
                            .setSender(Sender.newBuilder().setId("123456789").setDisplayName("Ada"))
                            .setText("What is the weather in Oslo?")
                            .build()));
            assertThat(telegram.await(Frame::hasAck, T).getAck().getMessageId()).isEqualTo("upd-1");
            JsonNode inbound = socket.awaitInbound(T);
            assertThat(inbound.path("text").asText()).isEqualTo("What is the weather in Oslo?");
            assertThat(inbound.path("message_id").asText()).isEqualTo("4711");
            assertThat(inbound.path("source").path("platform").asText()).isEqualTo("telegram");
            assertThat(inbound.path("source").path("chat_id").asText()).isEqualTo("123456789");
            telegram.drainReceived();

            // a cron job fires in Hermes: no user message precedes it
            var sent = socket.send("123456789", "Daily brief: all systems green", null, "telegram", Map.of());
            Frame proactive = telegram.await(f -> f.hasReply() && f.getReply().hasFinal(), T);
            assertThat(proactive.getReply().getFinal().getText()).isEqualTo("Daily brief: all systems green");
            assertThat(proactive.getReply().getConversationId()).isEqualTo("123456789");
            assertThat(proactive.getReply().getInReplyTo()).isEmpty();
            telegram.send(
                    telegram.frames().replyAck(proactive.getReply().getReplySeq(), true, "", false, List.of("4720")));
            JsonNode result = sent.get(T.toSeconds(), TimeUnit.SECONDS);
            assertThat(result.path("success").asBoolean()).as(result.toString()).isTrue();
            assertThat(result.path("message_id").asText()).isEqualTo("4720");

            // ...and Hermes edits that message later
            var edited = socket.edit("123456789", "4720", "Daily brief: all green, 3 deploys", "telegram");
            Frame edit = telegram.await(f -> f.hasReply() && f.getReply().hasEdit(), T);
            assertThat(edit.getReply().getEdit().getPlatformMessageId()).isEqualTo("4720");
            assertThat(edit.getReply().getEdit().getText()).isEqualTo("Daily brief: all green, 3 deploys");
            telegram.send(telegram.frames().replyAck(edit.getReply().getReplySeq(), true, "", false, List.of("4720")));
            assertThat(edited.get(T.toSeconds(), TimeUnit.SECONDS)
                            .path("message_id")
                            .asText())
                    .isEqualTo("4720");

            // a platform with no channel in this pod is refused as egress_declined
            JsonNode declined = socket.send("C1", "x", null, "slack", Map.of()).get(T.toSeconds(), TimeUnit.SECONDS);
            assertThat(declined.path("code").asText()).isEqualTo("egress_declined");

            // on the bridge's loop: the sinks of the delivery above were called there, with no thread of the relay's
            assertThat(Thread.getAllStackTraces().keySet())
                    .extracting(Thread::getName)
                    .doesNotContain("hermes-relay-callbacks");
        }
    }
}
