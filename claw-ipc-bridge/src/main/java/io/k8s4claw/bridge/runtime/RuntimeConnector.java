package io.k8s4claw.bridge.runtime;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The bridge's link to one agent runtime, over one protocol. See the {@linkplain io.k8s4claw.bridge.runtime
 * package documentation} for the flow, the idempotency rules and the threading contract.
 *
 * <p>Lifecycle: {@link #start} once, then any number of deliveries, then {@link #close}. The connector owns
 * reconnection: after {@code start} it keeps (re)connecting with backoff until closed, and
 * {@link #health()} tells how the link is. A message delivered while the runtime is unreachable fails fast with
 * a retryable {@link DeliveryException}; the core's delivery engine owns the retry schedule and dead-lettering.
 */
public interface RuntimeConnector extends AutoCloseable {

    /**
     * The protocol name as configured by {@code CLAW_RUNTIME_PROTOCOL}: {@code hermes-sse}, {@code hermes-relay},
     * {@code openclaw-gateway}.
     */
    String protocol();

    /**
     * Starts the background connection (and, for protocols where the runtime dials in, the listener). Returns at
     * once; the runtime being down is not an error. {@code outbound} receives messages the runtime sends without a
     * preceding user message (proactive: relay {@code send}/{@code edit}/{@code typing}); connectors whose protocol
     * has no proactive path never call it.
     *
     * @throws IllegalStateException if already started or closed
     */
    void start(OutboundRouter outbound);

    /**
     * {@link #start(OutboundRouter)} on the bridge's event loop, as the bridge starts its connector: a connector
     * whose sockets are Netty's registers them on {@code loop} and keeps its state there instead of on threads of
     * its own (every thread and every extra HTTP stack costs the sidecar memory: docs/design.md, "Memory"). The
     * loop is the bridge's: the connector never shuts it down and never blocks on it. The default ignores it.
     *
     * @throws IllegalStateException if already started or closed
     */
    default void start(OutboundRouter outbound, EventLoop loop) {
        start(outbound);
    }

    /**
     * Hands one inbound message to the runtime.
     *
     * <p>The stage completes with {@link Accepted} when the runtime has accepted the message: it exists on the
     * runtime's side (Hermes: {@code POST /v1/runs} answered 202; OpenClaw: {@code chat.send} answered ok; relay:
     * the {@code inbound} frame was written to a live, handshaken socket) and a reply, if any, will follow on
     * {@code sink}. It fails with {@link DeliveryException}: {@linkplain DeliveryException#retryable() retryable}
     * when the runtime is starting, down, draining, at its concurrency cap or the link broke before an answer (the
     * same message may be delivered again: the idempotency key absorbs duplicates), non-retryable when the runtime
     * refused this message or the configuration (e.g. a wrong API key) and retrying cannot help.
     *
     * <p>The sink is used only if the stage completes successfully.
     */
    CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink);

    /**
     * Re-attaches to a run accepted earlier (by this process or one before a crash) whose terminal event was
     * not recorded, so its reply reaches {@code sink} without starting a second run.
     *
     * <p>{@code runRef} is the value of {@link Accepted#runRef()} recorded for {@code message}. The stage completes
     * with the run that will feed {@code sink}: normally the same {@code runRef}; a connector that cannot find the
     * run any more re-submits the message with its original idempotency key and returns whatever run the runtime
     * answers with ({@link Accepted#replayed()} tells whether it was the original one). Events may be replayed from
     * the beginning of the run: deltas are cumulative, and a final the core had already recorded must be absorbed
     * by the core (it knows the run reference). Failures as for {@link #deliver}.
     */
    CompletionStage<Accepted> resume(InboundMessage message, String runRef, ReplySink sink);

    /**
     * Sends the user's answer to an approval request the runtime raised on a run
     * ({@link ReplySink#onApprovalRequest}). {@code approvalId} is the id given there, {@code choice} one of the
     * offered choices. Fails with a non-retryable {@link DeliveryException} (code {@code approval_unsupported})
     * when the protocol has no approval path, or {@code approval_not_pending} when nothing is waiting any more.
     */
    CompletionStage<Void> answerApproval(String runRef, String approvalId, String choice);

    /**
     * Stops a run in progress on the user's request (the bus's StopRequest). The run then ends on its sink with
     * its own terminal event ({@code onError("run_cancelled", …)}). Fails with a non-retryable
     * {@link DeliveryException}: {@code stop_unsupported} when the protocol has no way to stop a run (the
     * default), {@code run_not_found} when the runtime does not know it.
     */
    /**
     * Whether {@link #stop} can stop a run of this runtime. When not, a user's stop reaches the runtime as the text
     * {@code /stop} in an ordinary message of the conversation: Hermes's relay reads its own {@code /stop} command
     * (it interrupts the running turn), and such a runtime's messages do not wait for a reply of their own.
     */
    default boolean stopsRuns() {
        return false;
    }

    default CompletionStage<Void> stop(String runRef) {
        return CompletableFuture.failedFuture(DeliveryException.permanent(
                "stop_unsupported",
                "the " + protocol()
                        + " runtime connector cannot stop a run; a user's /stop there is a message to the runtime"));
    }

    /** The link's current state, cheap and non-blocking (the connector probes in the background). */
    RuntimeHealth health();

    /**
     * Stops reconnecting and releases connections and threads. Runs in flight are abandoned, not cancelled on the
     * runtime. Idempotent.
     */
    @Override
    void close();
}
