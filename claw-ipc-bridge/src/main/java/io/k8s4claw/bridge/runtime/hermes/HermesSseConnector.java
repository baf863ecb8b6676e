package io.k8s4claw.bridge.runtime.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.launchdarkly.eventsource.EventSource;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * {@code hermes-sse}: Hermes Agent's API server runs API over HTTP + SSE (docs/runtime-hermes-sse.md, "Hermes over SSE"). See
 * {@code claw-ipc-bridge/docs/runtime-hermes-sse.md}.
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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HermesSseConnector.class);

    private static final ObjectMapper JSON = new ObjectMapper();

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
    private final OkHttpClient client;
    private final OkHttpClient streamClient;
    private final HermesApi api;
    private final ExecutorService followers = Executors.newCachedThreadPool(daemon("hermes-run"));
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(daemon("hermes-health"));
    private final Set<EventSource> openStreams = ConcurrentHashMap.newKeySet();
    private final AtomicReference<RuntimeHealth> health =
            new AtomicReference<>(new RuntimeHealth(RuntimeHealth.State.STARTING, "not probed yet", Instant.now()));
    private final Stats stats = new Stats();
    private volatile boolean everUp;
    private volatile boolean started;
    private volatile boolean closed;

    public HermesSseConnector(HermesSseSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        HttpUrl base = HttpUrl.get(settings.baseUrl().toString());
        var dispatcher = new Dispatcher(Executors.newCachedThreadPool(daemon("hermes-http")));
        dispatcher.setMaxRequests(128);
        dispatcher.setMaxRequestsPerHost(128);
        this.client = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(16, 5, TimeUnit.MINUTES))
                .connectTimeout(settings.requestTimeout())
                .readTimeout(settings.requestTimeout())
                .writeTimeout(settings.requestTimeout())
                .followRedirects(false)
                // Hermes on http://127.0.0.1 (the pod's loopback): a cleartext-only client never builds the JDK's TLS
                // context (cacerts, JCA providers), which OkHttp otherwise does eagerly (ClawPodMemoryBenchmark)
                .connectionSpecs(
                        base.isHttps() ? List.of(ConnectionSpec.MODERN_TLS) : List.of(ConnectionSpec.CLEARTEXT))
                .build();
        this.streamClient =
                client.newBuilder().readTimeout(settings.streamWatchdog()).build();
        this.api = new HermesApi(client, base, settings.apiKey());
    }

    @Override
    public String protocol() {
        return "hermes-sse";
    }

    @Override
    public synchronized void start(OutboundRouter outbound) {
        if (closed) {
            throw new IllegalStateException("hermes-sse connector is closed");
        }
        if (started) {
            throw new IllegalStateException("hermes-sse connector already started");
        }
        started = true;
        // The router stays unused: the API server has no proactive path (docs/runtime-hermes-sse.md, "Not supported by
        // this protocol").
        prober.execute(this::probe);
    }

    @Override
    public CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(sink, "sink");
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.retryable("closed", "the bridge is shutting down"));
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

    @Override
    public boolean stopsRuns() {
        return true;
    }

    /** {@code POST /v1/runs/{id}/stop}; Hermes then cancels the run ({@code run.cancelled} on its stream). */
    @Override
    public CompletionStage<Void> stop(String runRef) {
        Objects.requireNonNull(runRef, "runRef");
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
        prober.shutdownNow();
        for (var es : List.copyOf(openStreams)) {
            es.close();
        }
        followers.shutdownNow();
        client.dispatcher().cancelAll();
        client.dispatcher().executorService().shutdownNow();
        client.connectionPool().evictAll();
    }

    // ------------------------------------------------------------------ package-private for RunFollower

    HermesSseSettings settings() {
        return settings;
    }

    HermesApi api() {
        return api;
    }

    OkHttpClient streamClient() {
        return streamClient;
    }

    boolean isClosed() {
        return closed;
    }

    /** Run followers still running; once 0, every run stream they opened has been closed. */
    int activeFollowers() {
        return ((java.util.concurrent.ThreadPoolExecutor) followers).getActiveCount();
    }

    void register(EventSource es) {
        openStreams.add(es);
        if (closed) {
            es.close();
        }
    }

    void unregister(EventSource es) {
        openStreams.remove(es);
    }

    // ------------------------------------------------------------------ internals

    private void follow(String runId, InboundMessage message, ReplySink sink) {
        try {
            followers.execute(new RunFollower(runId, message, new RunEventMapper(sink), this));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the run stays on Hermes; the core resumes it after restart
        }
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
                        prober.schedule(this::probe, settings.healthInterval().toMillis(), TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException ignored) {
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
            JsonNode n;
            try {
                n = JSON.readTree(body);
            } catch (Exception e) {
                return new HealthVerdict(RuntimeHealth.State.STARTING, "GET /health/detailed: unreadable body");
            }
            if (n == null || !n.isObject()) {
                return new HealthVerdict(RuntimeHealth.State.STARTING, "GET /health/detailed: unreadable body");
            }
            String overall = n.path("status").asText("unknown");
            String gatewayState = n.path("gateway_state").asText("");
            JsonNode checks = n.path("readiness").path("checks");
            List<String> notOk = new ArrayList<>();
            checks.fields().forEachRemaining(e -> {
                String s = e.getValue().path("status").asText("");
                if (!s.isEmpty() && !"ok".equals(s)) {
                    notOk.add(e.getKey() + "=" + s);
                }
            });
            String detail = "status=" + overall + (notOk.isEmpty() ? "" : " (" + String.join(", ", notOk) + ")")
                    + (gatewayState.isEmpty() ? "" : ", gateway_state=" + gatewayState);
            if (!gatewayState.isEmpty() && !"running".equals(gatewayState) && !"degraded".equals(gatewayState)) {
                return new HealthVerdict(RuntimeHealth.State.STARTING, detail); // starting, draining, stopped …
            }
            // Readiness follows the gateway check (docs/runtime-hermes-sse.md, "Health"); other degraded checks (disk,
            // model) are
            // reported but do not take the link down: runs still start and fail visibly.
            JsonNode gateway = checks.path("gateway").path("status");
            boolean ready = gateway.isTextual() ? "ok".equals(gateway.asText()) : "ok".equals(overall);
            return new HealthVerdict(ready ? RuntimeHealth.State.UP : RuntimeHealth.State.STARTING, detail);
        }
    }

    private static ThreadFactory daemon(String name) {
        var n = new AtomicInteger();
        return r -> {
            var t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
