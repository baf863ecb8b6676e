package io.k8s4claw.testkit.hermes;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run's state and event journal inside the emulator. All access under the run's monitor; subscribers wait on it.
 */
final class EmulatedRun {

    /** One journal entry: the SSE id (1, 2, 3 …), the event (name in {@code "event"}) and its runs-API JSON text. */
    record Event(long id, Map<String, Object> fields, String json) {
        String name() {
            return String.valueOf(fields.get("event"));
        }
    }

    static final int JOURNAL_MAX = 1000;

    final String runId;
    final String sessionId;
    final double createdAt;
    final String idempotencyKey;

    String status = "queued";
    double updatedAt;
    String lastEvent;
    String output;
    String error;
    Boolean completed;
    Boolean partial;
    Boolean interrupted;
    /** The pending approval.request payload while waiting_for_approval. */
    Map<String, Object> pendingApproval;

    boolean everAskedApproval;
    String approvalChoice;
    String approvalRequestId;

    /** Volatile state: lost on crash. Null when the buffer has been dropped (older dialect) or expired. */
    ArrayDeque<Event> journal = new ArrayDeque<>();

    long nextEventId = 1;
    /** Older dialect: the shared queue cursor (events below it were consumed). */
    long olderCursor = 0;

    long finishedAtNanos = -1;
    Thread worker;
    /** The user message that started the run. */
    String input = "";
    /** Admitted by the current process and not settled yet (false after a crash). */
    boolean live;

    boolean stopRequested;

    EmulatedRun(String runId, String sessionId, String idempotencyKey, double now) {
        this.runId = runId;
        this.sessionId = sessionId;
        this.idempotencyKey = idempotencyKey;
        this.createdAt = now;
        this.updatedAt = now;
    }

    boolean terminal() {
        return switch (status) {
            case "completed", "failed", "cancelled", "interrupted" -> true;
            default -> false;
        };
    }

    boolean active() {
        return !terminal();
    }

    /** Appends an event (caller holds the monitor), trimming the journal to {@link #JOURNAL_MAX}. */
    void append(Map<String, Object> fields, String json) {
        if (journal != null) {
            journal.addLast(new Event(nextEventId, fields, json));
            while (journal.size() > JOURNAL_MAX) {
                journal.removeFirst();
            }
        }
        nextEventId++;
        notifyAll();
    }

    /** Events with id greater than {@code after}, in order (caller holds the monitor). */
    List<Event> eventsAfter(long after) {
        if (journal == null) {
            return List.of();
        }
        return journal.stream().filter(e -> e.id() > after).toList();
    }

    /** The run's status object, {@code GET /v1/runs/{id}} (only keys that have been set). */
    Map<String, Object> statusObject(Dialect dialect) {
        var m = new LinkedHashMap<String, Object>();
        m.put("object", "hermes.run");
        m.put("run_id", runId);
        m.put("status", status);
        m.put("updated_at", updatedAt);
        m.put("created_at", createdAt);
        m.put("session_id", sessionId);
        m.put("model", "hermes-agent");
        if (lastEvent != null) {
            m.put("last_event", lastEvent);
        }
        if (output != null) {
            m.put("output", output);
        }
        if ("completed".equals(status)) {
            m.put("usage", HermesApiEmulator.usage(dialect));
        }
        if (error != null) {
            m.put("error", error);
        }
        if (pendingApproval != null && "waiting_for_approval".equals(status)) {
            m.put("approval", pendingApproval);
        }
        if (completed != null) {
            m.put("completed", completed);
            m.put("partial", partial);
            m.put("interrupted", interrupted);
        }
        return m;
    }
}
