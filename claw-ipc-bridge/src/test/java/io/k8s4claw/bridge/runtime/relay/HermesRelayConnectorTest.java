package io.k8s4claw.bridge.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundTarget;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.testkit.relay.HermesRelayClientEmulator;
import io.k8s4claw.testkit.relay.HermesRelayClientEmulator.Auth;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay connector against the Hermes-side emulator of claw-testkit (docs/openclaw-and-relay-peers.md there). */
class HermesRelayConnectorTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final Duration T = Duration.ofSeconds(10);

    private static final ChannelCapabilities TELEGRAM = ChannelCapabilities.newBuilder()
            .setMaxMessageLength(4096)
            .setLengthUnit(ChannelCapabilities.LengthUnit.UTF16_UNITS)
            .setSupportsEdit(true)
            .setSupportsTyping(true)
            .setMarkdownDialect("commonmark")
            .addAllSupportedOps(List.of("send", "edit", "typing"))
            .build();

    private final RecordingRouter router = new RecordingRouter();
    private HermesRelayConnector connector;
    private HermesRelayClientEmulator hermes;

    @BeforeEach
    void start() {
        RelaySettings settings = RelaySettings.defaults(0, SECRET)
                .withTimings(Duration.ofSeconds(20), Duration.ofSeconds(90), Duration.ofSeconds(2));
        connector = new HermesRelayConnector(
                settings,
                platform -> platform.equals("telegram")
                        ? Optional.of(new RelayChannels.Channel("tg-main", "telegram", TELEGRAM))
                        : Optional.empty(),
                Clock.systemUTC());
        connector.start(router);
        hermes = new HermesRelayClientEmulator(
                base(), new Auth.Signed("gw-bridge", SECRET, Duration.ofSeconds(300)), List.of("telegram"), Map.of());
    }

    @AfterEach
    void stop() {
        hermes.close();
        connector.close();
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + connector.port());
    }

    private static InboundMessage message(String id, String chat, String text) {
        return new InboundMessage(
                id,
                InboundMessage.idempotencyKeyFor("tg-main", id),
                "tg-main",
                "telegram",
                chat,
                "",
                new InboundMessage.Sender("123456789", "Ada", false),
                text,
                "47" + id,
                List.of(),
                Map.of("chat_name", "Ada"),
                InboundMessage.ChatType.DIRECT,
                Instant.EPOCH);
    }

    private static final class Sink implements ReplySink {
        final List<String> events = new CopyOnWriteArrayList<>();

        public void onStart() {
            events.add("start");
        }

        public void onDelta(String t) {
            events.add("delta:" + t);
        }

        public void onFinal(String t) {
            events.add("final:" + t);
        }

        public void onError(String c, String t) {
            events.add("error:" + c);
        }

        public void onTyping() {
            events.add("typing");
        }

        public void onApprovalRequest(String id, String t, List<String> c) {
            events.add("approval");
        }
    }

    @Test
    void helloGetsADescriptorFromTheChannelCapabilitiesThenInboundFlowsWithSessionSource() throws Exception {
        assertThat(connector.health().state()).isEqualTo(RuntimeHealth.State.STARTING);
        var c = hermes.connect(T);
        JsonNode d = c.awaitDescriptor(T);
        assertThat(d.path("contract_version").asInt()).isEqualTo(1);
        assertThat(d.path("platform").asText()).isEqualTo("telegram");
        assertThat(d.path("len_unit").asText()).isEqualTo("utf16");
        assertThat(d.path("supports_draft_streaming").asBoolean(true)).isFalse();
        assertThat(d.path("supported_ops").toString()).isEqualTo("[\"send\",\"edit\",\"typing\"]");
        await().atMost(T).until(() -> connector.health().isUp());

        Sink sink = new Sink();
        var accepted = connector
                .deliver(message("11", "123456789", "What is the weather in Oslo?"), sink)
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertThat(accepted.runRef()).isEqualTo("11");
        JsonNode event = c.awaitInbound(T);
        assertThat(event.path("text").asText()).isEqualTo("What is the weather in Oslo?");
        assertThat(event.path("message_type").asText()).isEqualTo("text");
        assertThat(event.path("message_id").asText()).isEqualTo("4711");
        JsonNode src = event.path("source");
        assertThat(src.path("platform").asText()).isEqualTo("telegram");
        assertThat(src.path("chat_id").asText()).isEqualTo("123456789");
        assertThat(src.path("chat_type").asText()).isEqualTo("dm");
        assertThat(src.path("user_id").asText()).isEqualTo("123456789");
        assertThat(src.path("user_name").asText()).isEqualTo("Ada");
        assertThat(src.path("chat_name").asText()).isEqualTo("Ada");
        assertThat(src.has("thread_id") && src.path("thread_id").isNull()).isTrue();
        assertThat(src.path("is_bot").isBoolean()).isTrue();
        assertThat(src.path("message_is_edit").asBoolean(true)).isFalse();
        await().atMost(T).until(() -> sink.events.equals(List.of("start", "final:")));
        assertThat(c.rawLines()).allSatisfy(l -> assertThat(l).doesNotContain("\n"));

        // a /stop is forwarded as an inbound command
        connector
                .deliver(message("12", "123456789", "/stop"), new Sink())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertThat(c.awaitInbound(T).path("message_type").asText()).isEqualTo("command");
    }

    @Test
    void sendEditTypingReachTheOwningChannelAndReturnThePlatformMessageId() throws Exception {
        var c = hermes.connect(T);
        c.awaitDescriptor(T);
        await().atMost(T).until(() -> connector.health().isUp());
        connector
                .deliver(message("11", "123456789", "hi"), new Sink())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        c.awaitInbound(T);

        assertThat(c.typing("123456789", "telegram")
                        .get(5, TimeUnit.SECONDS)
                        .path("success")
                        .asBoolean())
                .isTrue();
        JsonNode sent = c.send("123456789", "It is 3 °C", "4711", "telegram", Map.of("user_id", "123456789"))
                .get(5, TimeUnit.SECONDS);
        assertThat(sent.path("success").asBoolean()).isTrue();
        String platformId = sent.path("message_id").asText();
        assertThat(platformId).isEqualTo("4712");
        JsonNode edited = c.edit("123456789", platformId, "It is 3 °C and cloudy in Oslo.", "telegram")
                .get(5, TimeUnit.SECONDS);
        assertThat(edited.path("message_id").asText()).isEqualTo("4712");

        OutboundTarget owner = new OutboundTarget("tg-main", "telegram", "123456789", "");
        assertThat(router.calls)
                .containsExactly(
                        new RecordingRouter.Call("typing", owner, null, null),
                        new RecordingRouter.Call("send", owner, "It is 3 °C", "4711"),
                        new RecordingRouter.Call("edit", owner, "It is 3 °C and cloudy in Oslo.", "4712"));
    }

    @Test
    void proactiveCronSendWithNoPrecedingUserMessageReachesTheChannelByPlatform() throws Exception {
        var c = hermes.connect(T);
        c.awaitDescriptor(T);
        JsonNode result = c.send("123456789", "Daily brief: all green", null, "telegram", Map.of())
                .get(5, TimeUnit.SECONDS);
        assertThat(result.path("success").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("message_id").asText()).isNotEmpty();
        assertThat(router.calls)
                .singleElement()
                .isEqualTo(new RecordingRouter.Call(
                        "send", new OutboundTarget(null, "telegram", "123456789", ""), "Daily brief: all green", null));
    }

    @Test
    void refusedDestinationsUnsupportedOpsMalformedActionsAndSlowChannelsAreAnswered() throws Exception {
        var c = hermes.connect(T);
        c.awaitDescriptor(T);
        router.unknownChat = "999";
        JsonNode declined = c.send("999", "x", null, "telegram", Map.of()).get(5, TimeUnit.SECONDS);
        assertThat(declined.path("code").asText()).isEqualTo("egress_declined");
        assertThat(declined.path("error").asText()).startsWith("telegram egress declined");

        var react = JsonMapper.builder()
                .build()
                .createObjectNode()
                .put("op", "react")
                .put("chat_id", "1")
                .put("message_id", "2")
                .put("emoji", "x");
        assertThat(c.outbound(react, "telegram")
                        .get(5, TimeUnit.SECONDS)
                        .path("error")
                        .asText())
                .isEqualTo("unsupported op");

        c.sendRaw("{\"type\":\"outbound\",\"requestId\":\"deadbeef\",\"action\":\"nope\"}\n{garbage\n");
        JsonNode bad = c.awaitOther(T);
        assertThat(bad.path("requestId").asText()).isEqualTo("deadbeef");
        assertThat(bad.path("result").path("success").asBoolean(true)).isFalse();

        // the channel never confirms: only the outbound watchdog can answer, and its error text says it fired
        router.hang = true;
        JsonNode slow = c.send("123", "x", null, "telegram", Map.of()).get(60, TimeUnit.SECONDS);
        assertThat(slow.path("success").asBoolean(true)).isFalse();
        assertThat(slow.path("error").asText()).contains("did not confirm send within 2 s");

        c.goingIdle();
        assertThat(c.awaitOther(T).path("type").asText()).isEqualTo("going_idle_ack");
    }

    @Test
    void expiredAndForgedTokensAreClosedWith4401BeforeAnyDescriptor() throws Exception {
        hermes.auth(new Auth.SignedWithExp(
                "gw-bridge", SECRET, Instant.now().minusSeconds(120).getEpochSecond()));
        var expired = hermes.dial();
        expired.opened().get(5, TimeUnit.SECONDS);
        expired.hello("telegram");
        assertThat(expired.closed().get(5, TimeUnit.SECONDS))
                .isEqualTo(new HermesRelayClientEmulator.Closed(4401, "expired"));

        hermes.auth(new Auth.Signed("gw-bridge", "not-the-secret-not-the-secret-xx", Duration.ofSeconds(300)));
        var forged = hermes.dial();
        forged.hello("telegram");
        assertThat(forged.closed().get(5, TimeUnit.SECONDS))
                .isEqualTo(new HermesRelayClientEmulator.Closed(4401, "unauthorized"));

        hermes.auth(new Auth.None());
        var none = hermes.dial();
        assertThat(none.closed().get(5, TimeUnit.SECONDS).code()).isEqualTo(4401);
        assertThat(expired.rawLines()).isEmpty();
        assertThat(forged.rawLines()).isEmpty();
        assertThat(connector.health().state()).isEqualTo(RuntimeHealth.State.STARTING);
        assertThatThrownBy(() -> connector
                        .deliver(message("1", "1", "x"), new Sink())
                        .toCompletableFuture()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.code()).isEqualTo("unreachable");
                });
    }

    @Test
    void otherPathsAndPlainHttpAreNotTheRelay() throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var notFound = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/other")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notFound.statusCode()).isEqualTo(404);
        String token = HermesRelayClientEmulator.mintToken(
                "gw-bridge", SECRET, Instant.now().plusSeconds(300).getEpochSecond());
        var policy = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/relay/policy"))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"platform\":\"telegram\",\"requireAddress\":true}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(policy.statusCode()).isEqualTo(200);
        assertThat(policy.body()).isEqualTo("{}");
        var policyNoAuth = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/relay/policy"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(policyNoAuth.statusCode()).isEqualTo(401);
        var wrongPath = new HermesRelayClientEmulator(
                URI.create(base() + "/elsewhere/relay/x"),
                new Auth.Signed("gw-bridge", SECRET, Duration.ofSeconds(300)),
                List.of("telegram"),
                Map.of());
        try {
            var c = wrongPath.dial();
            assertThat(c.closed().get(5, TimeUnit.SECONDS).code()).isEqualTo(-400);
        } finally {
            wrongPath.close();
        }
    }

    @Test
    void reconnectGetsAFreshDescriptorAndReplacesTheOldSocket() throws Exception {
        var first = hermes.connect(T);
        first.awaitDescriptor(T);
        await().atMost(T).until(() -> connector.health().isUp());

        first.abort(); // crash without a close handshake
        await().atMost(T).until(() -> connector.health().state() == RuntimeHealth.State.DOWN);
        assertThatThrownBy(() -> connector
                        .deliver(message("20", "1", "lost"), new Sink())
                        .toCompletableFuture()
                        .get())
                .cause()
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.retryable()).isTrue());

        var second = hermes.connect(T);
        assertThat(second.awaitDescriptor(T).path("platform").asText()).isEqualTo("telegram");
        await().atMost(T).until(() -> connector.health().isUp());
        connector
                .deliver(message("21", "1", "again"), new Sink())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertThat(second.awaitInbound(T).path("text").asText()).isEqualTo("again");

        // a third authenticated connection replaces the second
        var other = new HermesRelayClientEmulator(
                base(), new Auth.Signed("gw-bridge", SECRET, Duration.ofSeconds(300)), List.of("telegram"), Map.of());
        try {
            var third = other.connect(T);
            third.awaitDescriptor(T);
            assertThat(second.closed().get(5, TimeUnit.SECONDS).code()).isEqualTo(1000);
            connector
                    .deliver(message("22", "1", "newest"), new Sink())
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(third.awaitInbound(T).path("text").asText()).isEqualTo("newest");
        } finally {
            other.close();
        }
    }

    @Test
    void descriptorsFollowWhatTheCoreReportsThroughChannelAware() throws Exception {
        RelaySettings settings = RelaySettings.defaults(0, SECRET);
        try (HermesRelayConnector learned = new HermesRelayConnector(settings, Clock.systemUTC())) {
            learned.start(router);
            learned.onChannelRegistered(
                    "slack-eng",
                    "slack",
                    ChannelCapabilities.newBuilder()
                            .setMaxMessageLength(3000)
                            .setLengthUnit(ChannelCapabilities.LengthUnit.CHARACTERS)
                            .setSupportsEdit(false)
                            .setSupportsThreads(true)
                            .setMarkdownDialect("slack-mrkdwn")
                            .addSupportedOps("send")
                            .build());
            var client = new HermesRelayClientEmulator(
                    URI.create("http://127.0.0.1:" + learned.port()),
                    new Auth.Signed("gw", SECRET, Duration.ofSeconds(300)),
                    List.of("slack"),
                    Map.of());
            try {
                JsonNode d = client.connect(T).awaitDescriptor(T);
                assertThat(d.path("max_message_length").asInt()).isEqualTo(3000);
                assertThat(d.path("supports_edit").asBoolean(true)).isFalse();
                assertThat(d.path("markdown_dialect").asText()).isEqualTo("slack");
                assertThat(d.path("supported_ops").toString()).isEqualTo("[\"send\"]");
            } finally {
                client.close();
            }
        }
    }

    @Test
    void ourPingsKeepAQuietGatewayAliveAndASilentSocketIsClosed() throws Exception {
        // a Hermes build that does not ping (or pings rarely) stays connected as long as it answers our pings
        RelaySettings fast = RelaySettings.defaults(0, SECRET)
                .withTimings(Duration.ofMillis(100), Duration.ofMillis(600), Duration.ofSeconds(2));
        try (HermesRelayConnector quick = new HermesRelayConnector(fast, Clock.systemUTC())) {
            quick.start(router);
            var client = new HermesRelayClientEmulator(
                    URI.create("http://127.0.0.1:" + quick.port()),
                    new Auth.Signed("gw", SECRET, Duration.ofSeconds(300)),
                    List.of("telegram"),
                    Map.of());
            try {
                var c = client.connect(T);
                c.awaitDescriptor(T);
                Thread.sleep(2000); // > 3 idle timeouts with no frame from the client: only pongs to our pings
                assertThat(c.closed()).isNotDone();
                quick.deliver(message("31", "1", "still here"), new Sink())
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
                assertThat(c.awaitInbound(T).path("text").asText()).isEqualTo("still here");
            } finally {
                client.close();
            }
            // a peer that completes the upgrade and then says nothing at all (no pongs) is closed after the idle
            // timeout
            try (Socket raw = new Socket("127.0.0.1", quick.port())) {
                String token = HermesRelayClientEmulator.mintToken(
                        "gw", SECRET, Instant.now().plusSeconds(300).getEpochSecond());
                raw.getOutputStream()
                        .write(("GET /relay HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
                                        + "Upgrade\r\n"
                                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-"
                                        + "Version: 13\r\nAuthorization: Bearer "
                                        + token
                                        + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                raw.setSoTimeout(60_000); // a safety net: without the idle watchdog the read would block for ever
                // 101 response, pings, then a close frame; read until the server drops the connection
                byte[] received = raw.getInputStream().readAllBytes();
                // the idle watchdog closed it (not some other path): its close frame, 1001 "keepalive timeout"
                // (server frames are unmasked: status 0x03E9, then the reason)
                assertThat(new String(received, StandardCharsets.ISO_8859_1)).contains("\u0003\u00e9keepalive timeout");
            }
        }
    }

    @Test
    void anUnknownPlatformGetsDefaultsAndEveryHelloItsOwnDescriptor() throws Exception {
        var multi = new HermesRelayClientEmulator(
                base(),
                new Auth.Signed("gw-bridge", SECRET, Duration.ofSeconds(300)),
                List.of("telegram", "discord"),
                Map.of("telegram", "8123456789"));
        try {
            var c = multi.connect(T);
            assertThat(c.awaitDescriptor(T).path("platform").asText()).isEqualTo("telegram");
            JsonNode discord = c.awaitDescriptor(T);
            assertThat(discord.path("platform").asText()).isEqualTo("discord");
            assertThat(discord.path("max_message_length").asInt()).isEqualTo(2000);
        } finally {
            multi.close();
        }
    }
}
