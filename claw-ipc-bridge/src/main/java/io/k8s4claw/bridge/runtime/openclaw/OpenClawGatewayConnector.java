package io.k8s4claw.bridge.runtime.openclaw;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.retry.Backoff;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenClaw over its gateway protocol v4 (docs/runtime-openclaw.md).
 *
 * <p>One WebSocket to {@code ws://127.0.0.1:<port>/} as {@code gateway-client}/{@code backend} with the shared
 * token and no device block and no {@code Origin}/forwarding headers (the local-backend path: docs/runtime-openclaw.md, "Gateway facts"); the granted
 * scopes must include {@code operator.read} and {@code operator.write}. A message becomes
 * {@code chat.send {sessionKey, message, idempotencyKey, queueMode:"followup", timeoutMs}}: the idempotency key is
 * the bus-derived {@link InboundMessage#idempotencyKey()}, which the gateway uses as the {@code runId}; followup
 * queueing gives every message its own reply. The run's {@code chat} events are filtered by runId: {@code status}
 * → typing, {@code delta} → cumulative text ({@code message} wins over {@code deltaText}), then exactly one of
 * {@code final}/{@code aborted}/{@code error}. Unknown states (the extra {@code status} phases) are
 * progress, never terminal.
 *
 * <p>Liveness: a watchdog closes with 4000 "tick timeout" after 2 × {@code tickIntervalMs} without any frame;
 * close 1012 (shutdown) reconnects after {@code restartExpectedMs}, 1013 after {@code retryAfterMs}, auth and
 * protocol refusals (1008/1002 with an auth code) pause for {@code authRetry} and report, anything else backs off
 * 1 s … 30 s with equal jitter ({@link Backoff}). After every reconnect the runs still open are reconciled with {@code chat.history}
 * — still running: keep waiting; answered: deliver the transcript's reply; never admitted or lost in a
 * crash: send again under the same key — instead of re-sending blindly.
 *
 * <p>Threading: all state lives on one connector thread; WebSocket callbacks hop onto it; sink callbacks run on it.
 * The parts: {@link GatewayLink} (connect, reconnect, watchdog, requests, health), {@link RunTracker} (runs and
 * their events) and {@link HistoryReconciler} (what the transcript says of runs whose events were missed).
 */
public final class OpenClawGatewayConnector implements RuntimeConnector {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClawGatewayConnector.class);

    private final ScheduledExecutorService actor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "openclaw-connector");
        t.setDaemon(true);
        return t;
    });
    private final GatewayLink link;
    private final RunTracker runs;
    private final HistoryReconciler reconciler;

    // connector-thread state
    private boolean started;
    private boolean closed;

    public OpenClawGatewayConnector(OpenClawSettings settings, Clock clock) {
        String v = OpenClawGatewayConnector.class.getPackage().getImplementationVersion();
        this.link = new GatewayLink(settings, clock, v == null ? "0.1.0" : v, actor, new GatewayLink.Events() {
            @Override
            public void onReady() {
                reconciler.reconcileAll();
            }

            @Override
            public void onChat(JsonNode payload) {
                runs.onChat(payload);
            }

            @Override
            public void onEventsDropped() {
                reconciler.reconcileAll();
            }
        });
        this.runs = new RunTracker(settings, link);
        this.reconciler = new HistoryReconciler(settings, link, runs, actor);
        runs.reconcileWith(reconciler);
    }

    @Override
    public String protocol() {
        return "openclaw-gateway";
    }

    @Override
    public void start(OutboundRouter outbound) {
        // OpenClaw replies only to runs the bridge started (chat.send runs stay on the internal webchat route),
        // so there is no proactive path here: the router is not used.
        actor.execute(() -> {
            if (started || closed) {
                throw new IllegalStateException("openclaw-gateway connector already started or closed");
            }
            started = true;
            link.start();
        });
    }

    @Override
    public CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink) {
        CompletableFuture<Accepted> accepted = new CompletableFuture<>();
        onActor(accepted, () -> runs.send(new OpenClawRun(message, sink, accepted)));
        return accepted;
    }

    @Override
    public CompletionStage<Accepted> resume(InboundMessage message, String runRef, ReplySink sink) {
        CompletableFuture<Accepted> accepted = new CompletableFuture<>();
        onActor(accepted, () -> {
            if (!link.isReady()) {
                accepted.completeExceptionally(link.notReady());
                return;
            }
            OpenClawRun run = new OpenClawRun(message, sink, accepted);
            if (!run.runId.equals(runRef)) {
                LOG.warn(
                        "openclaw: resume of {} with run reference {} that is not its idempotency key; using the key",
                        run.runId,
                        runRef);
            }
            runs.resume(run);
        });
        return accepted;
    }

    @Override
    public CompletionStage<Void> answerApproval(String runRef, String approvalId, String choice) {
        return CompletableFuture.failedFuture(DeliveryException.permanent(
                "approval_unsupported",
                "the OpenClaw connector does not relay approvals; the agent asks in its reply text"));
    }

    @Override
    public RuntimeHealth health() {
        return link.health();
    }

    @Override
    public void close() {
        try {
            actor.submit(() -> {
                        closed = true;
                        link.close();
                        runs.failUnaccepted(DeliveryException.retryable("closed", "the bridge is shutting down"));
                    })
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("openclaw: close: {}", e.toString());
        }
        actor.shutdownNow();
    }

    private void onActor(CompletableFuture<?> result, Runnable task) {
        try {
            actor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("openclaw: internal error", e);
                    result.completeExceptionally(
                            DeliveryException.retryable("protocol_error", "internal error: " + e, null, e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(
                    DeliveryException.permanent("closed", "the openclaw-gateway connector is closed"));
        }
    }
}
