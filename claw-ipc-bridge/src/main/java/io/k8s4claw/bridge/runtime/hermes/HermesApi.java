package io.k8s4claw.bridge.runtime.hermes;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The short HTTP calls of the Hermes runs API (docs/runtime-hermes-sse.md: "Delivery", "Following a run", "Health"),
 * each mapped to a {@link DeliveryException} the delivery engine understands. Never puts the API key in an exception or
 * log.
 */
final class HermesApi {

    private final HermesHttp http;
    private final URI base;
    private final String authorization;

    HermesApi(HermesHttp http, URI base, String apiKey) {
        this.http = http;
        this.base = base;
        this.authorization = "Bearer " + apiKey;
    }

    /** The request path of {@code segments} under the base URL, each percent-encoded. */
    String path(String... segments) {
        return http.path(segments);
    }

    /** The headers every authenticated call sends; the caller adds its own. */
    HttpHeaders authed(String accept) {
        return HermesHttp.headers()
                .set(HttpHeaderNames.AUTHORIZATION, authorization)
                .set(HttpHeaderNames.ACCEPT, accept);
    }

    /**
     * The body of {@code POST /v1/runs} for a message: a function of the message alone, so a retry sends byte-for-byte
     * the same JSON (Hermes answers 409 to a reused Idempotency-Key with a different body).
     */
    static String runBody(InboundMessage m) {
        Json body = Json.object();
        body.put("input", inputText(m));
        body.put("session_id", m.sessionKey().hermesSessionId());
        return body.toString();
    }

    /**
     * The message text, plus one line per attachment (Hermes's runs API takes a plain string; files are references).
     */
    static String inputText(InboundMessage m) {
        if (m.attachments().isEmpty()) {
            return m.text();
        }
        var sb = new StringBuilder(m.text());
        for (var a : m.attachments()) {
            sb.append(sb.isEmpty() ? "" : "\n")
                    .append("[attachment: ")
                    .append(a.name())
                    .append(" (")
                    .append(a.mimeType().isEmpty() ? "unknown type" : a.mimeType())
                    .append(", ")
                    .append(a.sizeBytes())
                    .append(" bytes) ")
                    .append(a.ref())
                    .append(']');
        }
        return sb.toString();
    }

    CompletableFuture<Accepted> startRun(InboundMessage m) {
        var key = m.sessionKey();
        HttpHeaders headers = authed("application/json")
                .set("Idempotency-Key", m.idempotencyKey())
                .set("X-Hermes-Session-Key", key.hermesSessionKeyHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, HermesHttp.JSON);
        return call(HttpMethod.POST, path("v1", "runs"), headers, runBody(m), "POST /v1/runs", (code, body) -> {
            if (code == 202 || code == 200) {
                Json n = parse(body);
                String runId = n.path("run_id").asText("");
                if (runId.isEmpty()) {
                    throw DeliveryException.retryable(
                            "protocol_error", "POST /v1/runs answered " + code + " without run_id");
                }
                return new Accepted(runId, n.path("replayed").asBoolean(false));
            }
            throw failure("POST /v1/runs", code, body, null);
        });
    }

    /** {@code GET /v1/runs/{id}}: the status object, or null on 404. */
    CompletableFuture<Json> runStatus(String runId) {
        var headers = authed("application/json");
        return call(HttpMethod.GET, path("v1", "runs", runId), headers, null, "GET /v1/runs/{id}", (code, body) -> {
            if (code == 200) {
                return parse(body);
            }
            if (code == 404) {
                return null;
            }
            throw failure("GET /v1/runs/" + runId, code, body, null);
        });
    }

    /** 200 {@code {"status": "stopping"}}: the run settles as cancelled once its executor work exits. */
    CompletableFuture<Void> stop(String runId) {
        var headers = authed("application/json");
        return call(
                HttpMethod.POST,
                path("v1", "runs", runId, "stop"),
                headers,
                "",
                "POST /v1/runs/{id}/stop",
                (code, text) -> {
                    if (code == 200) {
                        return null;
                    }
                    if (code == 404) {
                        throw DeliveryException.permanent(
                                "run_not_found",
                                "Hermes does not know run " + runId + " any more (" + errorSummary(text) + ")");
                    }
                    throw failure("POST /v1/runs/" + runId + "/stop", code, text, null);
                });
    }

    CompletableFuture<Void> answerApproval(String runId, String approvalId, String choice) {
        Json body = Json.object();
        body.put("choice", choice);
        if (!approvalId.startsWith(RunEventMapper.SYNTHETIC_APPROVAL_PREFIX)) {
            body.put("request_id", approvalId);
        }
        var headers = authed("application/json").set(HttpHeaderNames.CONTENT_TYPE, HermesHttp.JSON);
        String path = path("v1", "runs", runId, "approval");
        return call(HttpMethod.POST, path, headers, body.toString(), "POST /v1/runs/{id}/approval", (code, text) -> {
            if (code == 200) {
                return null;
            }
            if (code == 409) {
                throw DeliveryException.permanent(
                        "approval_not_pending",
                        "Hermes has no pending approval on run " + runId + " (" + errorSummary(text) + ")");
            }
            throw failure("POST /v1/runs/" + runId + "/approval", code, text, null);
        });
    }

    /** What the health endpoints answered; {@code detailedStatus} is 0 when {@code /health} already failed. */
    record HealthAnswers(int healthStatus, int detailedStatus, String detailedBody) {}

