package io.k8s4claw.testkit.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeOpenAiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeOpenAiServer server = FakeOpenAiServer.start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        server.close();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void streamsChunksThenStopThenDone() throws Exception {
        HttpResponse<String> r = post("""
                {"model":"echo-1","stream":true,"messages":[{"role":"system","content":"be nice"},
                 {"role":"user","content":"hello world"}]}""");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<String> data = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            } else {
                assertThat(line).isEmpty();
            }
        }
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 2)) {
            JsonNode chunk = JSON.readTree(d);
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("choices").get(0).path("finish_reason").isNull())
                    .isTrue();
            text.append(
                    chunk.path("choices").get(0).path("delta").path("content").asText());
        }
        assertThat(JSON.readTree(data.get(0))
                        .path("choices")
                        .get(0)
                        .path("delta")
                        .path("role")
                        .asText())
                .isEqualTo("assistant");
        assertThat(text).hasToString("echo: hello world");
        JsonNode stop = JSON.readTree(data.get(data.size() - 2));
        assertThat(stop.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void answersNonStreamingRequestsWithOneCompletion() throws Exception {
        HttpResponse<String> r = post("""
                {"model":"echo-1","messages":[{"role":"user","content":[{"type":"text","text":"part one "},\
                {"type":"text","text":"two"}]}]}""");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("choices").get(0).path("message").path("content").asText())
                .isEqualTo("echo: part one two");
        assertThat(body.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void extractsTheUsersTextFromOpenClawsTurnShape() throws Exception {
        // The shape OpenClaw 2026.9.6 sends for an agent turn (seen with the real gateway here): timestamped user text
        // with a
        // runtime suffix, then an internal-context block as the last user message, plus tools.
        post("""
                {"model":"echo-1","stream":true,"tools":[{"type":"function","function":{"name":"x"}}],"messages":[
                 {"role":"system","content":"sys"},
                 {"role":"user","content":"[Sat 2026-11-21 10:40 UTC] older\\n\\nRuntime: agent=main | \
                channel=webchat"},
                 {"role":"assistant","content":"echo: older"},
                 {"role":"user","content":"[Sat 2026-11-21 10:41 UTC] what's the deploy status?"},
                 {"role":"user","content":[{"type":"text",\
                "text":"<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\\nx\\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>"}]}]}""");
        ChatCompletionRequest req = server.requests().get(0);
        assertThat(req.hasTools()).isTrue();
        assertThat(req.lastUserText()).isEqualTo("what's the deploy status?");
        assertThat(server.agentTurnsFor("what's the deploy status?")).isEqualTo(1);
        assertThat(server.agentTurnsFor("older")).isZero();
    }

    @Test
    void scriptedRepliesAndBadBodies() throws Exception {
        server.script(r -> ScriptedReply.of("fixed answer", 2));
        HttpResponse<String> r =
                post("{\"model\":\"m\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
        assertThat(JSON.readTree(r.body())
                        .path("choices")
                        .get(0)
                        .path("message")
                        .path("content")
                        .asText())
                .isEqualTo("fixed answer");
        HttpResponse<String> bad = post("{\"model\":\"m\",\"messages\":7}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("'messages' must be an array");
    }

    @Test
    void holdsAgentTurnsAfterTheFirstChunkUntilReleased() throws Exception {
        server.holdAgentTurns();
        var pending = http.sendAsync(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"m","stream":true,"tools":[{"type":"function"}],"messages":[{"role":"user",\
                        "content":"slow one"}]}"""))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        // the turn got to the hold (first chunk sent, the rest waiting): a positive signal, not a sleep
        await().atMost(Duration.ofSeconds(30)).until(() -> server.heldTurns() == 1);
        assertThat(pending).isNotDone(); // so a held turn has not finished
        server.release();
        assertThat(pending.get().body()).contains("[DONE]");
        assertThat(server.heldTurns()).isZero();
    }
}
