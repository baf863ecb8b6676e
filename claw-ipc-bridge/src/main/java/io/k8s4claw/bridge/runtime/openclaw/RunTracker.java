package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.openclaw.GatewayFrames.Inbound;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run tracking: the open runs by runId, {@code chat.send} and its answer, and a run's {@code chat} events turned
 * into sink calls — {@code status} → typing, {@code delta} → cumulative text ({@code message} wins over
 * {@code deltaText}), then exactly one of {@code final}/{@code aborted}/{@code error}; unknown states are progress.
 * Events that overtake the chat.send answer wait for it. Confined to the connector thread.
 */
final class RunTracker {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClawGatewayConnector.class);

    private final OpenClawSettings settings;
    private final GatewayLink link;
    private final Map<String, OpenClawRun> runs = new LinkedHashMap<>();
    private HistoryReconciler reconciler;

    RunTracker(OpenClawSettings settings, GatewayLink link) {
        this.settings = settings;
        this.link = link;
    }

    /** The reconciler asked about runs whose fate the events did not tell; set once, before any run. */
    void reconcileWith(HistoryReconciler reconciler) {
        this.reconciler = reconciler;
    }

    /** Takes over a resumed run (after a bridge restart) and asks the transcript what became of it. */
    void resume(OpenClawRun run) {
        OpenClawRun previous = runs.put(run.runId, run);
        if (previous != null && previous != run) {
            previous.detached = true;
        }
        reconciler.reconcile(run.sessionKey, List.of(run));
    }

    /** True while {@code run} is the tracked run of its id. */
    boolean isCurrent(OpenClawRun run) {
        return runs.get(run.runId) == run;
    }

    Collection<OpenClawRun> open() {
        return runs.values();
    }

    /**
     * Sends the message of {@code run} again under the same key (the transcript shows it neither running nor answered).
     */
    void resend(OpenClawRun run) {
        run.orphaned = false;
        run.resending = true;
        link.request(
                "chat.send", chatSendParams(run), settings.requestTimeout(), r -> onChatSendAnswer(run, r), failure -> {
                    run.resending = false;
                    if (!run.attached) {
                        forget(run);
                        run.accepted.completeExceptionally(failure);
                    } else {
                        reconciler.recheckLater(run);
                    }
                });
    }

    /** The connector is closing: runs not yet accepted fail retryably. */
    void failUnaccepted(DeliveryException why) {
        for (OpenClawRun run : runs.values()) {
            if (!run.accepted.isDone()) {
                run.accepted.completeExceptionally(why);
            }
        }
    }

    Json chatSendParams(OpenClawRun run) {
        return Json.object()
                .put("sessionKey", run.sessionKey)
                .put("message", OpenClawSessionKeys.attributedText(run.message))
                .put("idempotencyKey", run.runId)
                .put("queueMode", "followup")
                .put("timeoutMs", settings.turnTimeout().toMillis());
    }

    void send(OpenClawRun run) {
        if (!link.isReady()) {
            run.accepted.completeExceptionally(link.notReady());
            return;
        }
        OpenClawRun previous = runs.put(run.runId, run);
        if (previous != null && previous != run) {
            previous.detached = true; // a re-delivery of the same message: the newest sink takes over
        }
        link.request(
                "chat.send",
                chatSendParams(run),
                settings.requestTimeout(),
                res -> onChatSendAnswer(run, res),
                failure -> {
                    forget(run);
                    run.accepted.completeExceptionally(failure);
                });
    }

    void onChatSendAnswer(OpenClawRun run, Inbound.Response res) {
        if (!res.ok()) {
            forget(run);
            DeliveryException e = GatewayLink.mapError("chat.send", res.error());
            if (run.resending && run.attached) {
                if (e.retryable()) {
                    run.resending = false; // try again at the next reconcile
                    reconciler.recheckLater(run);
                    runs.put(run.runId, run);
                } else {
                    terminal(
                            run,
                            () -> run.sink.onError("run_lost", "The agent lost this message; please send it again."));
                }
            } else {
                run.accepted.completeExceptionally(e);
            }
            return;
        }
        String status = res.payload().path("status").asText("");
        switch (status) {
            case "started", "in_flight" -> accept(run, !"started".equals(status) || run.resending);
            case "ok", "error", "timeout" -> {
                // the run already ended: the gateway answered from its dedupe cache; fetch the reply from the
                // transcript
                accept(run, true);
                reconciler.reconcile(run.sessionKey, List.of(run));
            }
            default -> {
                if (res.payload().has("aborted")) { // a stop command: no run of its own
                    accept(run, false);
                    terminal(run, () -> run.sink.onFinal(""));
                } else {
                    LOG.warn(
                            "openclaw: chat.send for {} answered with unknown status '{}'; waiting for its events",
                            run.runId,
                            status);
                    accept(run, false);
                }
            }
        }
        run.resending = false;
    }

    void accept(OpenClawRun run, boolean replayed) {
        if (run.attached) {
            return;
        }
        run.accepted.complete(new Accepted(run.runId, replayed));
        run.attached = true;
        run.sink.onStart();
        List<Json> early = new ArrayList<>(run.early);
        run.early.clear();
        for (Json payload : early) {
            applyChat(run, payload);
        }
    }

    void onChat(Json payload) {
        OpenClawRun run = runs.get(payload.path("runId").asText(""));
        if (run == null) {
            run = orphanOf(payload.path("sessionKey").asText(""));
            String state = payload.path("state").asText("");
            if (run == null
                    || !(state.equals("delta")
                            || state.equals("status")
                            || state.equals("final") && payload.hasNonNull("message"))) {
                return; // another client's run, or nothing we can attribute
            }
            // After a crash the gateway resumes an interrupted turn under a new runId ("[System] Your previous turn
            // was interrupted…"): its reply answers our orphaned input.
            if (state.equals("final")) {
                LOG.info(
                        "openclaw: run {} answered by the gateway's resumed turn {}",
                        run.runId,
                        payload.path("runId").asText());
            }
        }
        if (run.detached) {
            return;
        }
        if (!run.attached) {
            run.early.add(
                    payload); // events can overtake the chat.send answer (docs/runtime-openclaw.md, "Gateway facts":
            // order)
            return;
        }
        applyChat(run, payload);
    }

    private OpenClawRun orphanOf(String sessionKey) {
        for (OpenClawRun r : runs.values()) {
            if (r.orphaned && !r.terminal && !r.detached && r.sessionKey.equalsIgnoreCase(sessionKey)) {
                return r;
            }
        }
        return null;
    }

    private void applyChat(OpenClawRun run, Json payload) {
        if (run.terminal) {
            return;
        }
        switch (payload.path("state").asText("")) {
            case "status" -> run.sink.onTyping();
            case "delta" -> {
                String before = run.text;
                String fromMessage = GatewayFrames.messageText(payload.get("message"));
                if (fromMessage != null) {
                    run.text = fromMessage;
                } else if (payload.path("replace").asBoolean(false)) {
                    run.text = payload.path("deltaText").asText("");
                } else {
                    run.text = run.text + payload.path("deltaText").asText("");
                }
                if (!run.text.equals(before)) {
                    run.sink.onDelta(run.text);
                }
            }
            case "final" -> {
                String text = GatewayFrames.messageText(payload.get("message"));
                terminal(run, () -> run.sink.onFinal(text == null ? "" : text));
            }
            case "aborted" ->
                terminal(run, () -> run.sink.onError("run_cancelled", "The agent stopped before finishing its reply."));
            case "error" -> {
                String kind = payload.path("errorKind").asText("");
                terminal(
                        run,
                        () -> run.sink.onError(
                                "run_failed",
                                "The agent could not answer"
                                        + (kind.isEmpty() || kind.equals("unknown")
                                                ? "."
                                                : " (" + kind.replace('_', ' ') + ").")));
            }
            default -> {
                // unknown states are progress, never terminal
            }
        }
    }

    void terminal(OpenClawRun run, Runnable emit) {
        run.terminal = true;
        forget(run);
        emit.run();
    }

    void forget(OpenClawRun run) {
        runs.remove(run.runId, run);
    }
}
