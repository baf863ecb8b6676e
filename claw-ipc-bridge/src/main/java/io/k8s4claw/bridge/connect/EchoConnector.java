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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A runtime that answers every message at once with its own text ({@code CLAW_RUNTIME_PROTOCOL=echo}).
 * For benchmarks and smoke tests of the bus and the durable path without an agent; never for production.
 */
public final class EchoConnector implements RuntimeConnector {

    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "echo-runtime");
        t.setDaemon(true);
        return t;
    });

    @Override
    public String protocol() {
        return "echo";
    }

    @Override
    public void start(OutboundRouter outbound) {
    }

    @Override
    public CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink) {
        CompletableFuture<Accepted> accepted = new CompletableFuture<>();
        events.execute(() -> {
            accepted.complete(new Accepted("echo-" + message.idempotencyKey(), false));
            sink.onFinal(message.text());
        });
        return accepted;
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
    public void close() {
        events.shutdownNow();
    }
}
