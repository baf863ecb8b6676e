package io.k8s4claw.bridge.runtime.hermes;

import io.k8s4claw.api.json.Json;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hermes-sse}: Hermes Agent's API server runs API over HTTP + SSE (docs/runtime-hermes-sse.md, "Hermes over
 * SSE"). See {@code claw-ipc-bridge/docs/runtime-hermes-sse.md}.
 *
 * <ul>
 *   <li>deliver: {@code POST /v1/runs} with {@code Idempotency-Key} (from the bus message id), {@code session_id}
 *       and {@code X-Hermes-Session-Key} (from {@link io.k8s4claw.bridge.runtime.SessionKey}); 202 = accepted.
 *       401 → permanent ({@code unauthorized}); 429/503 → retryable with {@code Retry-After}; connection refused →
 *       retryable ({@code unreachable}); other 4xx → permanent; 5xx → retryable.</li>
 *   <li>then a {@link RunFollower} streams {@code /v1/runs/{id}/events} into the sink, resuming with
 *       {@code Last-Event-ID}, falling back to status polling.</li>
 *   <li>health: background probe of {@code /health} and {@code /health/detailed} (reads the body).</li>
 *   <li>no proactive path: Hermes's API server cannot push messages (its send is a stub), so the
 *       {@link OutboundRouter} is never used; proactive messages need {@code hermes-relay}.</li>
 * </ul>
 * Never sends an {@code Origin} header (Hermes answers 403 to any origin not allow-listed) and never logs the key.
 */
public final class HermesSseConnector implements RuntimeConnector {

    private static final Logger LOG = LoggerFactory.getLogger(HermesSseConnector.class);

    /** Counters for metrics and tests. */
    public static final class Stats {
        final AtomicLong streamsOpened = new AtomicLong();
        final AtomicLong streamReconnects = new AtomicLong();
        final AtomicLong keepalives = new AtomicLong();
        final AtomicLong statusPolls = new AtomicLong();

        /** Event streams that answered 200. */
        public long streamsOpened() {
            return streamsOpened.get();
        }

        /** Times a run's stream had to be re-opened (broken, watchdog, runtime down). */
        public long streamReconnects() {
            return streamReconnects.get();
        }

        /** Keepalive comments received. */
        public long keepalives() {
            return keepalives.get();
        }

        /** {@code GET /v1/runs/{id}} calls made because a stream was gone. */
        public long statusPolls() {
            return statusPolls.get();
        }
    }

    private final HermesSseSettings settings;
    /** Set by start: the bridge's event loop, or (started without one: tests) a loop of the connector's own. */
    private volatile EventLoop loop;

    private EventLoopGroup ownGroup;
    private volatile HermesHttp http;
    private volatile HermesApi api;
    private final Set<RunFollower> followers = ConcurrentHashMap.newKeySet();
    private final AtomicReference<RuntimeHealth> health =
            new AtomicReference<>(new RuntimeHealth(RuntimeHealth.State.STARTING, "not probed yet", Instant.now()));
    private final Stats stats = new Stats();
    private volatile boolean everUp;
    private volatile boolean started;
    private volatile boolean closed;

