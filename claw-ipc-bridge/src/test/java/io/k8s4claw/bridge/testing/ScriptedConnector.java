package io.k8s4claw.bridge.testing;

import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Test double of a runtime connector: a script decides per attempt whether the runtime accepts, fails
 * retryably/permanently, or holds the run open; accepted runs can be finished by the test. Records every
 * call. Runs callbacks on its own thread, like real connectors.
 */
public final class ScriptedConnector implements RuntimeConnector {

    public enum Action {
        ACCEPT_AND_ECHO,
        ACCEPT_AND_HOLD,
        RETRYABLE,
        PERMANENT,
        NEVER_ANSWER
    }

    public record Call(String kind, String messageId, String idempotencyKey, String runRef, String conversation) {}

    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private volatile Function<InboundMessage, Action> script = m -> Action.ACCEPT_AND_ECHO;
    public final List<Call> calls = new CopyOnWriteArrayList<>();
    public final Map<String, ReplySink> openRuns = new ConcurrentHashMap<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    public final AtomicInteger maxConcurrent = new AtomicInteger();
    public volatile OutboundRouter outbound;
    public volatile RuntimeHealth.State state = RuntimeHealth.State.UP;

    public void script(Function<InboundMessage, Action> s) {
        this.script = s;
    }

    @Override
    public String protocol() {
        return "scripted";
    }

    @Override
    public void start(OutboundRouter outbound) {
        this.outbound = outbound;
    }

    @Override
    public CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink) {
        return run("deliver", message, null, sink);
    }

    @Override
    public CompletionStage<Accepted> resume(InboundMessage message, String runRef, ReplySink sink) {
        return run("resume", message, runRef, sink);
    }

    private CompletionStage<Accepted> run(String kind, InboundMessage m, String runRef, ReplySink sink) {
        calls.add(new Call(kind, m.messageId(), m.idempotencyKey(), runRef, m.conversationId()));
        CompletableFuture<Accepted> f = new CompletableFuture<>();
        Action a = script.apply(m);
        thread.execute(() -> {
            String ref = runRef != null ? runRef : "run-" + m.messageId();
            switch (a) {
                case ACCEPT_AND_ECHO -> {
                    f.complete(new Accepted(ref, false));
                    sink.onStart();
                    sink.onDelta("echo");
                    sink.onFinal("echo: " + m.text());
                }
                case ACCEPT_AND_HOLD -> {
                    int now = concurrent.incrementAndGet();
                    maxConcurrent.accumulateAndGet(now, Math::max);
                    openRuns.put(m.messageId(), sink);
                    f.complete(new Accepted(ref, false));
                    sink.onStart();
                }
                case RETRYABLE ->
                    f.completeExceptionally(DeliveryException.retryable("unreachable", "connection refused"));
                case PERMANENT ->
                    f.completeExceptionally(DeliveryException.permanent("unauthorized", "401 from runtime"));
                case NEVER_ANSWER -> {}
            }
        });
        return f;
    }

    /** Finishes a held run with a final reply. */
    public void finish(String messageId, String text) {
        ReplySink sink = openRuns.remove(messageId);
        if (sink == null) {
            throw new IllegalStateException("no open run for " + messageId);
        }
        concurrent.decrementAndGet();
        thread.execute(() -> sink.onFinal(text));
    }

    public long callsFor(String messageId) {
        return calls.stream().filter(c -> c.messageId().equals(messageId)).count();
    }

    @Override
    public CompletionStage<Void> answerApproval(String runRef, String approvalId, String choice) {
        calls.add(new Call("approval:" + approvalId + "=" + choice, "", "", runRef, ""));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public RuntimeHealth health() {
        return new RuntimeHealth(state, "scripted", Instant.EPOCH);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
