package io.k8s4claw.channel.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.api.bus.v1.Ack;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.ReplyDelta;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.LogCapture;
import io.k8s4claw.channel.SidecarHarness;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.sdk.FakeBridge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookChannelTest {
    static final String IN_SECRET = "inbound-shh-0123456789";
    static final String OUT_SECRET = "outbound-shh-9876543210";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    SidecarHarness sidecar;
    MockWebServer receiver;

    @AfterEach
    void tearDown() throws Exception {
        if (sidecar != null) sidecar.close();
        if (receiver != null) receiver.shutdown();
    }

    private void start(String extra) throws Exception {
        receiver = new MockWebServer();
        receiver.start();
        sidecar = new SidecarHarness(
                dir,
                "webhook",
                "{\"outboundUrl\":\"" + receiver.url("/replies") + "\"" + extra + "}",
                Map.of("WEBHOOK_SECRET", IN_SECRET, "WEBHOOK_OUTBOUND_SECRET", OUT_SECRET));
    }

    private HttpResponse<String> send(String delivery, String body, long ts, String secret) throws Exception {
        String t = String.valueOf(ts);
        String sig = WebhookSignature.sign(new Secret("s", secret), t, body.getBytes(StandardCharsets.UTF_8));
        return sidecar.post(
                "/webhook",
                Map.of(
                        WebhookSignature.TIMESTAMP_HEADER,
                        t,
                        WebhookSignature.SIGNATURE_HEADER,
                        sig,
                        WebhookSignature.DELIVERY_HEADER,
                        delivery,
                        "Content-Type",
                        "application/json"),
                body);
    }

    private HttpResponse<String> send(String delivery, String body) throws Exception {
        return send(delivery, body, System.currentTimeMillis() / 1000, IN_SECRET);
    }

    private static final String BODY =
            "{\"conversation_id\":\"ticket-42\",\"thread_id\":\"t1\",\"text\":\"Is the build green?\","
                    + "\"sender\":{\"id\":\"u7\",\"name\":\"Ada\"},\"metadata\":{\"source\":\"ci\"}}";

    @Test
    void answers202OnlyAfterTheBridgeAcked() throws Exception {
        start("");
        await(sidecar);
        CompletableFuture<HttpResponse<String>> resp = CompletableFuture.supplyAsync(() -> {
            try {
                return send("d-1", BODY);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        UserMessage m = sidecar.nextMessage();
        assertThat(m.getMessageId()).isEqualTo("d-1");
        assertThat(m.getConversationId()).isEqualTo("ticket-42");
        assertThat(m.getThreadId()).isEqualTo("t1");
        assertThat(m.getSender().getDisplayName()).isEqualTo("Ada");
        assertThat(m.getMetadataMap()).containsEntry("source", "ci");
        Thread.sleep(300);
        assertThat(resp).as("no answer before the bridge acked").isNotDone();
        sidecar.ack("d-1");
        HttpResponse<String> r = resp.get(5, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(r.body()).path("message_id").asText()).isEqualTo("d-1");
    }

    private static void await(SidecarHarness s) {
        Awaitility.await().until(() -> s.host.bus().isConnected());
    }

    @Test
    void rejectsBadSignaturesStaleTimestampsAndMissingHeaders() throws Exception {
        start("");
        await(sidecar);
        assertThat(send("d-2", BODY, System.currentTimeMillis() / 1000, "wrong-secret")
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<String> stale = send("d-3", BODY, System.currentTimeMillis() / 1000 - 600, IN_SECRET);
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(stale.body()).contains("replay window");
        assertThat(sidecar.post("/webhook", Map.of(), BODY).statusCode()).isEqualTo(401);
        // A valid signature of another body (tampering) fails too.
        String t = String.valueOf(System.currentTimeMillis() / 1000);
        String sig = WebhookSignature.sign(new Secret("s", IN_SECRET), t, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(sidecar.post(
                                "/webhook",
                                Map.of(
                                        WebhookSignature.TIMESTAMP_HEADER,
                                        t,
                                        WebhookSignature.SIGNATURE_HEADER,
                                        sig,
                                        WebhookSignature.DELIVERY_HEADER,
                                        "d-4"),
                                BODY)
                        .statusCode())
                .isEqualTo(401);
        assertThat(sidecar.bridge.poll(Frame.BodyCase.USER_MESSAGE, 300)).isNull();
    }

    @Test
    void malformedBodiesGet400NamingTheField() throws Exception {
        start("");
        await(sidecar);
        HttpResponse<String> noText = send("d-5", "{\"conversation_id\":\"c\"}");
        assertThat(noText.statusCode()).isEqualTo(400);
        assertThat(noText.body()).contains("$.text is required");
        HttpResponse<String> broken = send("d-6", "{\"conversation_id\": \"c\", \"text\": }");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("line 1").contains("column");
        HttpResponse<String> badSender = send("d-7", "{\"conversation_id\":\"c\",\"text\":\"x\",\"sender\":\"bob\"}");
        assertThat(badSender.body()).contains("$.sender must be an object");
    }

    private HttpResponse<String> sendBytes(String delivery, byte[] body) throws Exception {
        String t = String.valueOf(System.currentTimeMillis() / 1000);
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.host.httpPort() + "/webhook"))
                .header(WebhookSignature.TIMESTAMP_HEADER, t)
                .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(new Secret("s", IN_SECRET), t, body))
                .header(WebhookSignature.DELIVERY_HEADER, delivery)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void invalidUtf8LoneSurrogatesAndWrongTypesAre400NamingWhatIsWrong() throws Exception {
        start("");
        sidecar.bridge.autoAck = true;
        await(sidecar);
        byte[] latin1 = "{\"conversation_id\":\"c\",\"text\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> notUtf8 = sendBytes("d-u1", latin1);
        assertThat(notUtf8.statusCode()).isEqualTo(400);
        assertThat(notUtf8.body()).contains("invalid UTF-8").contains("0xe9").contains("byte 34");

        HttpResponse<String> lone = send("d-u2", "{\"conversation_id\":\"c\",\"text\":\"half \\ud83d pair\"}");
        assertThat(lone.statusCode()).isEqualTo(400);
        assertThat(lone.body()).contains("lone surrogate").contains("\\\\uD83D");

        HttpResponse<String> number = send("d-u3", "{\"conversation_id\":1e2,\"text\":\"x\"}");
        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(number.body()).contains("$.conversation_id must be a string, got NUMBER");
        HttpResponse<String> meta = send("d-u4", "{\"conversation_id\":\"c\",\"text\":\"x\",\"metadata\":{\"n\":5}}");
        assertThat(meta.body()).contains("$.metadata.n must be a string, got NUMBER");

        // None of them reached the bridge; a good one after them does, and first.
        assertThat(send("d-u5", BODY).statusCode()).isEqualTo(202);
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo("d-u5");
    }

    @Test
    void redeliveryIsIdempotentAndAReusedIdWithAnotherBodyIs409() throws Exception {
        start("");
        sidecar.bridge.autoAck = true;
        await(sidecar);
        assertThat(send("d-8", BODY).statusCode()).isEqualTo(202);
        assertThat(send("d-8", BODY).statusCode()).isEqualTo(202);
        assertThat(sidecar.host.metrics().dedupes()).isEqualTo(1);
        HttpResponse<String> reused = send("d-8", BODY.replace("green", "red"));
        assertThat(reused.statusCode()).isEqualTo(409);
    }

    @Test
    void bridgeRefusalIs422() throws Exception {
        start(",\"ackTimeoutMs\":300");
        await(sidecar);
        CompletableFuture<HttpResponse<String>> resp = CompletableFuture.supplyAsync(() -> {
            try {
                return send("d-9", BODY);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        sidecar.nextMessage();
        sidecar.bridge
                .current()
                .send(Frame.newBuilder()
                        .setNack(Nack.newBuilder()
                                .setMessageId("d-9")
                                .setReason(Nack.Reason.INVALID)
                                .setUserVisibleText("cannot read that")));
        HttpResponse<String> r = resp.get(5, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("cannot read that");
    }

    @Test
    void a503MeansNotTakenTheMessageNeverReachesABridgeLater() throws Exception {
        start(",\"ackTimeoutMs\":300");
        await(sidecar);
        sidecar.bridge.close(); // the bridge is away
        Awaitility.await().until(() -> !sidecar.host.bus().isConnected());
        HttpResponse<String> away = send("d-away", BODY);
        assertThat(away.statusCode()).isEqualTo(503);
        assertThat(away.headers().firstValue("Retry-After")).isPresent();
        assertThat(away.body()).contains("bridge_unavailable").contains("will not run");

        try (FakeBridge back = new FakeBridge(sidecar.bridge.socket)) {
            back.autoAck = true;
            await(sidecar);
            // The caller retries with a new delivery id, as a 503 allows: only that one may reach the bridge.
            assertThat(send("d-retry", BODY).statusCode()).isEqualTo(202);
            assertThat(back.next(Frame.BodyCase.USER_MESSAGE).getUserMessage().getMessageId())
                    .as("the first message the bridge gets after the 503 (messages are sent in order)")
                    .isEqualTo("d-retry");
        }
    }

    @Test
    void anUnacknowledgedMessageIs504AndTheSameDeliveryIdLaterGets202() throws Exception {
        start(",\"ackTimeoutMs\":300");
        await(sidecar);
        HttpResponse<String> slow = send("d-10", BODY); // the fake bridge got it but does not ack
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo("d-10");
        assertThat(slow.statusCode())
                .as("it reached the bridge, so it may run: not a 503")
                .isEqualTo(504);
        assertThat(slow.body()).contains("not_confirmed").contains("same delivery id");
        assertThat(slow.headers().firstValue("Retry-After")).isPresent();
        sidecar.ack("d-10");
        sidecar.bridge.autoAck = true;
        assertThat(send("d-10", BODY).statusCode()).isEqualTo(202);
    }

    @Test
    void theChannelsResendToARestartedBridgeIsNotCalledADuplicate() throws Exception {
        start("");
        await(sidecar);
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return send("d-restart", BODY);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(sidecar.nextMessage().getMessageId()).isEqualTo("d-restart");
        sidecar.bridge.close(); // stored it, then died before its Ack
        try (FakeBridge restarted = new FakeBridge(sidecar.bridge.socket)) {
            assertThat(restarted
                            .next(Frame.BodyCase.USER_MESSAGE)
                            .getUserMessage()
                            .getMessageId())
                    .isEqualTo("d-restart");
            restarted
                    .current()
                    .send(Frame.newBuilder()
                            .setAck(Ack.newBuilder().setMessageId("d-restart").setDuplicate(true)));
            HttpResponse<String> r = first.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(JSON.readTree(r.body()).path("duplicate").asBoolean())
                    .as("the caller sent it once")
                    .isFalse();

            // The caller's own second delivery of the same id is a duplicate.
            CompletableFuture<HttpResponse<String>> again = CompletableFuture.supplyAsync(() -> {
                try {
                    return send("d-restart", BODY);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(restarted
                            .next(Frame.BodyCase.USER_MESSAGE)
                            .getUserMessage()
                            .getMessageId())
                    .isEqualTo("d-restart");
            restarted
                    .current()
                    .send(Frame.newBuilder()
                            .setAck(Ack.newBuilder().setMessageId("d-restart").setDuplicate(true)));
            assertThat(JSON.readTree(again.get(10, TimeUnit.SECONDS).body())
                            .path("duplicate")
                            .asBoolean())
                    .isTrue();
        }
    }

    @Test
    void repliesArePostedSignedWithAStableDeliveryId() throws Exception {
        start("");
        await(sidecar);
        receiver.enqueue(new MockResponse().setResponseCode(200).setBody("{\"message_id\":\"ext-1\"}"));
        sidecar.reply(Reply.newBuilder()
                .setStreamId("run-1")
                .setInReplyTo("d-1")
                .setConversationId("ticket-42")
                .setThreadId("t1")
                .setDelta(ReplyDelta.newBuilder().setText("Yes")));
        long seq = sidecar.reply(Reply.newBuilder()
                .setStreamId("run-1")
                .setInReplyTo("d-1")
                .setConversationId("ticket-42")
                .setThreadId("t1")
                .setFinal(ReplyFinal.newBuilder().setText("Yes, all green.")));
        RecordedRequest req = receiver.takeRequest(5, TimeUnit.SECONDS);
        byte[] body = req.getBody().readByteArray();
        JsonNode json = JSON.readTree(body);
        assertThat(json.path("type").asText())
                .as("deltas are not sent by default")
                .isEqualTo("final");
        assertThat(json.path("text").asText()).isEqualTo("Yes, all green.");
        assertThat(json.path("conversation_id").asText()).isEqualTo("ticket-42");
        assertThat(json.path("in_reply_to").asText()).isEqualTo("d-1");
        assertThat(req.getHeader(WebhookSignature.DELIVERY_HEADER)).isEqualTo("webhook-test:" + seq);
        assertThat(WebhookSignature.verify(
                        new Secret("o", OUT_SECRET),
                        req.getHeader(WebhookSignature.TIMESTAMP_HEADER),
                        body,
                        req.getHeader(WebhookSignature.SIGNATURE_HEADER)))
                .isTrue();
        ReplyAck delta = sidecar.nextReplyAck();
        ReplyAck fin = sidecar.nextReplyAck();
        assertThat(delta.getOk()).isTrue();
        assertThat(fin.getPlatformMessageIdsList()).containsExactly("ext-1");
    }

    @Test
    void aRestartedSidecarAcksAReplyTheReceiverAcceptedInsteadOfPostingItAgain() throws Exception {
        receiver = new MockWebServer();
        receiver.start();
        Map<String, String> env = Map.of(
                "WEBHOOK_SECRET",
                IN_SECRET,
                "WEBHOOK_OUTBOUND_SECRET",
                OUT_SECRET,
                "CHANNEL_STATE_DIR",
                dir.resolve("state").toString());
        String config = "{\"outboundUrl\":\"" + receiver.url("/replies") + "\"}";
        Reply.Builder answer = Reply.newBuilder()
                .setStreamId("run-9")
                .setInReplyTo("d-9")
                .setConversationId("ticket-9")
                .setFinal(ReplyFinal.newBuilder().setText("Deployed."));
        receiver.enqueue(new MockResponse().setResponseCode(200).setBody("{\"message_id\":\"ext-9\"}"));
        sidecar = new SidecarHarness(dir, "webhook", config, env);
        long seq = sidecar.reply(answer.clone());
        assertThat(sidecar.nextReplyAck().getPlatformMessageIdsList()).containsExactly("ext-9");
        assertThat(receiver.getRequestCount()).isEqualTo(1);
        sidecar.close(); // the sidecar is gone; its ReplyAck may not have reached the bridge

        sidecar = new SidecarHarness(dir, "webhook", config, env);
        assertThat(sidecar.reply(answer.clone()))
                .as("the bridge resends the same reply")
                .isEqualTo(seq);
        ReplyAck again = sidecar.nextReplyAck();
        assertThat(again.getOk()).isTrue();
        assertThat(again.getPlatformMessageIdsList())
                .as("acked from the ledger, with the receiver's id")
                .containsExactly("ext-9");
        assertThat(receiver.getRequestCount()).as("not posted again").isEqualTo(1);

        // Another reply under the same seq (a bridge whose state was reset) is delivered.
        receiver.enqueue(new MockResponse().setResponseCode(200).setBody("{\"message_id\":\"ext-10\"}"));
        sidecar.close();
        sidecar = new SidecarHarness(dir, "webhook", config, env);
        sidecar.reply(answer.clone().setFinal(ReplyFinal.newBuilder().setText("Rolled back.")));
        assertThat(sidecar.nextReplyAck().getPlatformMessageIdsList()).containsExactly("ext-10");
        assertThat(JSON.readTree(receiver.takeRequest(5, TimeUnit.SECONDS)
                                .getBody()
                                .readUtf8())
                        .path("text")
                        .asText())
                .isEqualTo("Deployed.");
        assertThat(JSON.readTree(receiver.takeRequest(5, TimeUnit.SECONDS)
                                .getBody()
                                .readUtf8())
                        .path("text")
                        .asText())
                .isEqualTo("Rolled back.");
    }

    @Test
    void outboundRetriesOn503RetryAfterAndGivesUpOn4xx() throws Exception {
        start("");
        await(sidecar);
        receiver.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", "1"));
        receiver.enqueue(new MockResponse().setResponseCode(204));
        long t0 = System.nanoTime();
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r")
                .setConversationId("c")
                .setFinal(ReplyFinal.newBuilder().setText("a")));
        ReplyAck ok = sidecar.nextReplyAck();
        assertThat(ok.getOk()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(950);
        RecordedRequest first = receiver.takeRequest();
        RecordedRequest second = receiver.takeRequest();
        assertThat(second.getHeader(WebhookSignature.DELIVERY_HEADER))
                .isEqualTo(first.getHeader(WebhookSignature.DELIVERY_HEADER));

        receiver.enqueue(new MockResponse().setResponseCode(400));
        sidecar.reply(Reply.newBuilder()
                .setStreamId("r2")
                .setConversationId("c")
                .setFinal(ReplyFinal.newBuilder().setText("b")));
        ReplyAck refused = sidecar.nextReplyAck();
        assertThat(refused.getOk()).isFalse();
        assertThat(refused.getError()).isEqualTo("http_400");
        assertThat(refused.getRetryable()).isFalse();
    }

    @Test
    void secretsNeverAppearInLogsOrResponses() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            start("");
            await(sidecar);
            send("d-11", BODY, System.currentTimeMillis() / 1000, "wrong");
            receiver.enqueue(new MockResponse().setResponseCode(500));
            receiver.enqueue(new MockResponse().setResponseCode(500));
            receiver.enqueue(new MockResponse().setResponseCode(200));
            sidecar.reply(Reply.newBuilder()
                    .setStreamId("r")
                    .setConversationId("c")
                    .setFinal(ReplyFinal.newBuilder().setText("a")));
            sidecar.nextReplyAck();
            String metrics = sidecar.get("/metrics").body();
            String ready = sidecar.get("/readyz").body();
            assertThat(logs.all() + metrics + ready).doesNotContain(IN_SECRET).doesNotContain(OUT_SECRET);
        }
    }
}
