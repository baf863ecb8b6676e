package io.k8s4claw.testkit.hermes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Wire-level checks of the emulator as docs/hermes-api-emulator.md describes it (status codes, exact bodies, SSE
 * framing).
 */
class HermesApiEmulatorTest {

    static final String KEY = "3f1c0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
    static final Pattern RUN_ID = Pattern.compile("\"run_id\": \"(run_[0-9a-f]{32})\"");

    final HttpClient http = HttpClient.newHttpClient();
    HermesApiEmulator emu;

    @AfterEach
    void stop() {
        if (emu != null) {
            emu.close();
        }
    }

    HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        var b = HttpRequest.newBuilder(emu.baseUrl().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        var b = HttpRequest.newBuilder(emu.baseUrl().resolve(path)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> auth() {
        return Map.of("Authorization", "Bearer " + KEY);
    }

    static String runId(String body) {
        Matcher m = RUN_ID.matcher(body);
        assertThat(m.find()).as("run id in %s", body).isTrue();
        return m.group(1);
    }

    /** Reads the whole event stream (until the server closes it). */
    List<String> stream(String runId, Map<String, String> headers) throws Exception {
        var b = HttpRequest.newBuilder(emu.baseUrl().resolve("/v1/runs/" + runId + "/events"))
                .GET()
                .header("Accept", "text/event-stream");
        headers.forEach(b::header);
        var resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("content-type")).contains("text/event-stream");
        assertThat(resp.headers().firstValue("cache-control")).contains("no-cache");
        assertThat(resp.headers().firstValue("x-accel-buffering")).contains("no");
        var lines = new ArrayList<String>();
        try (var r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void tvA1RunLifecycleOnTheWire() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .keepaliveInterval(Duration.ofMillis(100))
                .script(r -> List.of(
                        new Step.Tool("web_search", "Oslo weather", Duration.ofMillis(250)),
                        new Step.Delta("It is 3 °C"),
                        new Step.Delta(" and cloudy in Oslo."),
                        new Step.Complete(null)))
                .start();
        var headers = new HashMap<>(auth());
        headers.put("Idempotency-Key", "tg-123456789-4711");
        headers.put("X-Hermes-Session-Key", "bridge:telegram:dm:123456789");
        String body = "{\"input\":\"What is the weather in Oslo?\",\"session_id\":\"tg-123456789\"}";
        var resp = post("/v1/runs", body, headers);

        assertThat(resp.statusCode()).isEqualTo(202);
        assertThat(resp.headers().firstValue("content-type")).contains("application/json; charset=utf-8");
        assertThat(resp.headers().firstValue("x-hermes-session-key")).contains("bridge:telegram:dm:123456789");
        assertThat(resp.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(resp.body())
                .matches("\\{\"run_id\": \"run_[0-9a-f]{32}\", \"status\": \"started\", \"replayed\": false\\}");
        String runId = runId(resp.body());

        var lines = stream(runId, auth());
        assertThat(lines).contains(": keepalive"); // the 250 ms tool call outlasts the 100 ms keepalive interval
        var ids = lines.stream().filter(l -> l.startsWith("id: ")).toList();
        assertThat(ids).containsExactly("id: 1", "id: 2", "id: 3", "id: 4", "id: 5");
        var data = lines.stream().filter(l -> l.startsWith("data: ")).toList();
        assertThat(data).hasSize(5);
        assertThat(data.get(0))
                .startsWith("data: {\"event\": \"tool.started\", \"run_id\": \"" + runId + "\", \"timestamp\": ")
                .endsWith(", \"tool\": \"web_search\", \"preview\": \"Oslo weather\"}");
        assertThat(data.get(1))
                .contains("\"event\": \"tool.completed\"")
                .contains("\"duration\": 0.25, \"error\": false");
        assertThat(data.get(2)).endsWith("\"delta\": \"It is 3 \\u00b0C\"}");
        assertThat(data.get(4))
                .contains("\"event\": \"run.completed\"")
                .contains("\"output\": \"It is 3 \\u00b0C and cloudy in Oslo.\"")
                .contains("\"cache_read_tokens\": 0")
                .endsWith("\"completed\": true, \"partial\": false, \"interrupted\": false}");
        assertThat(lines.get(lines.size() - 2)).isEqualTo(": stream closed");
        // every event is "id", "data", blank
        int first = lines.indexOf("id: 1");
        assertThat(lines.get(first + 2)).isEmpty();

        var replay = post("/v1/runs", body, headers);
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(replay.headers().firstValue("idempotency-replayed")).contains("true");
        assertThat(replay.body())
                .isEqualTo("{\"run_id\": \"" + runId + "\", \"status\": \"completed\", \"replayed\": true}");
        assertThat(emu.admittedRuns()).isEqualTo(1);

        var status = get("/v1/runs/" + runId, auth());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body())
                .startsWith("{\"object\": \"hermes.run\", \"run_id\": \"" + runId + "\", \"status\": \"completed\"")
                .contains("\"session_id\": \"tg-123456789\"")
                .contains("\"last_event\": \"run.completed\"")
                .contains("\"output\": \"It is 3 \\u00b0C and cloudy in Oslo.\"");
    }

    @Test
    void tvA1OlderDialectHasNoIdsAndDropsTheBufferWithItsReader() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).dialect(Dialect.OLDER).start();
        var resp = post("/v1/runs", "{\"input\":\"hi\"}", auth());
        String runId = runId(resp.body());
        var lines = stream(runId, auth());
        assertThat(lines).noneMatch(l -> l.startsWith("id:"));
        assertThat(lines.stream().filter(l -> l.startsWith("data: ")).toList())
                .last()
                .asString()
                .contains("\"event\": \"run.completed\"")
                .doesNotContain("cache_read_tokens")
                .doesNotContain("\"partial\"");
        assertThat(get("/v1/runs/" + runId + "/events", auth()).statusCode()).isEqualTo(404);
    }

