package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.openclaw.GatewayFrames.Inbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History reconciliation: after every reconnect (and when events were lost, or a run's fate is unclear) the open
 * runs are looked up in {@code chat.history} — still running: keep waiting; answered: deliver the transcript's
 * reply; queued: wait; input seen but the turn lost in a gateway crash: follow the turn the gateway resumes;
 * never admitted: send again under the same key — instead of re-sending blindly. Confined to the connector thread.
 */
final class HistoryReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClawGatewayConnector.class);
    private static final Duration RECHECK = Duration.ofSeconds(15);
    private static final int HISTORY_LIMIT = 50;

    private final OpenClawSettings settings;
    private final GatewayLink link;
    private final RunTracker tracker;
    private final ScheduledExecutorService actor;

    HistoryReconciler(OpenClawSettings settings, GatewayLink link, RunTracker tracker, ScheduledExecutorService actor) {
        this.settings = settings;
        this.link = link;
        this.tracker = tracker;
        this.actor = actor;
    }

    /** Looks {@code run} up again in a while. */
    void recheckLater(OpenClawRun run) {
        actor.schedule(() -> reconcileLater(run), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
    }

    void reconcileAll() {
        Map<String, List<OpenClawRun>> bySession = new LinkedHashMap<>();
        for (OpenClawRun run : tracker.open()) {
            if (run.attached && !run.terminal && !run.detached && !run.resending) {
                bySession
                        .computeIfAbsent(run.sessionKey, k -> new ArrayList<>())
                        .add(run);
            }
        }
        bySession.forEach(this::reconcile);
    }

    private void reconcileLater(OpenClawRun run) {
        if (!run.terminal && !run.detached && tracker.isCurrent(run) && link.isReady()) {
            reconcile(run.sessionKey, List.of(run));
        }
    }

    /** Runs that may have ended or died while we were not listening: ask the transcript what became of them. */
    void reconcile(String sessionKey, List<OpenClawRun> open) {
        if (!link.isReady()) {
            return;
        }
        for (int i = 0; i < open.size(); i += 50) {
            List<OpenClawRun> batch = open.subList(i, Math.min(open.size(), i + 50));
            Json params = Json.object().put("sessionKey", sessionKey).put("limit", HISTORY_LIMIT);
            Json ids = params.putArray("inputRunIds");
            batch.forEach(r -> ids.add(r.runId));
            List<OpenClawRun> runsOfBatch = List.copyOf(batch);
            link.request(
                    "chat.history", params, settings.requestTimeout(), res -> onHistory(runsOfBatch, res), failure -> {
                        LOG.info(
                                "openclaw: chat.history for {} failed ({}); will retry",
                                sessionKey,
                                failure.getMessage());
                        for (OpenClawRun r : runsOfBatch) {
                            if (!r.attached) {
                                r.accepted.completeExceptionally(failure);
                                tracker.forget(r);
                            }
                        }
                    });
        }
    }

    private void onHistory(List<OpenClawRun> batch, Inbound.Response res) {
        if (!res.ok()) {
            DeliveryException e = GatewayLink.mapError("chat.history", res.error());
            for (OpenClawRun r : batch) {
                if (!r.attached) {
                    tracker.forget(r);
                    r.accepted.completeExceptionally(e);
                } else {
                    recheckLater(r);
                }
            }
            return;
        }
        Json p = res.payload();
        Json messages = p.path("messages");
        String inFlight = p.path("inFlightRun").path("runId").asText("");
        Map<String, String> receipts = new HashMap<>();
        p.path("inputReceipts")
                .forEach(r ->
                        receipts.put(r.path("runId").asText(""), r.path("state").asText("")));
        boolean sessionBusy = p.path("sessionInfo").path("hasActiveRun").asBoolean(false);
        for (OpenClawRun run : batch) {
            if (run.terminal || run.detached || !tracker.isCurrent(run)) {
                continue;
            }
            if (run.runId.equals(inFlight)) {
                tracker.accept(run, true);
                String text = p.path("inFlightRun").path("text").asText("");
                if (!text.isEmpty() && !text.equals(run.text)) {
                    run.text = text;
                    run.sink.onDelta(text);
                }
                continue; // still running: its chat events continue on this connection
            }
            Outcome outcome = outcomeOf(run.runId, messages);
            if (outcome.replied()) {
                LOG.info(
                        "openclaw: run {} was answered while we were away; delivering the transcript's reply",
                        run.runId);
                tracker.accept(run, true);
                tracker.terminal(run, () -> run.sink.onFinal(outcome.text()));
            } else if ("pending".equals(receipts.get(run.runId))) {
                // admitted and queued behind another turn (followup): its events will come
                tracker.accept(run, true);
                recheckLater(run);
            } else if (outcome.userRowSeen() && (sessionBusy || run.idleChecks < 2)) {
                // Its input is in the transcript but no run of ours is active and no reply was written: the gateway
                // went down mid-turn. It resumes such turns itself on restart; follow that turn rather than sending
                // the message again (a re-send would be folded into the resumed turn and come back empty).
                tracker.accept(run, true);
                run.orphaned = true;
                run.idleChecks = sessionBusy ? 0 : run.idleChecks + 1;
                recheckLater(run);
            } else {
                // never admitted, or lost and not resumed: send it again under the same key; the gateway's dedupe
                // (in memory, 5 min) absorbs it if the run does exist after all
                LOG.info(
                        "openclaw: run {} is neither running nor answered in {}; sending it again under the same key",
                        run.runId,
                        run.sessionKey);
                tracker.resend(run);
            }
        }
    }

    /** What the transcript says about the turn of {@code runId}. */
    record Outcome(boolean userRowSeen, boolean replied, String text) {}

    /**
     * Finds the user row of {@code runId} (its {@code idempotencyKey} is {@code <runId>:user}, as 2026.9.6 records it)
     * and the assistant rows after it up to the next user input. A {@code [System]} user row (the gateway's "your
     * previous turn was interrupted by a restart" resume prompt) continues the turn; {@code :terminal-error} rows are
     * not replies. An assistant row tagged with the runId counts too. The reply is the last assistant row with text.
     */
    static Outcome outcomeOf(String runId, Json messages) {
        boolean userSeen = false;
        boolean inTurn = false;
        String reply = null;
        for (Json m : messages) {
            String role = m.path("role").asText("");
            String key = m.path("idempotencyKey")
                    .asText(m.path("__openclaw").path("idempotencyKey").asText(""));
            String taggedRun = m.path("__openclaw").path("runId").asText("");
            String text = GatewayFrames.messageText(m);
            if ("user".equals(role)) {
                boolean ours = key.equals(runId + ":user") || key.equals(runId);
                boolean resumePrompt = text != null && text.startsWith("[System]");
                inTurn = ours || (inTurn && resumePrompt);
                userSeen |= ours;
            } else if ("assistant".equals(role)
                    && (inTurn || runId.equals(taggedRun))
                    && !key.endsWith(":terminal-error")) {
                if (text != null && !text.isEmpty()) {
                    reply = text;
                }
            }
        }
        return new Outcome(userSeen, reply != null, reply == null ? "" : reply);
    }
}
