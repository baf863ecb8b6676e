package io.k8s4claw.testkit.hermes;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One step of a scripted run. Text in {@link Delta} and {@link Complete} may contain {@code ${choice}}, replaced
 * by the answer to the last {@link Approval}, and {@code ${turn}}, replaced by the number of earlier turns in the
 * session (0 for a new conversation) — so tests can see history carried over.
 */
public sealed interface Step {

    /** {@code message.delta} with this chunk; the chunks form the run's output unless {@link Complete} overrides it. */
    record Delta(String text) implements Step {}

    /** Wait (interruptible by {@code /stop} and by a crash). */
    record Delay(Duration duration) implements Step {}

    /** {@code tool.started}, then {@code tool.completed} after {@code duration}. */
    record Tool(String tool, String preview, Duration duration) implements Step {}

    /**
     * {@code approval.request} with {@code command} and {@code choices}; the run waits in
     * {@code waiting_for_approval} until {@code POST /approval} answers. {@code requestId} may be null (the
     * upstream payload's {@code request_id} is not confirmed to always exist).
     */
    record Approval(String command, List<String> choices, String requestId) implements Step {}

    /** {@code run.completed}; {@code output} null = the concatenated deltas. */
    record Complete(String output) implements Step {}

    /** {@code run.failed} with {@code error}. */
    record Fail(String error) implements Step {}

    /** Wait until the test counts {@code latch} down (deterministic "slow" runs), or the run is stopped or crashed. */
    record Await(CountDownLatch latch) implements Step {}

    /** Wait until stopped or crashed (to fill the concurrency cap). */
    record Hang() implements Step {}
}
