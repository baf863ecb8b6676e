package io.k8s4claw.bridge.connect;

import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A runtime that answers every message at once with its own text ({@code CLAW_RUNTIME_PROTOCOL=echo}).
 * For benchmarks and smoke tests of the bus and the durable path without an agent; never for production.
 *
 * <p>It answers on the caller's thread, as an in-process runtime would: a benchmark over it measures the
 * bridge's own path (bus, journal, delivery, reply log), not a stand-in runtime's thread hand-offs.
 */
public final class EchoConnector implements RuntimeConnector {

    @Override
    public String protocol() {
        return "echo";
    }

    @Override
    public void start(OutboundRouter outbound) {}

    @Override
    public CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink) {
        // The final reaches the sink before the stage completes; the engine holds such early events until it
        // knows the run (the same order a fast runtime on another thread can produce).
        sink.onFinal(message.text());
        return CompletableFuture.completedFuture(new Accepted("echo-" + message.idempotencyKey(), false));
    }

    @Override
    public CompletionStage<Accepted> resume(InboundMessage message, String runRef, ReplySink sink) {
        return deliver(message, sink);
    }

    @Override
    public CompletionStage<Void> answerApproval(String runRef, String approvalId, String choice) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public RuntimeHealth health() {
        return new RuntimeHealth(RuntimeHealth.State.UP, "echo runtime (in-process)", Instant.EPOCH);
    }

    @Override
    public void close() {}
}
