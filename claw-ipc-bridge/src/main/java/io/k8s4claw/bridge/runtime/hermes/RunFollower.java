package io.k8s4claw.bridge.runtime.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import com.launchdarkly.eventsource.CommentEvent;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.FaultEvent;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.StartedEvent;
import com.launchdarkly.eventsource.StreamClosedByCallerException;
import com.launchdarkly.eventsource.StreamEvent;
import com.launchdarkly.eventsource.StreamException;
import com.launchdarkly.eventsource.StreamHttpErrorException;
import com.launchdarkly.logging.LDLogger;
import io.k8s4claw.api.retry.Backoff;
import io.k8s4claw.bridge.runtime.InboundMessage;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one accepted run to its end on a connector thread: the run's SSE stream (okhttp-eventsource), re-opened
 * with {@code Last-Event-ID} after every break (dropped connection, watchdog: no byte — event or keepalive comment
 * — within {@link HermesSseSettings#streamWatchdog()}, runtime down), until a terminal event. When the stream is
 * gone for good (404: older Hermes dropped its single-subscriber buffer, the journal expired, the gateway
 * restarted), it polls {@code GET /v1/runs/{id}} and takes the outcome from the status object.
 */
final class RunFollower implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RunFollower.class);

    /** How often one message is submitted again after its run was lost, before the channel is told. */
    static final int MAX_RESUBMISSIONS = 3;

    private String runId;
    private final InboundMessage message;
    private final RunEventMapper mapper;
    private final HermesSseConnector owner;
    private int resubmissions;
    /** Hermes cancelled the current run; whether that stands or the message is submitted again is decided in follow(). */
    private boolean cancelPending;

    RunFollower(String runId, InboundMessage message, RunEventMapper mapper, HermesSseConnector owner) {
        this.runId = runId;
        this.message = message;
        this.mapper = mapper;
        this.owner = owner;
    }

    @Override
    public void run() {
        try {
            follow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // connector closing
        } catch (RuntimeException e) {
            // a sink that throws must not kill the follower silently
            LOG.atError().setCause(e).addKeyValue("runRef", runId).log("run follower failed");
        }
    }

    private void follow() throws InterruptedException {
        mapper.start();
        while (!owner.isClosed() && !mapper.terminal()) {
            followRun();
            if (mapper.terminal() || owner.isClosed()) {
                return;
            }
            if (cancelPending && !runtimeShuttingDown()) {
                cancelPending = false;
                mapper.cancelled(); // cancelled while Hermes runs on: someone stopped it; that stands
                return;
            }
            // Lost (Hermes does not know the run any more: it restarted; 0.19.0 keeps runs in memory only) or
            // cancelled by Hermes's own shutdown (0.19.0 cancels in-flight runs on SIGTERM): submit the message
            // again, as resume() does after a bridge restart: at least once, never silently dropped.
            if (resubmissions >= MAX_RESUBMISSIONS || !resubmit()) {
                if (cancelPending) {
                    mapper.cancelled();
                } else {
                    mapper.lost();
                }
                return;
            }
        }
    }

    /**
     * Whether the cancellation came from Hermes going away: it is unreachable, its health says it is not up
     * (draining, stopping), or it is a new process already that does not know the run (404).
     */
    private boolean runtimeShuttingDown() throws InterruptedException {
        try {
            if (owner.api().runStatus(runId).get() == null) {
                return true;
            }
            var answers = owner.api().health().get();
            if (answers.healthStatus() != 200
                    || answers.detailedStatus() != 200
                    || HermesSseConnector.HealthVerdict.of(answers.detailedBody())
                                    .state()
                            != io.k8s4claw.bridge.runtime.RuntimeHealth.State.UP) {
                return true;
            }
            // up: the same process that stopped the run, or already the next one (a fast restart)?
            return owner.api().runStatus(runId).get() == null;
        } catch (ExecutionException e) {
            return true; // not reachable: it stopped
        }
    }

    /** Posts the message as a new run until Hermes accepts it; false when it refuses for good or the connector closes. */
    private boolean resubmit() throws InterruptedException {
        Backoff.Attempts delays = reconnectBackoff().attempts();
        while (!owner.isClosed()) {
            try {
                var accepted = owner.api().startRun(message).get();
                resubmissions++;
                LOG.atInfo()
                        .addKeyValue("runRef", runId)
                        .addKeyValue("newRunRef", accepted.runRef())
                        .addKeyValue("resubmission", resubmissions)
                        .log("run lost by the runtime, message submitted again");
                runId = accepted.runRef();
                cancelPending = false;
                mapper.resubmitted();
                return true;
            } catch (ExecutionException e) {
                // the failure may come wrapped (CompletionException) from the HTTP callback
                if (!HermesSseConnector.unwrap(e).retryable()) {
                    return false;
                }
            }
            sleep(delays.next());
        }
        return false;
    }

    /** Follows the current run until it ends or is lost (then returns without a terminal event). */
    private void followRun() throws InterruptedException {
        var settings = owner.settings();
        String lastEventId = null;
        Backoff.Attempts delays = reconnectBackoff().attempts();
        boolean first = true;
        while (!owner.isClosed() && !mapper.terminal() && !cancelPending) {
            if (!first) {
                owner.stats().streamReconnects.incrementAndGet();
            }
            first = false;
            RunStreamConnectStrategy stream = new RunStreamConnectStrategy(
                    owner.streamClient(), owner.api().url("v1", "runs", runId, "events"), settings.apiKey());
            EventSource es = newEventSource(stream, lastEventId);
            owner.register(es);
            try {
                while (!mapper.terminal() && !cancelPending) {
                    StreamEvent ev = es.readAnyEvent();
                    if (ev instanceof MessageEvent m) {
                        String id = m.getLastEventId();
                        if (id != null && !id.isEmpty()) {
                            lastEventId = id;
                        }
                        if (RunEventMapper.isCancellation(m.getEventName(), m.getData())) {
                            cancelPending = true;
                        } else {
                            mapper.onMessage(m.getEventName(), m.getData(), id == null || id.isEmpty() ? null : id);
                        }
                        delays.reset();
                    } else if (ev instanceof CommentEvent) {
                        owner.stats().keepalives.incrementAndGet(); // liveness only; the read timeout is the watchdog
                        delays.reset();
                    } else if (ev instanceof StartedEvent) {
                        owner.stats().streamsOpened.incrementAndGet();
                    } else if (ev instanceof FaultEvent f) {
                        throw f.getCause();
                    }
                }
            } catch (StreamHttpErrorException e) {
                if (e.getCode() == 404) {
                    LOG.atInfo()
                            .addKeyValue("runRef", runId)
                            .log("event stream gone (404), following the run's status instead");
                    poll();
                    return;
                }
                LOG.atWarn()
                        .addKeyValue("runRef", runId)
                        .addKeyValue("status", e.getCode())
                        .log("event stream refused, retrying");
            } catch (StreamClosedByCallerException e) {
                return;
            } catch (StreamException e) {
                LOG.atDebug()
                        .addKeyValue("runRef", runId)
                        .addKeyValue("cause", e.getClass().getSimpleName())
                        .addKeyValue("lastEventId", lastEventId)
                        .log("event stream broke, resuming");
            } finally {
                owner.unregister(es);
                es.close();
                stream.closeResponse();
            }
            if (mapper.terminal() || cancelPending || owner.isClosed()) {
                return;
            }
            sleep(delays.next());
        }
    }

    private static EventSource newEventSource(RunStreamConnectStrategy stream, String lastEventId) {
        return new EventSource.Builder(stream)
                .errorStrategy(ErrorStrategy.alwaysThrow())
                .lastEventId(lastEventId)
                .logger(LDLogger.none())
                .build();
    }

    /** The stream is gone: poll the run's status until it settles (or is unknown: lost). */
    private void poll() throws InterruptedException {
        var settings = owner.settings();
        // the poll interval while the runtime answers; doubling up to the reconnect cap while it does not
        Backoff.Attempts delays =
                new Backoff(settings.pollInterval(), max(settings.pollInterval(), settings.reconnectMax())).attempts();
        while (!owner.isClosed() && !mapper.terminal() && !cancelPending) {
            owner.stats().statusPolls.incrementAndGet();
            try {
                JsonNode status = owner.api().runStatus(runId).get();
                if (status == null) {
                    return; // lost: follow() decides
                }
                if ("cancelled".equals(status.path("status").asText(""))) {
                    cancelPending = true;
                } else {
                    mapper.onStatus(status);
                }
                delays.reset();
            } catch (ExecutionException e) {
                // runtime down or refusing: keep trying, slower (the attempts are not reset)
            }
            if (!mapper.terminal() && !cancelPending) {
                sleep(delays.next());
            }
        }
    }

    private Backoff reconnectBackoff() {
        return new Backoff(owner.settings().reconnectInitial(), owner.settings().reconnectMax());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    }
}
