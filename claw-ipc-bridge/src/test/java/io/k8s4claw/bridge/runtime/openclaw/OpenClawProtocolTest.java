package io.k8s4claw.bridge.runtime.openclaw;

import static io.k8s4claw.bridge.runtime.openclaw.ScriptedGateway.chat;
import static io.k8s4claw.bridge.runtime.openclaw.ScriptedGateway.helloOk;
import static io.k8s4claw.bridge.runtime.openclaw.ScriptedGateway.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Protocol behaviour of the connector against a scripted gateway: handshake, event mapping, close codes, recovery. */
class OpenClawProtocolTest {

    private static final String TOKEN = "a".repeat(64);
    private ScriptedGateway gateway;
    private OpenClawGatewayConnector connector;

    @BeforeEach
    void startGateway() throws Exception {
        gateway = ScriptedGateway.begin();
    }

    @AfterEach
    void stop() throws Exception {
        if (connector != null) {
            connector.close();
        }
        gateway.stop(1000);
    }

    private void connect(Duration authRetry) {
        OpenClawSettings d = OpenClawSettings.defaults(gateway.url(), TOKEN);
        connector = new OpenClawGatewayConnector(
                new OpenClawSettings(
                        d.url(),
                        d.token(),
                        "test-pod",
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5),
                        d.turnTimeout(),
                        Duration.ofMillis(100),
                        Duration.ofMillis(400),
                        authRetry),
                Clock.systemUTC());
        connector.start(null);
    }

    private static InboundMessage message(String id) {
        return new InboundMessage(
                id,
                InboundMessage.idempotencyKeyFor("slack-eng", id),
                "slack-eng",
                "slack",
                "C1",
                "",
                new InboundMessage.Sender("U1", "Ann", false),
                "hi",
                "",
                List.of(),
                Map.of(),
                InboundMessage.ChatType.CHANNEL,
                Instant.EPOCH);
    }

    private void answerHello(String scopes, long tickMs) {
        gateway.onRequest = (c, f) -> {
            if ("connect".equals(f.path("method").asText())) {
                c.send(helloOk(f.path("id").asText(), scopes, tickMs));
            }
        };
    }

    private static String res(JsonNode req, String payload) {
        return "{\"type\":\"res\",\"id\":\"" + req.path("id").asText() + "\",\"ok\":true,\"payload\":" + payload + "}";
    }

    @Test
    void connectsAsALocalBackendWithoutOriginDeviceOrForwardingHeaders() throws Exception {
        answerHello("[\"operator.read\",\"operator.write\"]", 30_000);
        connect(Duration.ofMinutes(5));
        JsonNode connect = gateway.next("connect").frame();
        JsonNode p = connect.path("params");
        assertThat(p.path("minProtocol").asInt()).isEqualTo(4);
        assertThat(p.path("maxProtocol").asInt()).isEqualTo(4);
        assertThat(p.path("client").path("id").asText()).isEqualTo("gateway-client");
        assertThat(p.path("client").path("mode").asText()).isEqualTo("backend");
        assertThat(p.path("client").path("version").asText()).isNotEmpty();
        assertThat(p.path("client").path("platform").asText()).isNotEmpty();
        assertThat(p.path("role").asText()).isEqualTo("operator");
        assertThat(p.path("scopes").toString()).isEqualTo("[\"operator.read\",\"operator.write\"]");
        assertThat(p.path("caps").toString()).isEqualTo("[]");
        assertThat(p.path("auth").path("token").asText()).isEqualTo(TOKEN);
        assertThat(p.has("device")).isFalse();
        var hs = gateway.handshakes.get(0);
        assertThat(hs.getResourceDescriptor()).isEqualTo("/");
        for (String h : List.of(
                "Origin",
                "Forwarded",
                "X-Forwarded-For",
                "X-Forwarded-Host",
                "X-Real-IP",
                "Sec-WebSocket-Protocol",
                "Sec-WebSocket-Extensions")) {
            assertThat(hs.hasFieldValue(h)).as(h).isFalse();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.health().isUp());
    }

    @Test
    void mapsTheChatStreamIncludingEventsThatOvertakeTheAck() throws Exception {
        answerHello("[\"operator.read\",\"operator.write\"]", 30_000);
        InboundMessage m = message("e1");
        String run = m.idempotencyKey();
        InboundMessage later = message("e1-later");
        gateway.onRequest = (c, f) -> {
            switch (f.path("method").asText()) {
                case "connect" ->
                    c.send(helloOk(f.path("id").asText(), "[\"operator.read\",\"operator.write\"]", 30_000));
                case "chat.send" -> {
                    if (f.path("params").path("idempotencyKey").asText().equals(later.idempotencyKey())) {
                        // the follow-up that shows the late error was read (see below)
                        c.send(res(f, "{\"runId\":\"" + later.idempotencyKey() + "\",\"status\":\"started\"}"));
                        c.send(chat(
                                later.idempotencyKey(),
                                "\"state\":\"final\",\"stopReason\":\"stop\"," + text("later")));
                        return;
                    }
                    assertThat(f.path("params").path("idempotencyKey").asText()).isEqualTo(run);
                    assertThat(f.path("params").path("queueMode").asText()).isEqualTo("followup");
                    assertThat(f.path("params").path("sessionKey").asText()).isEqualTo("agent:main:slack:channel:c1");
                    assertThat(f.path("params").path("message").asText()).isEqualTo("[Slack] Ann (U1): hi");
                    assertThat(f.path("params").path("timeoutMs").asLong()).isPositive();
                    c.send(chat(run, "\"state\":\"status\",\"phase\":\"preparing_workspace\""));
                    c.send(chat("someone-elses-run", "\"state\":\"final\"," + text("not ours")));
                    c.send(chat(run, "\"state\":\"delta\",\"deltaText\":\"He\""));
                    c.send(res(f, "{\"runId\":\"" + run + "\",\"status\":\"started\"}"));
                    c.send(chat(run, "\"state\":\"delta\",\"deltaText\":\"Hel\",\"replace\":true"));
                    c.send(chat(run, "\"state\":\"compacting\""));
                    c.send(chat(run, "\"state\":\"delta\",\"deltaText\":\"XX\"," + text("Hello")));
                    c.send(chat(run, "\"state\":\"final\",\"stopReason\":\"stop\"," + text("Hello!")));
                    c.send(chat(run, "\"state\":\"error\",\"errorMessage\":\"late\""));
                }
                default -> {}
            }
        };
        connect(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.health().isUp());
        RecordingSink sink = new RecordingSink();
        Accepted a = connector.deliver(m, sink).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(a).isEqualTo(new Accepted(run, false));
        await().atMost(Duration.ofSeconds(10)).until(() -> !sink.terminals().isEmpty());
        // the late error after final must be ignored: the gateway sent it before it even saw the follow-up's
        // chat.send, and frames are read in order, so once the follow-up's final is here the late error was read
        RecordingSink laterSink = new RecordingSink();
        connector.deliver(later, laterSink).toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !laterSink.terminals().isEmpty());
        assertThat(laterSink.terminals()).containsExactly("final:later");
        assertThat(sink.events)
                .containsExactly("start", "typing", "delta:He", "delta:Hel", "delta:Hello", "final:Hello!");
    }

    @Test
    void honoursRetryAfterOn1013AndReconnectsAfterShutdownThenRecoversFromHistory() throws Exception {
        InboundMessage m = message("e2");
        String run = m.idempotencyKey();
        final int[] connects = {0};
        gateway.onRequest = (c, f) -> {
            switch (f.path("method").asText()) {
                case "connect" -> {
                    if (++connects[0] == 1) { // still starting: the gateway answers connect with UNAVAILABLE
                        c.send("{\"type\":\"res\",\"id\":\"" + f.path("id").asText()
                                + "\",\"ok\":false,\"error\":{\"code\":\"UNAVAILABLE\","
                                + "\"message\":\"gateway starting; retry "
                                + "shortly\",\"retryable\":true,\"retryAfterMs\":700,"
                                + "\"details\":{\"reason\":\"startup-sidecars\"}}}");
                        c.close(1013, "gateway starting");
                    } else {
                        c.send(helloOk(f.path("id").asText(), "[\"operator.read\",\"operator.write\"]", 30_000));
                    }
                }
                case "chat.send" -> {
                    c.send(res(f, "{\"runId\":\"" + run + "\",\"status\":\"started\"}"));
                    c.send(chat(run, "\"state\":\"delta\",\"deltaText\":\"Deploy \"," + text("Deploy ")));
                    c.send("{\"type\":\"event\",\"event\":\"shutdown\",\"seq\":9,"
                            + "\"payload\":{\"reason\":\"gateway restarting\",\"restartExpectedMs\":500}}");
                    c.close(1012, "service restart");
                }
                case "chat.history" -> {
                    assertThat(f.path("params").path("inputRunIds").toString()).isEqualTo("[\"" + run + "\"]");
                    c.send(res(
                            f,
                            "{\"sessionKey\":\"agent:main:slack:channel:c1\",\"messages\":["
                                    + "{\"role\":\"user\",\"content\":\"[Slack] Ann (U1): hi\",\"idempotencyKey\":\""
                                    + run + ":user\"},"
                                    + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
                                    + "\"text\":\"Deploy is green.\"}],\"__openclaw\":{\"runId\":\""
                                    + run + "\"}}],"
                                    + "\"sessionInfo\":{\"hasActiveRun\":false}}"));
                }
                default -> {}
            }
        };
        connect(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.health().isUp());
        assertThat(gateway.connectTimes).hasSize(2);
        long gapMs = (gateway.connectTimes.get(1) - gateway.connectTimes.get(0)) / 1_000_000;
        // the hint is honoured: not before it (the backoff alone would redial within 100-400 ms); that it was not
        // the 5-minute auth retry instead is the health wait above. No upper bound: a loaded machine may be late.
        assertThat(gapMs).as("reconnect after retryAfterMs=700").isGreaterThanOrEqualTo(600L);

        RecordingSink sink = new RecordingSink();
        connector.deliver(m, sink).toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !sink.terminals().isEmpty());
        assertThat(sink.events).containsExactly("start", "delta:Deploy ", "final:Deploy is green.");
        assertThat(gateway.connectTimes).hasSize(3);
        long restartGap = (gateway.connectTimes.get(2) - gateway.connectTimes.get(1)) / 1_000_000;
        assertThat(restartGap).as("reconnect after restartExpectedMs=500").isGreaterThanOrEqualTo(450L);
        // recovered from the transcript: no second chat.send
        assertThat(gateway.requests.stream()
                        .filter(r -> r.frame().path("method").asText().equals("chat.send"))
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aLostInputIsSentAgainUnderTheSameKeyAfterReconnect() throws Exception {
        InboundMessage m = message("e3");
        String run = m.idempotencyKey();
        final int[] sends = {0};
        gateway.onRequest = (c, f) -> {
            switch (f.path("method").asText()) {
                case "connect" ->
                    c.send(helloOk(f.path("id").asText(), "[\"operator.read\",\"operator.write\"]", 30_000));
                case "chat.send" -> {
                    assertThat(f.path("params").path("idempotencyKey").asText()).isEqualTo(run);
                    c.send(res(f, "{\"runId\":\"" + run + "\",\"status\":\"started\"}"));
                    if (++sends[0] == 1) {
                        c.close(1006); // the gateway dies before the input reached its transcript
                    } else {
                        c.send(chat(run, "\"state\":\"final\"," + text("second time lucky")));
                    }
                }
                case "chat.history" ->
                    c.send(res(f, "{\"messages\":[],\"inputReceipts\":[],\"sessionInfo\":{\"hasActiveRun\":false}}"));
                default -> {}
            }
        };
        connect(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.health().isUp());
        RecordingSink sink = new RecordingSink();
        connector.deliver(m, sink).toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(15)).until(() -> !sink.terminals().isEmpty());
        assertThat(sink.terminals()).containsExactly("final:second time lucky");
        assertThat(sends[0]).isEqualTo(2);
    }

    @Test
    void emptyScopesMeanTheLocalBackendPathWasNotTakenAndAreReported() throws Exception {
        answerHello("[]", 30_000);
        connect(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.health().state() == RuntimeHealth.State.DOWN);
        assertThat(connector.health().detail())
                .contains("127.0.0.1")
                .contains("Origin")
                .contains("retrying in 300 s");
        Thread.sleep(1500);
        assertThat(gateway.connectTimes).hasSize(1); // paused, not looping
    }

    @Test
    void aSilentGatewayTripsTheTickWatchdog() throws Exception {
        answerHello("[\"operator.read\",\"operator.write\"]", 1000);
        connect(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.health().isUp());
        Integer code = gateway.clientCloseCodes.poll(15, TimeUnit.SECONDS);
        assertThat(code).isEqualTo(4000);
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.connectTimes.size() >= 2);
    }

    @Test
    void chatSendRefusalsMapToRetryableOrPermanentFailures() throws Exception {
        gateway.onRequest = (c, f) -> {
            switch (f.path("method").asText()) {
                case "connect" ->
                    c.send(helloOk(f.path("id").asText(), "[\"operator.read\",\"operator.write\"]", 30_000));
                case "chat.send" -> {
                    boolean conflict = f.path("params")
                            .path("idempotencyKey")
                            .asText()
                            .equals(message("conflict").idempotencyKey());
                    c.send("{\"type\":\"res\",\"id\":\"" + f.path("id").asText() + "\",\"ok\":false,\"error\":"
                            + (conflict
                                    ? "{\"code\":\"INVALID_REQUEST\",\"message\":\"conflict\","
                                            + "\"details\":{\"reason\":\"chat-request-conflict\"}}"
                                    : "{\"code\":\"UNAVAILABLE\",\"message\":\"queue full\",\"retryable\":true,"
                                            + "\"retryAfterMs\":1500}")
                            + "}");
                }
                default -> {}
            }
        };
        connect(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.health().isUp());
        assertThatThrownBy(() -> connector
                        .deliver(message("conflict"), new RecordingSink())
                        .toCompletableFuture()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.code()).isEqualTo("conflict");
                });
        assertThatThrownBy(() -> connector
                        .deliver(message("busy"), new RecordingSink())
                        .toCompletableFuture()
                        .get())
                .cause()
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.retryAfter()).hasValue(Duration.ofMillis(1500));
                });
    }
}
