package io.k8s4claw.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.bridge.delivery.MessageKey;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.webhook.WebhookSignature;
import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import io.k8s4claw.testkit.hermes.Step;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed HTTP call → Webhook sidecar → bridge → Hermes API emulator → signed reply POSTed to the caller's URL. */
class WebhookEndToEndTest {
    static final String IN = "e2e-inbound-secret";
    static final String OUT = "e2e-outbound-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    MockWebServer receiver;
    HermesApiEmulator hermes;
    Pod pod;

    @AfterEach
    void tearDown() throws Exception {
        if (pod != null) pod.close();
        if (hermes != null) hermes.close();
        if (receiver != null) receiver.shutdown();
    }

    private HttpResponse<String> deliver(String deliveryId, String body) throws Exception {
        String ts = String.valueOf(System.currentTimeMillis() / 1000);
        String sig = WebhookSignature.sign(new Secret("in", IN), ts, body.getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pod.sidecar.httpPort() + "/webhook"))
                                .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                                .header(WebhookSignature.SIGNATURE_HEADER, sig)
                                .header(WebhookSignature.DELIVERY_HEADER, deliveryId)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void signedDeliveryIsAcceptedDurablyAndTheReplyIsPostedBackSigned() throws Exception {
        receiver = new MockWebServer();
        receiver.start();
        for (int i = 0; i < 5; i++)
            receiver.enqueue(new MockResponse().setResponseCode(200).setBody("{\"message_id\":\"ext-" + i + "\"}"));
        hermes = HermesApiEmulator.builder().apiKey(Pod.HERMES_KEY).start(); // echo script: "echo: " + input
        pod = new Pod(
                dir,
                hermes,
                "ops-hook",
                "webhook",
                "{\"outboundUrl\":\"" + receiver.url("/claw/replies") + "\"}",
                Map.of("WEBHOOK_SECRET", IN, "WEBHOOK_OUTBOUND_SECRET", OUT));
        await().atMost(Duration.ofSeconds(20)).until(() -> pod.sidecar.bus().isConnected());

        String body = "{\"conversation_id\":\"incident-7\",\"text\":\"summarize the alert\","
                + "\"sender\":{\"id\":\"pagerduty\"}}";
        HttpResponse<String> accepted = deliver("pd-delivery-1", body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(JSON.readTree(accepted.body()).path("duplicate").asBoolean()).isFalse();
        // The bridge durably holds it before the 202: it is in the bridge's ledger.
        RecordedRequest reply = receiver.takeRequest(30, TimeUnit.SECONDS);
        assertThat(reply).as("the reply was posted to outboundUrl").isNotNull();
        byte[] raw = reply.getBody().readByteArray();
        JsonNode json = JSON.readTree(raw);
        assertThat(json.path("type").asText()).isEqualTo("final");
        assertThat(json.path("text").asText()).isEqualTo("echo: summarize the alert");
        assertThat(json.path("conversation_id").asText()).isEqualTo("incident-7");
        assertThat(json.path("in_reply_to").asText()).isEqualTo("pd-delivery-1");
        assertThat(WebhookSignature.verify(
                        new Secret("out", OUT),
                        reply.getHeader(WebhookSignature.TIMESTAMP_HEADER),
                        raw,
                        reply.getHeader(WebhookSignature.SIGNATURE_HEADER)))
                .isTrue();

        // The caller retries the same delivery: acknowledged as a duplicate, no second run, no second reply.
        HttpResponse<String> again = deliver("pd-delivery-1", body);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(again.body()).path("duplicate").asBoolean()).isTrue();
        assertThat(receiver.takeRequest(1500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(hermes.admittedRuns()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> pod.bridge.replies().pendingTotal() == 0);
    }

    @Test
    void aStopFromTheCallerCancelsTheRunningReplyWhichArrivesAsRunCancelledAndTheConversationGoesOn() throws Exception {
        receiver = new MockWebServer();
        receiver.start();
        for (int i = 0; i < 5; i++)
            receiver.enqueue(new MockResponse().setResponseCode(200).setBody("{\"message_id\":\"ext-" + i + "\"}"));
        // a long job: one delta, then it runs until stopped
        hermes = HermesApiEmulator.builder()
                .apiKey(Pod.HERMES_KEY)
                .script(r -> r.input().contains("long job")
                        ? List.of(new Step.Delta("working"), new Step.Hang())
                        : HermesApiEmulator.echo(r))
                .start();
        pod = new Pod(
                dir,
                hermes,
                "ops-hook",
                "webhook",
                "{\"outboundUrl\":\"" + receiver.url("/claw/replies") + "\"}",
                Map.of("WEBHOOK_SECRET", IN, "WEBHOOK_OUTBOUND_SECRET", OUT));
        await().atMost(Duration.ofSeconds(20)).until(() -> pod.sidecar.bus().isConnected());

        assertThat(deliver("job-1", "{\"conversation_id\":\"incident-8\",\"text\":\"run the long job\"}")
                        .statusCode())
                .isEqualTo(202);
        // the run is accepted and recorded: the bridge knows what to stop
        var key = new MessageKey("ops-hook", "job-1");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var pending = pod.bridge.ledger().pending(key);
            return pending != null && pending.runRef() != null;
        });

        HttpResponse<String> stop = deliver("job-1-stop", "{\"conversation_id\":\"incident-8\",\"text\":\"/stop\"}");
        assertThat(stop.statusCode()).as(stop.body()).isEqualTo(202);
        assertThat(JSON.readTree(stop.body()).path("stop_requested").asBoolean())
                .isTrue();
        RecordedRequest cancelled = receiver.takeRequest(30, TimeUnit.SECONDS);
        assertThat(cancelled).as("the stopped run's end posted to outboundUrl").isNotNull();
        JsonNode json = JSON.readTree(cancelled.getBody().readByteArray());
        assertThat(json.path("type").asText()).isEqualTo("error");
        assertThat(json.path("code").asText()).isEqualTo("run_cancelled");
        assertThat(json.path("in_reply_to").asText()).isEqualTo("job-1");
        assertThat(hermes.admittedRuns())
                .as("/stop is not a message to the agent")
                .isEqualTo(1);

        // the conversation goes on
        assertThat(deliver("job-2", "{\"conversation_id\":\"incident-8\",\"text\":\"status?\"}")
                        .statusCode())
                .isEqualTo(202);
        RecordedRequest next = receiver.takeRequest(30, TimeUnit.SECONDS);
        assertThat(next).isNotNull();
        assertThat(JSON.readTree(next.getBody().readByteArray()).path("text").asText())
                .isEqualTo("echo: status?");
    }
}
