package io.k8s4claw.bridge.runtime.hermes;

import io.k8s4claw.api.retry.Backoff;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one accepted run to its end: the run's SSE stream, re-opened with {@code Last-Event-ID} after every break
 * (dropped connection, watchdog: no byte — event or keepalive comment — within
 * {@link HermesSseSettings#streamWatchdog()}, runtime down), until a terminal event. When the stream is gone for good
 * (404: older Hermes dropped its single-subscriber buffer, the journal expired, the gateway restarted), it polls
 * {@code GET /v1/runs/{id}} and takes the outcome from the status object.
 *
 * <p>No thread of its own: every step runs on the connector's event loop, one after the other — an HTTP answer, a
 * stream event or a backoff timer continues the run where it stands — so the mapper and the sink are called one at a
 * time, in order, and nothing here may block.
 */
final class RunFollower {

    private static final Logger LOG = LoggerFactory.getLogger(RunFollower.class);

    /** How often one message is submitted again after its run was lost, before the channel is told. */
    static final int MAX_RESUBMISSIONS = 3;

    private String runId;
    private final InboundMessage message;
    private final RunEventMapper mapper;
    private final HermesSseConnector owner;
    private final EventLoop loop;
    private int resubmissions;
    /** Hermes cancelled the current run; whether that stands or the message is submitted again is decided later. */
    private boolean cancelPending;

    private boolean finished;

    // the current run's stream
    private HermesHttp.EventStream stream;
    private String lastEventId;
    private Backoff.Attempts streamDelays;
    private boolean firstStream;

    RunFollower(String runId, InboundMessage message, RunEventMapper mapper, HermesSseConnector owner, EventLoop loop) {
        this.runId = runId;
        this.message = message;
        this.mapper = mapper;
        this.owner = owner;
        this.loop = loop;
    }

    /** Starts following; returns at once. */
    void start() {
        step(() -> {
            mapper.start();
            nextRound();
        });
    }

    /** Stops at once (the connector closes): no sink call follows; the run stays on Hermes for a resume. */
    void abandon() {
        step(() -> {
            if (stream != null) {
                stream.close(() -> {});
            }
            finish();
        });
    }

    // ------------------------------------------------------------------ the run, round by round

    /** Follows the current run; then decides what its end means. */
    private void nextRound() {
        if (owner.isClosed() || mapper.terminal()) {
            finish();
            return;
        }
        followRun();
    }

    /** The current run ended (terminal event), was cancelled, or is lost (Hermes does not know it any more). */
    private void afterRun() {
        if (mapper.terminal() || owner.isClosed()) {
            finish();
            return;
        }
        if (cancelPending) {
            runtimeShuttingDown()
                    .whenComplete((down, e) -> step(() -> {
                        if (!down) {
                            cancelPending = false;
                            mapper.cancelled(); // cancelled while Hermes runs on: someone stopped it; that stands
                            finish();
                        } else {
                            resubmitOrGiveUp();
                        }
                    }));
            return;
        }
        resubmitOrGiveUp();
    }

    /**
     * Lost (Hermes does not know the run any more: it restarted; 0.19.0 keeps runs in memory only) or cancelled by
     * Hermes's own shutdown (0.19.0 cancels in-flight runs on SIGTERM): submit the message again, as resume() does
     * after a bridge restart: at least once, never silently dropped.
     */
    private void resubmitOrGiveUp() {
        if (resubmissions >= MAX_RESUBMISSIONS) {
            giveUp();
            return;
        }
        resubmit(reconnectBackoff().attempts());
    }

    private void giveUp() {
        if (cancelPending) {
            mapper.cancelled();
        } else {
            mapper.lost();
        }
        finish();
    }

    /**
     * Whether the cancellation came from Hermes going away: it is unreachable, its health says it is not up
     * (draining, stopping), or it is a new process already that does not know the run (404).
     */
    private CompletionStage<Boolean> runtimeShuttingDown() {
        var api = owner.api();
        return api.runStatus(runId)
                .thenCompose(status -> status == null
                        ? CompletableFuture.completedFuture(true)
                        : api.health().thenCompose(answers -> {
                            if (answers.healthStatus() != 200
                                    || answers.detailedStatus() != 200
                                    || HermesSseConnector.HealthVerdict.of(answers.detailedBody())
                                                    .state()
                                            != RuntimeHealth.State.UP) {
                                return CompletableFuture.completedFuture(true);
                            }
                            // up: the same process that stopped the run, or already the next one (a fast restart)?
                            return api.runStatus(runId).thenApply(again -> again == null);
                        }))
                .exceptionally(e -> true); // not reachable: it stopped
    }

    /** Posts the message as a new run until Hermes accepts it; gives up when it refuses for good. */
    private void resubmit(Backoff.Attempts delays) {
        if (owner.isClosed()) {
            finish();
            return;
        }
        on(owner.api().startRun(message), (accepted, e) -> {
            if (e == null) {
                resubmissions++;
                LOG.atInfo()
                        .addKeyValue("runRef", runId)
                        .addKeyValue("newRunRef", accepted.runRef())
                        .addKeyValue("resubmission", resubmissions)
                        .log("run lost by the runtime, message submitted again");
                runId = accepted.runRef();
                cancelPending = false;
                mapper.resubmitted();
                nextRound();
            } else if (!HermesSseConnector.unwrap(e).retryable()) {
                giveUp();
            } else {
                later(delays.next(), () -> resubmit(delays));
            }
        });
    }

    // ------------------------------------------------------------------ the event stream

    /** Follows the current run's stream until it ends or is lost (then {@link #afterRun()} decides). */
    private void followRun() {
        lastEventId = null;
        streamDelays = reconnectBackoff().attempts();
        firstStream = true;
        openStream();
    }

    private void openStream() {
        if (owner.isClosed() || mapper.terminal() || cancelPending) {
            afterRun();
            return;
        }
        if (!firstStream) {
            owner.stats().streamReconnects.incrementAndGet();
        }
        firstStream = false;
        HttpHeaders headers = owner.api().authed("text/event-stream").set("Cache-Control", "no-cache");
        if (lastEventId != null && !lastEventId.isEmpty()) {
            headers.set("Last-Event-ID", lastEventId);
        }
        stream = owner.http()
                .openStream(
                        owner.api().path("v1", "runs", runId, "events"),
                        headers,
                        owner.settings().streamWatchdog(),
                        new Listener());
    }

    /** The current stream's events; a new one per stream, so a late call of an old stream is recognised. */
    private final class Listener implements HermesHttp.StreamListener {
        @Override
        public void onOpen() {
            owner.stats().streamsOpened.incrementAndGet();
        }

        @Override
        public void onEvent(String name, String data, String id) {
            guarded(() -> {
                if (finished || owner.isClosed()) {
                    return;
                }
                if (id != null && !id.isEmpty()) {
                    lastEventId = id;
                }
                if (RunEventMapper.isCancellation(name, data)) {
                    cancelPending = true;
                } else {
                    mapper.onMessage(name, data, id == null || id.isEmpty() ? null : id);
                }
                streamDelays.reset();
                if (mapper.terminal() || cancelPending) {
                    // done with this stream before Hermes ends it: its connection goes back to the pool (or is
                    // closed) before the run counts as followed
                    stream.close(() -> step(RunFollower.this::afterRun));
                }
            });
        }

        @Override
        public void onComment(String text) {
            owner.stats().keepalives.incrementAndGet(); // liveness only; the read timeout is the watchdog
            streamDelays.reset();
        }

        @Override
        public void onRefused(int status) {
            step(() -> {
                if (status == 404) {
                    LOG.atInfo()
                            .addKeyValue("runRef", runId)
                            .log("event stream gone (404), following the run's status instead");
                    Duration interval = owner.settings().pollInterval();
                    // the poll interval while the runtime answers; doubling up to the reconnect cap while it does not
                    poll(new Backoff(interval, max(interval, owner.settings().reconnectMax())).attempts());
                    return;
                }
                LOG.atWarn()
                        .addKeyValue("runRef", runId)
                        .addKeyValue("status", status)
                        .log("event stream refused, retrying");
                reopenLater();
            });
        }

        @Override
        public void onBroken(Throwable cause) {
            step(() -> {
                LOG.atDebug()
                        .addKeyValue("runRef", runId)
                        .addKeyValue("cause", cause.getClass().getSimpleName())
                        .addKeyValue("lastEventId", lastEventId)
                        .log("event stream broke, resuming");
                reopenLater();
            });
        }
    }

    private void reopenLater() {
        if (mapper.terminal() || cancelPending || owner.isClosed()) {
            afterRun();
            return;
        }
        later(streamDelays.next(), this::openStream);
    }

    /** The stream is gone: poll the run's status until it settles (or is unknown: lost). */
    private void poll(Backoff.Attempts delays) {
        if (owner.isClosed() || mapper.terminal() || cancelPending) {
            afterRun();
            return;
        }
        owner.stats().statusPolls.incrementAndGet();
        on(owner.api().runStatus(runId), (status, e) -> {
            if (e == null) {
                if (status == null) {
                    afterRun(); // lost
                    return;
                }
                if ("cancelled".equals(status.path("status").asText(""))) {
                    cancelPending = true;
                } else {
                    mapper.onStatus(status);
                }
                delays.reset();
            }
            // on a failure: runtime down or refusing, keep trying, slower (the attempts are not reset)
            if (!mapper.terminal() && !cancelPending) {
                later(delays.next(), () -> poll(delays));
            } else {
                afterRun();
            }
        });
    }

    // ------------------------------------------------------------------ on the loop

    /** Continues with {@code then} on the loop when {@code stage} completes. */
    private <T> void on(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
        stage.whenComplete((v, e) -> step(() -> then.accept(v, e)));
    }

    private void later(Duration delay, Runnable task) {
        try {
            loop.schedule(() -> step(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            finish(); // the loop is shut down: the bridge is closing; the run stays on Hermes
        }
    }

    /** Runs {@code task} on the loop, unless this follower is done. */
    private void step(Runnable task) {
        if (loop.inEventLoop()) {
            guarded(task);
            return;
        }
        try {
            loop.execute(() -> guarded(task));
        } catch (RejectedExecutionException e) {
            finish();
        }
    }

    private void guarded(Runnable task) {
        if (finished) {
            return;
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            // a sink that throws must not end the follower silently
            LOG.atError().setCause(e).addKeyValue("runRef", runId).log("run follower failed");
            if (stream != null) {
                stream.close(() -> {});
            }
            finish();
        }
    }

    private void finish() {
        if (!finished) {
            finished = true;
            owner.followerDone(this);
        }
    }

    private Backoff reconnectBackoff() {
        return new Backoff(owner.settings().reconnectInitial(), owner.settings().reconnectMax());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