    public HermesSseConnector(HermesSseSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String protocol() {
        return "hermes-sse";
    }

    /** Started alone (tests): on an event loop of its own, one thread, ended by {@link #close()}. */
    @Override
    public synchronized void start(OutboundRouter outbound) {
        checkStartable();
        ownGroup = EventLoops.newSingleThreadGroup("hermes-http");
        startOn(ownGroup.next());
    }

    /** In the bridge: all HTTP, streams, timers and sink calls on the bridge's event loop; no thread of its own. */
    @Override
    public synchronized void start(OutboundRouter outbound, EventLoop bridgeLoop) {
        checkStartable();
        startOn(bridgeLoop);
    }

    private void checkStartable() {
        if (closed) {
            throw new IllegalStateException("hermes-sse connector is closed");
        }
        if (started) {
            throw new IllegalStateException("hermes-sse connector already started");
        }
    }

    private void startOn(EventLoop eventLoop) {
        started = true;
        loop = eventLoop;
        http = new HermesHttp(eventLoop, settings.baseUrl(), settings.requestTimeout());
        api = new HermesApi(http, settings.baseUrl(), settings.apiKey());
        // The router stays unused: the API server has no proactive path (docs/runtime-hermes-sse.md, "Not supported by
        // this protocol").
        eventLoop.execute(this::probe);
    }

    @Override
    public CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(sink, "sink");
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.retryable("closed", "the bridge is shutting down"));
        }
        if (api == null) {
            return notStarted();
        }
        var result = new CompletableFuture<Accepted>();
        api.startRun(message).whenComplete((accepted, err) -> {
            if (err != null) {
                var de = unwrap(err);
                noteFailure(de);
                result.completeExceptionally(de);
                return;
            }
            noteAccepted();
            result.complete(accepted);
            follow(accepted.runRef(), message, sink);
        });
        return result;
    }

    @Override
    public CompletionStage<Accepted> resume(InboundMessage message, String runRef, ReplySink sink) {
        Objects.requireNonNull(runRef, "runRef");
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.retryable("closed", "the bridge is shutting down"));
        }
        if (api == null) {
            return notStarted();
        }
        var result = new CompletableFuture<Accepted>();
        api.runStatus(runRef).whenComplete((status, err) -> {
            if (err != null) {
                var de = unwrap(err);
                noteFailure(de);
                result.completeExceptionally(de);
            } else if (status == null) {
                // Hermes does not know the run (non-durable, or retention over): re-submit under the same key; a
                // durable idempotency record answers with the original run, otherwise a new run starts.
                deliver(message, sink).whenComplete((a, e) -> {
                    if (e != null) {
                        result.completeExceptionally(unwrap(e));
                    } else {
                        result.complete(a);
                    }
                });
            } else {
                noteAccepted();
                result.complete(new Accepted(runRef, true)); // dependents run first: no sink call before this
                follow(runRef, message, sink);
            }
        });
        return result;
    }

    private static <T> CompletableFuture<T> notStarted() {
        return CompletableFuture.failedFuture(
                DeliveryException.retryable("not_started", "the hermes-sse connector was not started"));
    }

    @Override
    public boolean stopsRuns() {
        return true;
    }

    /** {@code POST /v1/runs/{id}/stop}; Hermes then cancels the run ({@code run.cancelled} on its stream). */
    @Override
    public CompletionStage<Void> stop(String runRef) {
        Objects.requireNonNull(runRef, "runRef");
        if (api == null) {
            return notStarted();
        }
        return api.stop(runRef).handle((v, err) -> {
            if (err != null) {
                throw new CompletionException(unwrap(err));
            }
            return v;
        });
    }

    @Override
    public CompletionStage<Void> answerApproval(String runRef, String approvalId, String choice) {
        Objects.requireNonNull(runRef, "runRef");
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(choice, "choice");
        if (api == null) {
            return notStarted();
        }
        return api.answerApproval(runRef, approvalId, choice).handle((v, err) -> {
            if (err != null) {
                throw new CompletionException(unwrap(err));
            }
            return v;
        });
    }

    @Override
    public RuntimeHealth health() {
        return health.get();
    }

    public Stats stats() {
        return stats;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (RunFollower f : List.copyOf(followers)) {
            f.abandon();
        }
        if (http != null) {
            http.close();
        }
        EventLoopGroup own;
        synchronized (this) {
            own = ownGroup;
        }
        if (own != null) {
            // the close tasks above run first; then the connector's own thread ends
            var done = own.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (!loop.inEventLoop()) {
                done.awaitUninterruptibly(3, TimeUnit.SECONDS);
            }
        }
    }

    // ------------------------------------------------------------------ package-private for RunFollower

    HermesSseSettings settings() {
        return settings;
    }

    HermesApi api() {
        return api;
    }

    /** The HTTP client (its connection counts are read by a test). */
    HermesHttp http() {
        return http;
    }

    boolean isClosed() {
        return closed;
    }

    /** Run followers still running; once 0, every run stream they opened is back in the pool or closed. */
    int activeFollowers() {
        return followers.size();
    }

    void followerDone(RunFollower f) {
        followers.remove(f);
    }

    // ------------------------------------------------------------------ internals

    private void follow(String runId, InboundMessage message, ReplySink sink) {
        if (closed) {
            return; // closing: the run stays on Hermes; the core resumes it after restart
        }
        var follower = new RunFollower(runId, message, new RunEventMapper(sink), this, loop);
        followers.add(follower);
        follower.start();
    }

    static DeliveryException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof DeliveryException de) {
            return de;
        }
        return DeliveryException.retryable("protocol_error", "unexpected failure talking to Hermes: " + t, null, t);
    }

    private void noteFailure(DeliveryException e) {
        switch (e.code()) {
            case "unreachable", "link_lost" ->
                setHealth(
                        everUp ? RuntimeHealth.State.DOWN : RuntimeHealth.State.STARTING,
                        "Hermes API not reachable at " + settings.baseUrl());
            case "unauthorized" ->
                setHealth(RuntimeHealth.State.DOWN, "Hermes rejects the API key (401): check CLAW_RUNTIME_TOKEN");
            case "draining" -> setHealth(RuntimeHealth.State.STARTING, "Hermes is draining (503)");
            default -> {
                // a refusal of one message says nothing about the link
            }
        }
    }

    private void noteAccepted() {
        everUp = true;
        if (health.get().state() != RuntimeHealth.State.UP) {
            setHealth(RuntimeHealth.State.UP, "accepted a run");
        }
    }

    private void setHealth(RuntimeHealth.State state, String detail) {
        RuntimeHealth before =
                health.getAndUpdate(old -> old.state() == state && old.detail().equals(detail)
                        ? old
                        : new RuntimeHealth(state, detail, old.state() == state ? old.since() : Instant.now()));
        if (before.state() != state) {
            LOG.atInfo()
                    .addKeyValue("runtime", "hermes-sse")
                    .addKeyValue("from", before.state())
                    .addKeyValue("to", state)
                    .addKeyValue("detail", detail)
                    .log("runtime link state changed");
        }
    }

    private void probe() {
        if (closed) {
            return;
        }
        api.health().whenComplete((h, err) -> {
            try {
                if (err != null) {
                    setHealth(
                            everUp ? RuntimeHealth.State.DOWN : RuntimeHealth.State.STARTING,
                            "Hermes API not reachable at " + settings.baseUrl() + (everUp ? "" : " (not up yet)"));
                } else {
                    applyHealth(h);
                }
            } finally {
                if (!closed) {
                    try {
                        loop.schedule(this::probe, settings.healthInterval().toMillis(), TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException ignored) {
                        // closing
                    }
                }
            }
        });
    }

    private void applyHealth(HermesApi.HealthAnswers h) {
        if (h.healthStatus() != 200) {
            setHealth(
                    everUp ? RuntimeHealth.State.DOWN : RuntimeHealth.State.STARTING,
                    "GET /health answered HTTP " + h.healthStatus());
            return;
        }
        if (h.detailedStatus() != 200) {
            if (h.detailedStatus() == 401) {
                setHealth(
                        RuntimeHealth.State.DOWN,
                        "GET /health/detailed: Hermes rejects the API key (401): make "
                                + "CLAW_RUNTIME_TOKEN equal API_SERVER_KEY");
            } else {
                setHealth(RuntimeHealth.State.STARTING, "GET /health/detailed answered HTTP " + h.detailedStatus());
            }
            return;
        }
        everUp = true;
        var verdict = HealthVerdict.of(h.detailedBody());
        setHealth(verdict.state(), verdict.detail());
    }

    /** Reads the body of {@code /health/detailed} (always HTTP 200, even when degraded). */
    record HealthVerdict(RuntimeHealth.State state, String detail) {
        static HealthVerdict of(String body) {
            Json n;
            try {
                n = Json.parse(body);
            } catch (Exception e) {
                return new HealthVerdict(RuntimeHealth.State.STARTING, "GET /health/detailed: unreadable body");
            }
            if (!n.isObject()) {
                return new HealthVerdict(RuntimeHealth.State.STARTING, "GET /health/detailed: unreadable body");
            }
            String overall = n.path("status").asText("unknown");
            String gatewayState = n.path("gateway_state").asText("");
            Json checks = n.path("readiness").path("checks");
            List<String> notOk = new ArrayList<>();
            for (Map.Entry<String, Json> e : checks.entries()) {
                String s = e.getValue().path("status").asText("");
                if (!s.isEmpty() && !"ok".equals(s)) {
                    notOk.add(e.getKey() + "=" + s);
                }
            }
            String detail = "status=" + overall + (notOk.isEmpty() ? "" : " (" + String.join(", ", notOk) + ")")
                    + (gatewayState.isEmpty() ? "" : ", gateway_state=" + gatewayState);
            if (!gatewayState.isEmpty() && !"running".equals(gatewayState) && !"degraded".equals(gatewayState)) {
                return new HealthVerdict(RuntimeHealth.State.STARTING, detail); // starting, draining, stopped …
            }
            // Readiness follows the gateway check (docs/runtime-hermes-sse.md, "Health"); other degraded checks (disk,
            // model) are
            // reported but do not take the link down: runs still start and fail visibly.
            Json gateway = checks.path("gateway").path("status");
            boolean ready = gateway.isTextual() ? "ok".equals(gateway.asText()) : "ok".equals(overall);
            return new HealthVerdict(ready ? RuntimeHealth.State.UP : RuntimeHealth.State.STARTING, detail);
        }
    }
}
