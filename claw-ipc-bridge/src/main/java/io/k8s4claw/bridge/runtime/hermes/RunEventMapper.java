package io.k8s4claw.bridge.runtime.hermes;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.runtime.ReplySink;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one Hermes run's events (the JSON {@code data} of {@code /v1/runs/{id}/events}, or the status object of
 * {@code GET /v1/runs/{id}}) into {@link ReplySink} calls, enforcing the sink contract whatever arrives: deltas are
 * made cumulative, exactly one terminal call, nothing after it, unknown events and keys ignored, malformed data
 * skipped (counted). Not thread-safe: one per run, used by the run's follower thread.
 */
final class RunEventMapper {

    static final String SYNTHETIC_APPROVAL_PREFIX = "hermes-approval-";
    private static final int MAX_ERROR_TEXT = 300;

    private final ReplySink sink;
    private final StringBuilder text = new StringBuilder();
    private boolean started;
    private boolean terminal;
    private boolean withholdDeltas;
    private int approvals;
    private String lastApprovalKey;
    private int malformed;

    RunEventMapper(ReplySink sink) {
        this.sink = sink;
    }

    boolean terminal() {
        return terminal;
    }

    int malformed() {
        return malformed;
    }

    /**
     * The run was lost and the message submitted again as a new run. Its text starts over, but the sink has seen
     * the lost run's deltas and deltas must stay cumulative: the new run's deltas are withheld (typing instead)
     * and its final replaces what the lost run had streamed. The start was signalled already.
     */
    void resubmitted() {
        text.setLength(0);
        lastApprovalKey = null;
        withholdDeltas = true;
    }

    /**
     * Whether an SSE message is the run's {@code run.cancelled} event: the follower looks first, because a
     * cancellation by Hermes's own shutdown is submitted again rather than reported (see RunFollower).
     */
    static boolean isCancellation(String sseEventName, String data) {
        if (data == null || !data.contains("run.cancelled")) {
            return false;
        }
        try {
            Json node = Json.parse(data);
            String event = node.path("event").isTextual()
                    ? node.get("event").asText()
                    : sseEventName == null ? "" : sseEventName;
            return event.equals("run.cancelled");
        } catch (Exception e) {
            return false;
        }
    }

    /** The run ends with {@code run_cancelled}. */
    void cancelled() {
        if (!terminal) {
            start();
            error("run_cancelled", "The request was cancelled before the agent finished.");
        }
    }

    /** Signals the start once (idempotent). */
    void start() {
        if (!started && !terminal) {
            started = true;
            sink.onStart();
        }
    }

    /**
     * One SSE message. Hermes puts the event name inside the JSON ({@code "event"}); an SSE {@code event:} field is
     * used only when the JSON has none.
     *
     * @param sseEventName the SSE event name ({@code "message"} when absent), may be null
     * @param eventId      the SSE id, or null (used to name approvals without a {@code request_id})
     */
    void onMessage(String sseEventName, String data, String eventId) {
        if (terminal || data == null) {
            return;
        }
        Json node;
        try {
            node = Json.parse(data);
        } catch (Json.ParseException e) {
            malformed++;
            return;
        }
        if (!node.isObject()) {
            malformed++;
            return;
        }
        String event =
                node.path("event").isTextual() ? node.get("event").asText() : sseEventName == null ? "" : sseEventName;
        start();
        switch (event) {
            case "message.delta" -> {
                Json d = node.get("delta");
                if (d != null && d.isTextual() && !d.asText().isEmpty()) {
                    text.append(d.asText());
                    if (withholdDeltas) {
                        sink.onTyping();
                    } else {
                        sink.onDelta(text.toString());
                    }
                }
            }
            case "run.completed" -> {
                Json out = node.get("output");
                finalText(out != null && out.isTextual() ? out.asText() : text.toString());
            }
            case "run.failed" -> error("run_failed", failureText(node.get("error")));
            case "run.cancelled" -> cancelled();
            case "run.interrupted" -> error("run_interrupted", interruptedText());
            case "approval.request" -> approval(node, eventId);
            case "tool.started",
                    "reasoning.available",
                    "reasoning.delta",
                    "message.interim",
                    "subagent.start",
                    "subagent.progress",
                    "subagent.tool",
                    "subagent.spawn_requested" -> sink.onTyping();
            default -> {
                // tool.completed, approval.responded, run.steered, subagent.complete and future events: nothing to show
            }
        }
    }

    /** A status object from {@code GET /v1/runs/{id}} (used when the event stream is gone). */
    void onStatus(Json status) {
        if (terminal || status == null || !status.isObject()) {
            return;
        }
        start();
        switch (status.path("status").asText("")) {
            case "completed" -> {
                Json out = status.get("output");
                finalText(out != null && out.isTextual() ? out.asText() : text.toString());
            }
            case "failed" -> error("run_failed", failureText(status.get("error")));
            case "cancelled" -> cancelled();
            case "interrupted" -> error("run_interrupted", interruptedText());
            case "waiting_for_approval" -> {
                Json a = status.get("approval");
                if (a != null && a.isObject()) {
                    approval(a, null);
                }
            }
            default -> sink.onTyping(); // queued, running, stopping
        }
    }

    /** The run cannot be found any more (both its stream and its status answer 404). */
    void lost() {
        if (!terminal) {
            start();
            error(
                    "run_lost",
                    "The agent lost track of this request (it was probably restarted). Please send your message "
                            + "again.");
        }
    }

    private void approval(Json node, String eventId) {
        Json rid = node.get("request_id");
        String requestId = rid != null && rid.isTextual() && !rid.asText().isEmpty() ? rid.asText() : null;
        // the same approval may be seen twice (stream replay after a reconnect, or status polling): raise it once
        String key = requestId != null
                ? requestId
                : node.path("command").asText("") + "|" + node.path("timestamp").asText("");
        if (key.equals(lastApprovalKey)) {
            return;
        }
        lastApprovalKey = key;
        approvals++;
        String approvalId = requestId != null
                ? requestId
                : SYNTHETIC_APPROVAL_PREFIX + (eventId != null ? eventId : "n" + approvals);
        List<String> choices = new ArrayList<>();
        Json cs = node.get("choices");
        if (cs != null && cs.isArray()) {
            for (Json c : cs) {
                if (c.isTextual()) {
                    choices.add(c.asText());
                }
            }
        }
        if (choices.isEmpty()) {
            choices = List.of("once", "deny");
        }
        String command = node.path("command").asText("");
        String description = node.path("description").asText("");
        String question = description.isEmpty()
                ? "The agent asks for approval to run: " + command
                : "The agent asks for approval (" + description + "): " + command;
        sink.onApprovalRequest(approvalId, question, List.copyOf(choices));
    }

    private void finalText(String out) {
        terminal = true;
        sink.onFinal(out);
    }

    private void error(String code, String userText) {
        terminal = true;
        sink.onError(code, userText);
    }

    private static String interruptedText() {
        return "The agent was restarted before it finished answering. Please send your message again.";
    }

    private static String failureText(Json error) {
        String detail = error != null && error.isTextual() ? error.asText().strip() : "";
        int nl = detail.indexOf('\n');
        if (nl >= 0) {
            detail = detail.substring(0, nl); // first line only: no tracebacks to users
        }
        if (detail.length() > MAX_ERROR_TEXT) {
            detail = detail.substring(0, MAX_ERROR_TEXT) + "…";
        }
        return detail.isEmpty()
                ? "The agent could not finish this request."
                : "The agent could not finish this request: " + detail;
    }
}
