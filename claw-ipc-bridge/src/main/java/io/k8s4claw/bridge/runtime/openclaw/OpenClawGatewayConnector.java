package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.api.retry.Backoff;
import io.k8s4claw.bridge.net.EventLoops;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenClaw over its gateway protocol v4 (docs/runtime-openclaw.md).
 *
 * <p>One WebSocket to {@code ws://127.0.0.1:<port>/} as {@code gateway-client}/{@code backend} with the shared
 * token and no device block and no {@code Origin}/forwarding headers (the local-backend path: docs/runtime-openclaw.md,
 * "Gateway facts"); the granted scopes must include {@code operator.read} and {@code operator.write}. A message becomes
 * {@code chat.send {sessionKey, message, idempotencyKey, queueMode:"followup", timeoutMs}}: the idempotency key is the
 * bus-derived {@link InboundMessage#idempotencyKey()}, which the gateway uses as the {@code runId}; followup queueing
 * gives every message its own reply. The run's {@code chat} events are filtered by runId: {@code status} → typing,
 * {@code delta} → cumulative text ({@code message} wins over {@code deltaText}), then exactly one of
 * {@code final}/{@code aborted}/{@code error}. Unknown states (the extra {@code status} phases) are progress, never
 * terminal.
 *
 * <p>Liveness: a watchdog closes with 4000 "tick timeout" after 2 × {@code tickIntervalMs} without any frame;
 * close 1012 (shutdown) reconnects after {@code restartExpectedMs}, 1013 after {@code retryAfterMs}, auth and
 * protocol refusals (1008/1002 with an auth code) pause for {@code authRetry} and report, anything else backs off
 * 1 s … 30 s with equal jitter ({@link Backoff}). After every reconnect the runs still open are reconciled with
 * {@code chat.history} — still running: keep waiting; answered: deliver the transcript's reply; never admitted or lost
 * in a crash: send again under the same key — instead of re-sending blindly.
 *
 * <p>Threading: all state lives on one event loop — the bridge's ({@link #start(OutboundRouter, EventLoop)}), or one
 * of its own when started without it — with the WebSocket (Netty's client codec, {@link GatewaySocket}); sink
 * callbacks run on it.
 * The parts: {@link GatewayLink} (connect, reconnect, watchdog, requests, health), {@link RunTracker} (runs and
 * their events) and {@link HistoryReconciler} (what the transcript says of runs whose events were missed).
 */
public final class OpenClawGatewayConnector implements RuntimeConnector {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClawGatewayConnector.class);

    private final OpenClawSettings settings;
    private final Clock clock;
    private final RuntimeHealth notStarted;

    // set once by start, then used on the actor only
    private GatewayLink link;
    private RunTracker runs;
    private HistoryReconciler reconciler;
    /** A loop of its own when started without the bridge's; shut down on close. */
    private EventLoopGroup ownLoop;
    /** The event loop all state lives on: the bridge's, or {@link #ownLoop}'s. Null until started. */
    private volatile EventLoop actor;

    // guarded by this
    private boolean closed;

    public OpenClawGatewayConnector(OpenClawSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.notStarted = new RuntimeHealth(
                RuntimeHealth.State.STARTING, "not connected to the OpenClaw gateway yet", clock.instant());
    }

    @Override
    public String protocol() {
        return "openclaw-gateway";
    }

    /** Starts on an event loop of its own (tests, a host without the bridge's loop). */
    @Override
    public void start(OutboundRouter outbound) {
        start(outbound, null);
    }

    /**
     * Starts on {@code loop}, the bridge's: the WebSocket and all state live there, no thread of its own. OpenClaw
     * replies only to runs the bridge started (chat.send runs stay on the internal webchat route), so there is no
     * proactive path here: the router is not used.
     */
    @Override
    public synchronized void start(OutboundRouter outbound, EventLoop loop) {
        if (actor != null || closed) {
            throw new IllegalStateException("openclaw-gateway connector already started or closed");
        }
        EventLoop on = loop;
        if (on == null) {
            ownLoop = EventLoops.newSingleThreadGroup("openclaw-connector");
            on = ownLoop.next();
        }
        String v = OpenClawGatewayConnector.class.getPackage().getImplementationVersion();
        link = new GatewayLink(settings, clock, v == null ? "0.1.0" : v, on, new GatewayLink.Events() {
            @Override
            public void onReady() {
                reconciler.reconcileAll();
            }

            @Override
            public void onChat(Json payload) {
                runs.onChat(payload);
            }

            @Override
            public void onEventsDropped() {
                reconciler.reconcileAll();
            }
        });
        runs = new RunTracker(settings, link);
        reconciler = new HistoryReconciler(settings, link, runs, on);
        runs.reconcileWith(reconciler);
        actor = on; // publishes the fields above to callers that read it
        on.execute(link::start);
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
        return actor == null ? notStarted : link.health();
    }

    @Override
    public void close() {
        EventLoop on;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            on = actor;
        }
        if (on != null) {
            Runnable shutdown = () -> {
                link.close();
                runs.failUnaccepted(DeliveryException.retryable("closed", "the bridge is shutting down"));
            };
            if (on.inEventLoop()) {
                shutdown.run();
            } else {
                try {
                    on.submit(shutdown).get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.debug("openclaw: close: {}", e.toString());
                }
            }
        }
        if (ownLoop != null) {
            ownLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private void onActor(CompletableFuture<?> result, Runnable task) {
        EventLoop on = actor;
        if (on == null) {
            result.completeExceptionally(
                    DeliveryException.retryable("starting", "the openclaw-gateway connector is not started yet"));
            return;
        }
        try {
            on.execute(() -> {
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
