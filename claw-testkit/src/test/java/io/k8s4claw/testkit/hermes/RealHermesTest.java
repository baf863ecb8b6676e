package io.k8s4claw.testkit.hermes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs hermes-agent from the hash-locked requirements (once, into the cache) and runs the real Hermes against
 * the fake model: {@code /health}, then one run over {@code POST /v1/runs} and its SSE events. Proves the test
 * peer works before the adapter's and the bridge's tests rely on it. Prints install and start times.
 */
class RealHermesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static FakeOpenAiServer model;
    private static RealHermes hermes;

    @BeforeAll
    static void startHermes() {
        long t0 = System.nanoTime();
        HermesInstallation installation = HermesInstaller.ensureInstalled();
        long installMs = (System.nanoTime() - t0) / 1_000_000;
        model = FakeOpenAiServer.start();
        long t1 = System.nanoTime();
        hermes = RealHermes.builder()
                .installation(installation)
                .configYaml(RealHermes.modelConfig(model.baseUrl()))
                .start();
        System.out.printf(
                "hermes: ensureInstalled %d ms, gateway start %d ms (port %d)%n",
                installMs, (System.nanoTime() - t1) / 1_000_000, hermes.port());
    }

    @AfterAll
    static void stop() {
        if (hermes != null) {
            hermes.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    void healthNamesTheInstalledVersionWithoutAuth() throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(hermes.baseUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body.path("status").asText()).isEqualTo("ok");
        assertThat(body.path("platform").asText()).isEqualTo("hermes-agent");
        assertThat(body.path("version").asText()).isEqualTo(HermesInstaller.HERMES_VERSION);
        assertThat(HermesInstaller.ensureInstalled()).isEqualTo(hermes.installation());
    }

    @Test
    void aRunStreamsTheFakeModelsReplyOverSse() throws Exception {
        String text = "hello from the testkit " + System.nanoTime();
        HttpResponse<String> created = HTTP.send(
                HttpRequest.newBuilder(URI.create(hermes.baseUrl() + "/v1/runs"))
                        .header("Authorization", "Bearer " + hermes.apiKey())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
                                .put("input", text)
                                .put("session_id", "testkit-1")
                                .toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(202);
        String runId = JSON.readTree(created.body()).path("run_id").asText();
        assertThat(runId).startsWith("run_");

        List<JsonNode> events = events(runId);
        StringBuilder deltas = new StringBuilder();
        events.stream()
                .filter(e -> e.path("event").asText().equals("message.delta"))
                .forEach(e -> deltas.append(e.path("delta").asText()));
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.path("event").asText()).isEqualTo("run.completed");
        assertThat(last.path("output").asText()).isEqualTo("echo: " + text);
        assertThat(deltas.toString()).isEqualTo("echo: " + text);
        assertThat(events).allSatisfy(e -> assertThat(e.path("run_id").asText()).isEqualTo(runId));
        // Hermes's agent loop streams from the model and offers it tools.
        assertThat(model.requests()).anySatisfy(req -> {
            assertThat(req.lastUserText()).isEqualTo(text);
            assertThat(req.stream()).isTrue();
            assertThat(req.hasTools()).isTrue();
        });
        assertThat(Files.readString(hermes.logFile())).doesNotContain(hermes.apiKey());
    }

    @Test
    void runsNeedTheKey() throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(hermes.baseUrl() + "/v1/runs"))
                        .header("Authorization", "Bearer wrong-key-wrong-key-wrong")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"x\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
    }

    @Test
    void aPythonTooOldIsRefusedWithOneLineReason(@TempDir Path cache) throws Exception {
        Path fake = cache.resolve("python-too-old");
        Files.writeString(
                fake,
                "#!/bin/sh\nexec python3 -c 'import sys; sys.exit(\"Python 3.9: hermes-agent needs >=3.11,<3.14\")'\n");
        fake.toFile().setExecutable(true);
        assertThatThrownBy(() -> new HermesInstaller(cache.resolve("c"), fake.toString()).install())
                .hasMessageContaining("checking the Python version failed")
                .hasMessageContaining("needs >=3.11");
        assertThatThrownBy(() -> new HermesInstaller(
                                cache.resolve("d"),
                                cache.resolve("no-such-python").toString())
                        .install())
                .hasMessageContaining("Python 3.11+ is needed");
    }

    /** Reads the run's SSE stream to its end: every {@code data:} line as JSON. */
    private static List<JsonNode> events(String runId) throws Exception {
        HttpResponse<InputStream> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(hermes.baseUrl() + "/v1/runs/" + runId + "/events"))
                        .header("Authorization", "Bearer " + hermes.apiKey())
                        .timeout(Duration.ofMinutes(2))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    out.add(JSON.readTree(line.substring(6)));
                }
            }
        }
        return out;
    }
}