    /** {@code GET /health} (no auth), then {@code GET /health/detailed} (bearer) when the first answered 200. */
    CompletableFuture<HealthAnswers> health() {
        return call(HttpMethod.GET, path("health"), HermesHttp.headers(), null, "GET /health", (code, body) -> code)
                .thenCompose(code -> {
                    if (code != 200) {
                        return CompletableFuture.completedFuture(new HealthAnswers(code, 0, ""));
                    }
                    return call(
                            HttpMethod.GET,
                            path("health", "detailed"),
                            authed("application/json"),
                            null,
                            "GET /health/detailed",
                            (dc, body) -> new HealthAnswers(code, dc, body));
                });
    }

    @FunctionalInterface
    interface ResponseMapper<T> {
        T map(int code, String body) throws DeliveryException;
    }

    /** One exchange, its answer mapped; completes on the connector's event loop. */
    private <T> CompletableFuture<T> call(
            HttpMethod method, String path, HttpHeaders headers, String body, String what, ResponseMapper<T> mapper) {
        var f = new CompletableFuture<T>();
        byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        http.send(method, path, headers, bytes).whenComplete((answer, e) -> {
            if (e instanceof HermesHttp.AnswerCutOff cut) {
                f.completeExceptionally(DeliveryException.retryable(
                        "link_lost", what + ": connection lost while reading Hermes's answer", null, cut));
                return;
            }
            if (e != null) {
                f.completeExceptionally(DeliveryException.retryable(
                        "unreachable",
                        what + ": Hermes API at " + base + " is not reachable ("
                                + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "")
                                + ")",
                        null,
                        e));
                return;
            }
            try {
                f.complete(mapper.map(answer.status(), answer.body()));
            } catch (DeliveryException de) {
                f.completeExceptionally(withRetryAfter(de, answer.retryAfter()));
            } catch (RuntimeException re) {
                f.completeExceptionally(DeliveryException.retryable(
                        "protocol_error", what + ": unexpected answer from Hermes: " + re.getMessage(), null, re));
            }
        });
        return f;
    }

    private static DeliveryException withRetryAfter(DeliveryException e, String header) {
        if (!e.retryable() || header == null || e.retryAfter().isPresent()) {
            return e;
        }
        try {
            long s = Long.parseLong(header.trim());
            return DeliveryException.retryable(
                    e.code(), e.getMessage(), Duration.ofSeconds(Math.max(0, s)), e.getCause());
        } catch (NumberFormatException nfe) {
            return e;
        }
    }

    /** Maps an unexpected status to a delivery failure with what to do about it. */
    static DeliveryException failure(String what, int code, String body, Throwable cause) {
        String summary = errorSummary(body);
        return switch (code) {
            case 401 ->
                DeliveryException.permanent(
                        "unauthorized",
                        what + ": Hermes rejected the API key (HTTP 401 "
                                + "gateway_auth_failed). Make CLAW_RUNTIME_TOKEN equal Hermes's API_SERVER_KEY "
                                + "(same Secret) and restart the bridge.",
                        cause);
            case 403 ->
                DeliveryException.permanent(
                        "rejected",
                        what + ": Hermes refused the request (HTTP 403" + suffix(summary)
                                + "); the API server needs API_SERVER_KEY set and no Origin header",
                        cause);
            case 404 ->
                DeliveryException.permanent(
                        "run_not_found",
                        what + ": HTTP 404" + suffix(summary)
                                + " (is this Hermes's API server with the runs API, API_SERVER_ENABLED=true?)",
                        cause);
            case 409 -> DeliveryException.permanent("conflict", what + ": HTTP 409" + suffix(summary), cause);
            case 429 ->
                DeliveryException.retryable(
                        "rate_limited",
                        what + ": Hermes is at its concurrency cap (HTTP 429" + suffix(summary) + ")",
                        null,
                        cause);
            case 503 ->
                DeliveryException.retryable(
                        "draining",
                        what + ": Hermes is draining or restarting (HTTP 503" + suffix(summary) + ")",
                        null,
                        cause);
            default ->
                code >= 500 || code == 408
                        ? DeliveryException.retryable(
                                "runtime_error", what + ": HTTP " + code + suffix(summary), null, cause)
                        : DeliveryException.permanent(
                                code == 400 || code == 413 ? "bad_request" : "rejected",
                                what + ": HTTP " + code + suffix(summary),
                                cause);
        };
    }

    private static String suffix(String summary) {
        return summary.isEmpty() ? "" : ": " + summary;
    }

    /** {@code code: message} from Hermes's error envelope, or a short prefix of a non-JSON body. */
    static String errorSummary(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            Json err = Json.parse(body).path("error");
            if (err.isObject()) {
                String code = err.path("code").isTextual() ? err.get("code").asText() : "";
                String msg = err.path("message").asText("");
                return code.isEmpty() ? msg : code + ": " + msg;
            }
            if (err.isTextual()) {
                return err.asText();
            }
        } catch (Json.ParseException | RuntimeException ignored) {
            // not JSON: fall through
        }
        String s = body.strip();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    static Json parse(String body) throws DeliveryException {
        Json n;
        try {
            n = Json.parse(body);
        } catch (Json.ParseException e) {
            throw DeliveryException.retryable(
                    "protocol_error", "Hermes answered with invalid JSON: " + e.getMessage(), null, e);
        }
        if (!n.isObject()) {
            throw DeliveryException.retryable(
                    "protocol_error", "Hermes answered with invalid JSON: not a JSON object", null, null);
        }
        return n;
    }
}