    @Test
    void lastEventIdReplaysOnlyLaterEvents() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        String runId = runId(post("/v1/runs", "{\"input\":\"hi\"}", auth()).body());
        var all = stream(runId, auth());
        var headers = new HashMap<>(auth());
        headers.put("Last-Event-ID", "2");
        var rest = stream(runId, headers);
        assertThat(rest.stream().filter(l -> l.startsWith("id: ")).toList()).containsExactly("id: 3");
        assertThat(all.stream().filter(l -> l.startsWith("id: ")).toList()).containsExactly("id: 1", "id: 2", "id: 3");
        headers.put("Last-Event-ID", "01"); // leading zero: invalid, treated as 0
        assertThat(stream(runId, headers).stream()
                        .filter(l -> l.startsWith("id: "))
                        .count())
                .isEqualTo(3);
    }

    @Test
    void errorBodiesAreExact() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .maxConcurrentRuns(1)
                .script(r -> List.of(new Step.Hang()))
                .start();
        var unauthorized =
                post("/v1/runs", "{\"input\":\"hi\"}", Map.of("Authorization", "Bearer wrong-key-wrong-key"));
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(unauthorized.body())
                .isEqualTo("{\"error\": {\"message\": \"Invalid gateway API key (API_SERVER_KEY)\", \"type\": "
                        + "\"gateway_auth_error\", \"code\": \"gateway_auth_failed\"}}");

        var h = new HashMap<>(auth());
        h.put("Idempotency-Key", "k-1");
        var first = post("/v1/runs", "{\"input\":\"hi\"}", h);
        assertThat(first.statusCode()).isEqualTo(202);

        var capped = post("/v1/runs", "{\"input\":\"second\"}", auth());
        assertThat(capped.statusCode()).isEqualTo(429);
        assertThat(capped.headers().firstValue("retry-after")).contains("1");
        assertThat(capped.body())
                .isEqualTo("{\"error\": {\"message\": \"Too many concurrent runs (max 1)\", \"type\": "
                        + "\"rate_limit_error\", \"param\": null, \"code\": \"rate_limit_exceeded\"}}");

        // a replay bypasses the cap; key order does not matter for the fingerprint
        var replay = post("/v1/runs", "{ \"input\" : \"hi\" }", h);
        assertThat(replay.statusCode()).isEqualTo(202);
        // the replay reports the original run's *current* status: a hanging run is queued or running,
        // depending on how far its worker got (on a loaded machine it may not have started yet)
        assertThat(replay.body()).containsPattern("\"status\": \"(queued|running)\", \"replayed\": true");
        assertThat(replay.body()).contains(first.body().replaceAll(".*(\"run_id\": \"[^\"]+\").*", "$1"));

        var conflict = post("/v1/runs", "{\"input\":\"changed\"}", h);
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.body())
                .isEqualTo("{\"error\": {\"message\": \"Idempotency-Key was already used with a different request "
                        + "payload\", \"type\": \"invalid_request_error\", \"param\": null, \"code\": "
                        + "\"idempotency_key_conflict\"}}");

        var notFound = get("/v1/runs/run_00000000000000000000000000000000", auth());
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).contains("\"code\": \"run_not_found\"");

        emu.draining(true);
        var draining = post("/v1/runs", "{\"input\":\"hi\"}", auth());
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(draining.headers().firstValue("retry-after")).contains("1");
        assertThat(draining.body()).contains("\"code\": \"gateway_draining\"");

        var origin = new HashMap<>(auth());
        origin.put("Origin", "http://evil.example");
        var forbidden = get("/health/detailed", origin);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).isEmpty();

        var badKey = new HashMap<>(auth());
        badKey.put("Idempotency-Key", "has space");
        emu.draining(false);
        assertThat(post("/v1/runs", "{\"input\":\"hi\"}", badKey).body()).contains("invalid_idempotency_key");
        assertThat(post("/v1/runs", "{\"nope\":1}", auth()).body()).contains("Missing 'input' field");
        assertThat(post("/v1/runs", "not json", auth()).body()).contains("Invalid JSON");
    }

    @Test
    void healthEndpoints() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        assertThat(get("/health", Map.of()).body())
                .isEqualTo("{\"status\": \"ok\", \"platform\": \"hermes-agent\", \"version\": \"0.18.2\"}");
        assertThat(get("/health/detailed", Map.of()).statusCode()).isEqualTo(401);
        emu.readiness("degraded");
        var detailed = get("/health/detailed", auth());
        assertThat(detailed.statusCode()).isEqualTo(200);
        assertThat(detailed.body())
                .startsWith("{\"status\": \"degraded\", \"readiness\": {\"status\": \"degraded\", \"checks\": {");
    }

    @Test
    void approvalAndStop() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(
                        new Step.Approval("rm -rf /tmp/x", List.of("once", "session", "always", "deny"), "req-1"),
                        new Step.Hang()))
                .start();
        String runId =
                runId(post("/v1/runs", "{\"input\":\"clean up\"}", auth()).body());
        Awaitility.await()
                .until(() -> "waiting_for_approval"
                        .equals(emu.runStatus(runId).orElseThrow().get("status")));
        assertThat(get("/v1/runs/" + runId, auth()).body()).contains("\"approval\": {\"command\": \"rm -rf /tmp/x\"");
        var bad = post("/v1/runs/" + runId + "/approval", "{\"choice\":\"maybe\"}", auth());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid_approval_choice");
        var ok = post("/v1/runs/" + runId + "/approval", "{\"choice\":\"deny\"}", auth());
        assertThat(ok.body())
                .isEqualTo("{\"object\": \"hermes.run.approval_response\", \"run_id\": \"" + runId
                        + "\", \"choice\": \"deny\", \"resolved\": 1}");
        var again = post("/v1/runs/" + runId + "/approval", "{\"choice\":\"deny\"}", auth());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("approval_not_pending");
        var stop = post("/v1/runs/" + runId + "/stop", "", auth());
        assertThat(stop.body()).isEqualTo("{\"run_id\": \"" + runId + "\", \"status\": \"stopping\"}");
        var lines = stream(runId, auth());
        var data = lines.stream().filter(l -> l.startsWith("data: ")).toList();
        assertThat(data.get(0))
                .startsWith("data: {\"command\": \"rm -rf /tmp/x\"")
                .contains("\"request_id\": \"req-1\", \"event\": \"approval.request\"")
                .endsWith("\"choices\": [\"once\", \"session\", \"always\", \"deny\"]}");
        assertThat(data.get(1))
                .contains("\"event\": \"approval.responded\"")
                .endsWith("\"choice\": \"deny\", \"resolved\": 1}");
        assertThat(data.get(2))
                .contains("\"event\": \"run.cancelled\"")
                .endsWith("\"completed\": false, \"partial\": false, \"interrupted\": true}");
        assertThat(post("/v1/runs/" + runId + "/stop", "", auth()).body()).contains("\"status\": \"cancelled\"");
    }

    @Test
    void crashKeepsIdempotentRunsAsInterruptedAndLosesJournals() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(new Step.Hang()))
                .start();
        var h = new HashMap<>(auth());
        h.put("Idempotency-Key", "k-crash");
        String durable = runId(post("/v1/runs", "{\"input\":\"a\"}", h).body());
        String ephemeral = runId(post("/v1/runs", "{\"input\":\"b\"}", auth()).body());
        emu.restart();
        assertThat(get("/v1/runs/" + durable, auth()).body())
                .contains("\"status\": \"interrupted\"")
                .contains("\"error\": \"Gateway shutdown interrupted the run.\"");
        assertThat(get("/v1/runs/" + ephemeral, auth()).statusCode()).isEqualTo(404);
        assertThat(get("/v1/runs/" + durable + "/events", auth()).statusCode()).isEqualTo(404);
        assertThat(post("/v1/runs", "{\"input\":\"a\"}", h).body())
                .isEqualTo("{\"run_id\": \"" + durable + "\", \"status\": \"interrupted\", \"replayed\": true}");
    }

    @Test
    void sessionIdRotatesButOldIdKeepsResolving() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .compressAfterTurns(2)
                .script(r -> List.of(new Step.Complete("turn ${turn}")))
                .start();
        List<String> outputs = new ArrayList<>();
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String runId = runId(post("/v1/runs", "{\"input\":\"m" + i + "\",\"session_id\":\"tg-1\"}", auth())
                    .body());
            stream(runId, auth());
            var st = emu.runStatus(runId).orElseThrow();
            outputs.add((String) st.get("output"));
            sessions.add((String) st.get("session_id"));
        }
        assertThat(outputs).containsExactly("turn 0", "turn 1", "turn 2");
        assertThat(sessions.get(0)).isEqualTo("tg-1");
        assertThat(sessions.get(2)).startsWith("tg-1-c1-");
        assertThat(emu.sessionTip("tg-1")).contains(sessions.get(2));
    }

    List<String> postStream(String path, String body, Map<String, String> headers, Map<String, String> responseHeaders)
            throws Exception {
        var b = HttpRequest.newBuilder(emu.baseUrl().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        headers.forEach(b::header);
        var resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("content-type")).contains("text/event-stream");
        resp.headers().map().forEach((k, v) -> responseHeaders.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        var lines = new ArrayList<String>();
        try (var r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void tvA3SessionChatStream() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(new Step.Delta("Hello! How can I help? \u00e9"), new Step.Complete(null)))
                .start();
        assertThat(post("/api/sessions/tg-123456789/chat/stream", "{\"message\":\"hi\"}", auth())
                        .statusCode())
                .isEqualTo(404);
        assertThat(post("/api/sessions", "{\"id\":\"tg-123456789\"}", auth()).statusCode())
                .isEqualTo(201);
        var exists = post("/api/sessions", "{\"id\":\"tg-123456789\"}", auth());
        assertThat(exists.statusCode()).isEqualTo(409);
        assertThat(exists.body()).contains("\"code\": \"session_exists\"");
        assertThat(post("/api/sessions", "{\"id\":\"../x\"}", auth()).body()).contains("invalid_session_id");
        assertThat(post("/api/sessions/tg-123456789/chat/stream", "{}", auth()).body())
                .contains("missing_message");

        var headers = new HashMap<String, String>();
        var lines = postStream("/api/sessions/tg-123456789/chat/stream", "{\"message\":\"hi\"}", auth(), headers);
        assertThat(headers).containsEntry("x-hermes-session-id", "tg-123456789");
        var events = lines.stream().filter(l -> l.startsWith("event: ")).toList();
        assertThat(events)
                .containsExactly(
                        "event: run.started",
                        "event: message.started",
                        "event: assistant.delta",
                        "event: assistant.completed",
                        "event: run.completed",
                        "event: done");
        var data = lines.stream().filter(l -> l.startsWith("data: ")).toList();
        assertThat(data.get(0))
                .startsWith("data: {\"user_message\": {\"role\": \"user\", \"content\": \"hi\"}, \"runtime\": "
                        + "{\"provider\": \"\", \"model\": \"\", \"route_source\": \"global\"}, "
                        + "\"session_id\": \"tg-123456789\", \"run_id\": \"run_")
                .contains("\"seq\": 1, \"ts\": ");
        assertThat(data.get(2))
                .contains("\"delta\": \"Hello! How can I help? \u00e9\"")
                .contains("\"seq\": 3"); // raw UTF-8
        assertThat(data.get(3)).contains("\"content\": \"Hello! How can I help? \u00e9\", \"completed\": true");
        assertThat(data.get(5)).contains("\"seq\": 6");
        assertThat(lines).noneMatch(l -> l.startsWith("id:"));
    }

    @Test
    void sessionChatStreamSecondTurnWhileOneIsLiveIs409() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(new Step.Hang()))
                .start();
        post("/api/sessions", "{\"id\":\"s1\"}", auth());
        var b = HttpRequest.newBuilder(emu.baseUrl().resolve("/api/sessions/s1/chat/stream"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"first\"}"))
                .header("Authorization", "Bearer " + KEY);
        var first = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(first.statusCode()).isEqualTo(200);
        var second = post("/api/sessions/s1/chat/stream", "{\"message\":\"second\"}", auth());
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.body())
                .startsWith("{\"error\": {\"message\": \"A run is already active for this session\", \"type\": "
                        + "\"invalid_request_error\", \"param\": null, \"code\": \"run_already_active\", "
                        + "\"run_id\": \"run_");
        first.body().close();
    }

    @Test
    void tvA4ChatCompletionsStream() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(
                        new Step.Tool("web_search", "oslo weather", Duration.ofMillis(10)),
                        new Step.Delta("It is 3 \u00b0C"),
                        new Step.Complete(null)))
                .start();
        var headers = new HashMap<String, String>();
        var h = new HashMap<>(auth());
        h.put("X-Hermes-Session-Id", "tg-123456789");
        var lines = postStream(
                "/v1/chat/completions",
                "{\"model\":\"hermes-agent\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                h,
                headers);
        assertThat(headers).containsEntry("x-hermes-session-id", "tg-123456789");
        var data = lines.stream().filter(l -> l.startsWith("data: ")).toList();
        assertThat(data.get(0))
                .startsWith("data: {\"id\": \"chatcmpl-")
                .contains("\"object\": \"chat.completion.chunk\"")
                .endsWith("\"choices\": [{\"index\": 0, \"delta\": {\"role\": \"assistant\"}, \"finish_reason\": "
                        + "null}]}");
        assertThat(lines).contains("event: hermes.tool.progress");
        assertThat(data.get(1))
                .isEqualTo("data: {\"tool\": \"web_search\", \"emoji\": \"\\ud83d\\udd27\", \"label\": \"web_search: "
                        + "oslo weather\", \"toolCallId\": \"call_1\", \"status\": \"running\"}");
        assertThat(data.get(2))
                .isEqualTo("data: {\"tool\": \"web_search\", \"toolCallId\": \"call_1\", \"status\": \"completed\"}");
        assertThat(data.get(3)).contains("\"delta\": {\"content\": \"It is 3 \\u00b0C\"}, \"finish_reason\": null");
        assertThat(data.get(4))
                .contains("\"delta\": {}, \"finish_reason\": \"stop\"}], \"usage\": {\"prompt_tokens\": 1532");
        assertThat(data.get(5)).isEqualTo("data: [DONE]");

        var plain = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", auth());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("x-hermes-session-id"))
                .hasValueSatisfying(v -> assertThat(v).matches("api-[0-9a-f]{16}"));
        assertThat(plain.body())
                .contains("\"object\": \"chat.completion\"")
                .contains("\"content\": \"It is 3 \\u00b0C\"");
        assertThat(post(
                                "/v1/chat/completions",
                                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\"}]}]}",
                                auth())
                        .body())
                .contains("unsupported_content_type");
    }

    @Test
    void pyJsonEscapesLikePython() {
        assertThat(PyJson.dumps(Map.of("k", "a\"b\\c\n\u00e9\ud83d\udd0d\u0001")))
                .isEqualTo("{\"k\": \"a\\\"b\\\\c\\n\\u00e9\\ud83d\\udd0d\\u0001\"}");
        assertThat(PyJson.dumps(List.of(1.0, 1767225601.12, 3L, true))).isEqualTo("[1.0, 1767225601.12, 3, true]");
    }
}
