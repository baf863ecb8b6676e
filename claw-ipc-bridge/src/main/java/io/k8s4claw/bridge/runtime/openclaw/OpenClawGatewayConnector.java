package io.k8s4claw.bridge.runtime.openclaw;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8s4claw.api.retry.Backoff;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.bridge.runtime.openclaw.GatewayFrames.GatewayError;
import io.k8s4claw.bridge.runtime.openclaw.GatewayFrames.Inbound;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * OpenClaw over its gateway protocol v4 (openclaw.md §0–§5, §9, §10).
 *
 * <p>One WebSocket to {@code ws://127.0.0.1:<port>/} as {@code gateway-client}/{@code backend} with the shared
 * token and no device block and no {@code Origin}/forwarding headers (the local-backend path, §1.3); the granted
 * scopes must include {@code operator.read} and {@code operator.write}. A message becomes
 * {@code chat.send {sessionKey, message, idempotencyKey, queueMode:"followup", timeoutMs}}: the idempotency key is
 * the bus-derived {@link InboundMessage#idempotencyKey()}, which the gateway uses as the {@code runId}; followup
 * queueing gives every message its own reply. The run's {@code chat} events are filtered by runId: {@code status}
 * → typing, {@code delta} → cumulative text ({@code message} wins over {@code deltaText}), then exactly one of
 * {@code final}/{@code aborted}/{@code error}. Unknown states (the extra {@code status} phases seen in §11) are
 * progress, never terminal.
 *
 * <p>Liveness: a watchdog closes with 4000 "tick timeout" after 2 × {@code tickIntervalMs} without any frame;
 * close 1012 (shutdown) reconnects after {@code restartExpectedMs}, 1013 after {@code retryAfterMs}, auth and
 * protocol refusals (1008/1002 with an auth code) pause for {@code authRetry} and report, anything else backs off
 * 1 s … 30 s with equal jitter ({@link Backoff}). After every reconnect the runs still open are reconciled with {@code chat.history}
 * (§5.6) — still running: keep waiting; answered: deliver the transcript's reply; never admitted or lost in a
 * crash: send again under the same key — instead of re-sending blindly.
 *
 * <p>Threading: all state lives on one connector thread; WebSocket callbacks hop onto it; sink callbacks run on it.
 */
public final class OpenClawGatewayConnector implements RuntimeConnector {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClawGatewayConnector.class);
    private static final Set<String> PAUSE_CODES = Set.of("AUTH_TOKEN_MISSING", "AUTH_TOKEN_MISMATCH", "AUTH_RATE_LIMITED",
            "DEVICE_IDENTITY_REQUIRED", "PAIRING_REQUIRED", "AUTH_SCOPE_MISMATCH", "PROTOCOL_MISMATCH");
    private static final Duration RECHECK = Duration.ofSeconds(15);
    private static final int HISTORY_LIMIT = 50;

    private final OpenClawSettings settings;
    private final Clock clock;
    private final String clientVersion;
    private final ScheduledExecutorService actor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "openclaw-connector");
        t.setDaemon(true);
        return t;
    });

    // --- connector-thread state
    private Link link;
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private long requestIds;
    private long connections;
    private final Backoff.Attempts reconnectDelays;
    private boolean started;
    private boolean closed;
    private boolean everReady;
    private long tickIntervalMs = 30_000;
    private ScheduledFuture<?> reconnectTask;
    private volatile RuntimeHealth health;

    public OpenClawGatewayConnector(OpenClawSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.reconnectDelays = new Backoff(settings.minBackoff(), settings.maxBackoff()).attempts();
        String v = OpenClawGatewayConnector.class.getPackage().getImplementationVersion();
        this.clientVersion = v == null ? "0.1.0" : v;
        this.health = new RuntimeHealth(RuntimeHealth.State.STARTING, "not connected to the OpenClaw gateway yet", clock.instant());
    }

    @Override
    public String protocol() {
        return "openclaw-gateway";
    }

    @Override
    public void start(OutboundRouter outbound) {
        // OpenClaw replies only to runs the bridge started (chat.send runs stay on the internal webchat route),
        // so there is no proactive path here: the router is not used.
        actor.execute(() -> {
            if (started || closed) {
                throw new IllegalStateException("openclaw-gateway connector already started or closed");
            }
            started = true;
            connect();
            actor.scheduleWithFixedDelay(this::watchdog, 5, 5, TimeUnit.SECONDS);
        });
    }

    @Override
    public CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink) {
        CompletableFuture<Accepted> accepted = new CompletableFuture<>();
        onActor(accepted, () -> send(new Run(message, sink, accepted)));
        return accepted;
    }

    @Override
    public CompletionStage<Accepted> resume(InboundMessage message, String runRef, ReplySink sink) {
        CompletableFuture<Accepted> accepted = new CompletableFuture<>();
        onActor(accepted, () -> {
            if (!isReady()) {
                accepted.completeExceptionally(notReady());
                return;
            }
            Run run = new Run(message, sink, accepted);
            if (!run.runId.equals(runRef)) {
                LOG.warn("openclaw: resume of {} with run reference {} that is not its idempotency key; using the key", run.runId, runRef);
            }
            Run previous = runs.put(run.runId, run);
            if (previous != null && previous != run) {
                previous.detached = true;
            }
            reconcile(run.sessionKey, List.of(run));
        });
        return accepted;
    }

    @Override
    public CompletionStage<Void> answerApproval(String runRef, String approvalId, String choice) {
        return CompletableFuture.failedFuture(DeliveryException.permanent("approval_unsupported",
                "the OpenClaw connector does not relay approvals; the agent asks in its reply text"));
    }

    @Override
    public RuntimeHealth health() {
        return health;
    }

    @Override
    public void close() {
        try {
            actor.submit(() -> {
                closed = true;
                if (reconnectTask != null) {
                    reconnectTask.cancel(false);
                }
                if (link != null) {
                    link.ws.close(1000, "bridge shutting down");
                }
                for (Run run : runs.values()) {
                    if (!run.accepted.isDone()) {
                        run.accepted.completeExceptionally(DeliveryException.retryable("closed", "the bridge is shutting down"));
                    }
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("openclaw: close: {}", e.toString());
        }
        actor.shutdownNow();
    }

    // ------------------------------------------------------------------ connection

    private final class Link {
        final GatewayWebSocket ws;
        final long number;
        boolean ready;
        long lastFrameNanos = System.nanoTime();
        long lastSeq = -1;
        long retryAfterMs = -1;
        long restartExpectedMs = -1;
        String refusal;
        String connectRequestId;
        final Map<String, Pending> pending = new HashMap<>();

        Link(long number) {
            this.number = number;
            this.ws = new GatewayWebSocket(this);
        }
    }

    /** A request waiting for its response. */
    private record Pending(Consumer<Inbound.Response> onResponse, Consumer<DeliveryException> onFailure, ScheduledFuture<?> timeout) {
    }

    private final class GatewayWebSocket extends WebSocketClient {
        private final Link owner;

        GatewayWebSocket(Link owner) {
            // No extra headers: Java-WebSocket sends no Origin, and nothing here adds forwarding headers (§1.3).
            super(settings.url());
            this.owner = owner;
            setConnectionLostTimeout(0); // liveness is the tick watchdog's job; pings from the server are answered
            setTcpNoDelay(true);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            actor.execute(() -> touch(owner));
        }

        @Override
        public void onMessage(String message) {
            actor.execute(() -> onFrame(owner, message));
        }

        @Override
        public void onWebsocketPing(org.java_websocket.WebSocket conn, Framedata f) {
            super.onWebsocketPing(conn, f);
            actor.execute(() -> touch(owner));
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            actor.execute(() -> onClosed(owner, code, reason));
        }

        @Override
        public void onError(Exception ex) {
            LOG.debug("openclaw: socket error: {}", ex.toString());
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        link = new Link(++connections);
        Link l = link;
        l.ws.connect();
        actor.schedule(() -> {
            if (link == l && !l.ready && !closed) {
                LOG.warn("openclaw: no hello-ok within {}; closing", settings.handshakeTimeout());
                l.ws.close(4000, "connect timeout");
            }
        }, settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void touch(Link l) {
        l.lastFrameNanos = System.nanoTime();
    }

    private void watchdog() {
        Link l = link;
        if (l == null || !l.ready) {
            return;
        }
        long silentMs = (System.nanoTime() - l.lastFrameNanos) / 1_000_000;
        if (silentMs > 2 * tickIntervalMs) {
            LOG.warn("openclaw: nothing from the gateway for {} ms (tick interval {} ms); reconnecting", silentMs, tickIntervalMs);
            l.ws.close(4000, "tick timeout");
        }
    }

    private void onFrame(Link l, String text) {
        if (l != link) {
            return;
        }
        touch(l);
        Inbound frame = GatewayFrames.parse(text);
        if (frame instanceof Inbound.Response res) {
            if (res.id().equals(l.connectRequestId)) {
                onHello(l, res);
                return;
            }
            Pending p = l.pending.remove(res.id());
            if (p != null) {
                p.timeout().cancel(false);
                p.onResponse().accept(res);
            }
        } else if (frame instanceof Inbound.Event ev) {
            if (ev.seq() >= 0) {
                if (l.lastSeq >= 0 && ev.seq() > l.lastSeq + 1 && l.ready) {
                    LOG.info("openclaw: event seq jumped {} -> {}: events were dropped; reconciling open runs", l.lastSeq, ev.seq());
                    reconcileAll();
                }
                l.lastSeq = Math.max(l.lastSeq, ev.seq());
            }
            switch (ev.event()) {
                case "connect.challenge" -> sendConnect(l);
                case "chat" -> onChat(ev.payload());
                case "shutdown" -> {
                    l.restartExpectedMs = ev.payload().path("restartExpectedMs").asLong(-1);
                    setHealth(RuntimeHealth.State.STARTING, "the OpenClaw gateway is shutting down ("
                            + ev.payload().path("reason").asText("no reason") + ")");
                }
                default -> {
                    // tick, health, presence, agent, sessions.*, ...: liveness only
                }
            }
        } else if (frame instanceof Inbound.Other other) {
            LOG.warn("openclaw: ignoring a frame: {}", other.why());
        }
    }

    private void sendConnect(Link l) {
        if (l.connectRequestId != null) {
            return;
        }
        l.connectRequestId = "c-" + (++requestIds);
        ObjectNode params = GatewayFrames.JSON.createObjectNode().put("minProtocol", OpenClawSettings.PROTOCOL)
                .put("maxProtocol", OpenClawSettings.PROTOCOL);
        params.putObject("client").put("id", OpenClawSettings.CLIENT_ID).put("displayName", "k8s4claw bridge")
                .put("version", clientVersion).put("platform", "linux").put("mode", OpenClawSettings.CLIENT_MODE)
                .put("instanceId", settings.instanceId());
        params.put("role", "operator");
        params.putArray("scopes").add("operator.read").add("operator.write");
        params.putArray("caps");
        params.putObject("auth").put("token", settings.token());
        params.put("userAgent", "k8s4claw-bridge/" + clientVersion);
        l.ws.send(GatewayFrames.request(l.connectRequestId, "connect", params));
    }

    private void onHello(Link l, Inbound.Response res) {
        if (!res.ok()) {
            GatewayError e = res.error();
            if (e != null && "UNAVAILABLE".equals(e.code())) {
                l.retryAfterMs = Math.max(100, Math.min(2000, e.retryAfterMs() < 0 ? 500 : e.retryAfterMs()));
                setHealth(RuntimeHealth.State.STARTING, "the OpenClaw gateway is starting (" + e.detailsReason() + ")");
            } else {
                String code = e == null ? "" : e.detailsCode();
                l.refusal = "the OpenClaw gateway refused the connection: " + (e == null ? "no error" : e.code() + " " + code + " " + e.message())
                        + (PAUSE_CODES.contains(code) ? ": check CLAW_RUNTIME_TOKEN against the gateway's OPENCLAW_GATEWAY_TOKEN" : "");
                setHealth(RuntimeHealth.State.DOWN, l.refusal);
                LOG.error("openclaw: {}", l.refusal);
            }
            return; // the gateway closes the socket next (1013 / 1008 / 1002)
        }
        JsonNode payload = res.payload();
        List<String> scopes = new ArrayList<>();
        payload.path("auth").path("scopes").forEach(s -> scopes.add(s.asText()));
        // operator.write implies read (and admin implies everything, §1.4); an empty list means the local-backend
        // path was not taken
        boolean canReadAndWrite = scopes.contains("operator.admin") || scopes.contains("operator.write");
        if (!canReadAndWrite) {
            l.refusal = "the OpenClaw gateway granted scopes " + scopes + " without operator.read+operator.write: connect to "
                    + "the literal 127.0.0.1 address with no Origin or forwarding headers (openclaw.md §1.3)";
            LOG.error("openclaw: {}", l.refusal);
            setHealth(RuntimeHealth.State.DOWN, l.refusal);
            l.ws.close(1000, "insufficient scopes");
            return;
        }
        tickIntervalMs = Math.max(1000, payload.path("policy").path("tickIntervalMs").asLong(30_000));
        l.ready = true;
        everReady = true;
        reconnectDelays.reset();
        setHealth(RuntimeHealth.State.UP, "connected to OpenClaw " + payload.path("server").path("version").asText("?")
                + " at " + settings.url() + " (scopes " + scopes + ")");
        LOG.info("openclaw: connected to gateway {} (connection {})", payload.path("server").path("version").asText("?"), l.number);
        reconcileAll();
    }

    private void onClosed(Link l, int code, String reason) {
        if (l != link) {
            return;
        }
        for (Pending p : l.pending.values()) {
            p.timeout().cancel(false);
            p.onFailure().accept(DeliveryException.retryable("link_lost",
                    "the connection to the OpenClaw gateway closed (" + code + ") before it answered"));
        }
        l.pending.clear();
        link = null;
        if (closed) {
            return;
        }
        Duration delay;
        String why = code + (reason == null || reason.isEmpty() ? "" : " " + reason);
        if (l.refusal != null || code == 1002) {
            delay = settings.authRetry();
            setHealth(RuntimeHealth.State.DOWN, (l.refusal != null ? l.refusal : "protocol mismatch (" + why + ")")
                    + "; retrying in " + delay.toSeconds() + " s");
        } else if (code == 1013) {
            delay = Duration.ofMillis(l.retryAfterMs > 0 ? l.retryAfterMs : 500);
            setHealth(everReady ? RuntimeHealth.State.DOWN : RuntimeHealth.State.STARTING, "the OpenClaw gateway is starting (" + why + ")");
        } else if (code == 1012 && l.restartExpectedMs > 0) {
            delay = Duration.ofMillis(l.restartExpectedMs);
            setHealth(RuntimeHealth.State.DOWN, "the OpenClaw gateway is restarting (" + why + ")");
        } else {
            delay = reconnectDelays.next();
            setHealth(everReady ? RuntimeHealth.State.DOWN : RuntimeHealth.State.STARTING,
                    "not connected to the OpenClaw gateway at " + settings.url() + " (" + why + ")");
        }
        LOG.info("openclaw: connection {} closed ({}); reconnecting in {} ms", l.number, why, delay.toMillis());
        reconnectTask = actor.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean isReady() {
        return link != null && link.ready && !closed;
    }

    private DeliveryException notReady() {
        if (closed) {
            return DeliveryException.permanent("closed", "the openclaw-gateway connector is closed");
        }
        return DeliveryException.retryable(health.state() == RuntimeHealth.State.STARTING ? "starting" : "unreachable",
                "not connected to the OpenClaw gateway: " + health.detail());
    }

    private void request(String method, ObjectNode params, Duration timeout, Consumer<Inbound.Response> onResponse,
                         Consumer<DeliveryException> onFailure) {
        Link l = link;
        String id = "r-" + (++requestIds);
        ScheduledFuture<?> t = actor.schedule(() -> {
            Pending p = l.pending.remove(id);
            if (p != null) {
                p.onFailure().accept(DeliveryException.retryable("timeout", method + " got no answer within " + timeout.toSeconds() + " s"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        l.pending.put(id, new Pending(onResponse, onFailure, t));
        try {
            l.ws.send(GatewayFrames.request(id, method, params));
        } catch (RuntimeException e) {
            l.pending.remove(id);
            t.cancel(false);
            onFailure.accept(DeliveryException.retryable("link_lost", "cannot write to the OpenClaw gateway: " + e.getMessage(), null, e));
        }
    }

    // ------------------------------------------------------------------ runs

    /** One message's run, keyed by runId (= idempotency key). */
    private static final class Run {
        final String runId;
        final String sessionKey;
        final InboundMessage message;
        final ReplySink sink;
        final CompletableFuture<Accepted> accepted;
        final List<JsonNode> early = new ArrayList<>();
        boolean attached;
        boolean detached;
        boolean terminal;
        boolean resending;
        /** Its input is in the transcript but its own run is gone (gateway crash): a resumed turn may answer for it. */
        boolean orphaned;
        int idleChecks;
        String text = "";

        Run(InboundMessage message, ReplySink sink, CompletableFuture<Accepted> accepted) {
            this.runId = message.idempotencyKey();
            this.sessionKey = OpenClawSessionKeys.forMessage(message);
            this.message = message;
            this.sink = sink;
            this.accepted = accepted;
        }
    }

    private ObjectNode chatSendParams(Run run) {
        return GatewayFrames.JSON.createObjectNode()
                .put("sessionKey", run.sessionKey)
                .put("message", OpenClawSessionKeys.attributedText(run.message))
                .put("idempotencyKey", run.runId)
                .put("queueMode", "followup")
                .put("timeoutMs", settings.turnTimeout().toMillis());
    }

    private void send(Run run) {
        if (!isReady()) {
            run.accepted.completeExceptionally(notReady());
            return;
        }
        Run previous = runs.put(run.runId, run);
        if (previous != null && previous != run) {
            previous.detached = true; // a re-delivery of the same message: the newest sink takes over
        }
        request("chat.send", chatSendParams(run), settings.requestTimeout(), res -> onChatSendAnswer(run, res), failure -> {
            forget(run);
            run.accepted.completeExceptionally(failure);
        });
    }

    private void onChatSendAnswer(Run run, Inbound.Response res) {
        if (!res.ok()) {
            forget(run);
            DeliveryException e = mapError("chat.send", res.error());
            if (run.resending && run.attached) {
                if (e.retryable()) {
                    run.resending = false; // try again at the next reconcile
                    actor.schedule(() -> reconcileLater(run), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                    runs.put(run.runId, run);
                } else {
                    terminal(run, () -> run.sink.onError("run_lost", "The agent lost this message; please send it again."));
                }
            } else {
                run.accepted.completeExceptionally(e);
            }
            return;
        }
        String status = res.payload().path("status").asText("");
        switch (status) {
            case "started", "in_flight" -> accept(run, !"started".equals(status) || run.resending);
            case "ok", "error", "timeout" -> {
                // the run already ended: the gateway answered from its dedupe cache; fetch the reply from the transcript
                accept(run, true);
                reconcile(run.sessionKey, List.of(run));
            }
            default -> {
                if (res.payload().has("aborted")) { // a stop command: no run of its own
                    accept(run, false);
                    terminal(run, () -> run.sink.onFinal(""));
                } else {
                    LOG.warn("openclaw: chat.send for {} answered with unknown status '{}'; waiting for its events", run.runId, status);
                    accept(run, false);
                }
            }
        }
        run.resending = false;
    }

    private void accept(Run run, boolean replayed) {
        if (run.attached) {
            return;
        }
        run.accepted.complete(new Accepted(run.runId, replayed));
        run.attached = true;
        run.sink.onStart();
        List<JsonNode> early = new ArrayList<>(run.early);
        run.early.clear();
        for (JsonNode payload : early) {
            applyChat(run, payload);
        }
    }

    private void onChat(JsonNode payload) {
        Run run = runs.get(payload.path("runId").asText(""));
        if (run == null) {
            run = orphanOf(payload.path("sessionKey").asText(""));
            String state = payload.path("state").asText("");
            if (run == null || !(state.equals("delta") || state.equals("status")
                    || state.equals("final") && payload.hasNonNull("message"))) {
                return; // another client's run, or nothing we can attribute
            }
            // After a crash the gateway resumes an interrupted turn under a new runId ("[System] Your previous turn
            // was interrupted…"): its reply answers our orphaned input.
            if (state.equals("final")) {
                LOG.info("openclaw: run {} answered by the gateway's resumed turn {}", run.runId, payload.path("runId").asText());
            }
        }
        if (run.detached) {
            return;
        }
        if (!run.attached) {
            run.early.add(payload); // events can overtake the chat.send answer (§2.3 rule 4)
            return;
        }
        applyChat(run, payload);
    }

    private Run orphanOf(String sessionKey) {
        for (Run r : runs.values()) {
            if (r.orphaned && !r.terminal && !r.detached && r.sessionKey.equalsIgnoreCase(sessionKey)) {
                return r;
            }
        }
        return null;
    }

    private void applyChat(Run run, JsonNode payload) {
        if (run.terminal) {
            return;
        }
        switch (payload.path("state").asText("")) {
            case "status" -> run.sink.onTyping();
            case "delta" -> {
                String before = run.text;
                String fromMessage = GatewayFrames.messageText(payload.get("message"));
                if (fromMessage != null) {
                    run.text = fromMessage;
                } else if (payload.path("replace").asBoolean(false)) {
                    run.text = payload.path("deltaText").asText("");
                } else {
                    run.text = run.text + payload.path("deltaText").asText("");
                }
                if (!run.text.equals(before)) {
                    run.sink.onDelta(run.text);
                }
            }
            case "final" -> {
                String text = GatewayFrames.messageText(payload.get("message"));
                terminal(run, () -> run.sink.onFinal(text == null ? "" : text));
            }
            case "aborted" -> terminal(run, () -> run.sink.onError("run_cancelled",
                    "The agent stopped before finishing its reply."));
            case "error" -> {
                String kind = payload.path("errorKind").asText("");
                terminal(run, () -> run.sink.onError("run_failed", "The agent could not answer"
                        + (kind.isEmpty() || kind.equals("unknown") ? "." : " (" + kind.replace('_', ' ') + ").")));
            }
            default -> {
                // unknown states are progress, never terminal
            }
        }
    }

    private void terminal(Run run, Runnable emit) {
        run.terminal = true;
        forget(run);
        emit.run();
    }

    private void forget(Run run) {
        runs.remove(run.runId, run);
    }

    // ------------------------------------------------------------------ recovery (§5.6)

    private void reconcileAll() {
        Map<String, List<Run>> bySession = new LinkedHashMap<>();
        for (Run run : runs.values()) {
            if (run.attached && !run.terminal && !run.detached && !run.resending) {
                bySession.computeIfAbsent(run.sessionKey, k -> new ArrayList<>()).add(run);
            }
        }
        bySession.forEach(this::reconcile);
    }

    private void reconcileLater(Run run) {
        if (!run.terminal && !run.detached && runs.get(run.runId) == run && isReady()) {
            reconcile(run.sessionKey, List.of(run));
        }
    }

    /** Runs that may have ended or died while we were not listening: ask the transcript what became of them. */
    private void reconcile(String sessionKey, List<Run> open) {
        if (!isReady()) {
            return;
        }
        for (int i = 0; i < open.size(); i += 50) {
            List<Run> batch = open.subList(i, Math.min(open.size(), i + 50));
            ObjectNode params = GatewayFrames.JSON.createObjectNode().put("sessionKey", sessionKey).put("limit", HISTORY_LIMIT);
            ArrayNode ids = params.putArray("inputRunIds");
            batch.forEach(r -> ids.add(r.runId));
            List<Run> runsOfBatch = List.copyOf(batch);
            request("chat.history", params, settings.requestTimeout(), res -> onHistory(runsOfBatch, res), failure -> {
                LOG.info("openclaw: chat.history for {} failed ({}); will retry", sessionKey, failure.getMessage());
                for (Run r : runsOfBatch) {
                    if (!r.attached) {
                        r.accepted.completeExceptionally(failure);
                        forget(r);
                    }
                }
            });
        }
    }

    private void onHistory(List<Run> batch, Inbound.Response res) {
        if (!res.ok()) {
            DeliveryException e = mapError("chat.history", res.error());
            for (Run r : batch) {
                if (!r.attached) {
                    forget(r);
                    r.accepted.completeExceptionally(e);
                } else {
                    actor.schedule(() -> reconcileLater(r), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            return;
        }
        JsonNode p = res.payload();
        JsonNode messages = p.path("messages");
        String inFlight = p.path("inFlightRun").path("runId").asText("");
        Map<String, String> receipts = new HashMap<>();
        p.path("inputReceipts").forEach(r -> receipts.put(r.path("runId").asText(""), r.path("state").asText("")));
        boolean sessionBusy = p.path("sessionInfo").path("hasActiveRun").asBoolean(false);
        for (Run run : batch) {
            if (run.terminal || run.detached || runs.get(run.runId) != run) {
                continue;
            }
            if (run.runId.equals(inFlight)) {
                accept(run, true);
                String text = p.path("inFlightRun").path("text").asText("");
                if (!text.isEmpty() && !text.equals(run.text)) {
                    run.text = text;
                    run.sink.onDelta(text);
                }
                continue; // still running: its chat events continue on this connection
            }
            Outcome outcome = outcomeOf(run.runId, messages);
            if (outcome.replied()) {
                LOG.info("openclaw: run {} was answered while we were away; delivering the transcript's reply", run.runId);
                accept(run, true);
                terminal(run, () -> run.sink.onFinal(outcome.text()));
            } else if ("pending".equals(receipts.get(run.runId))) {
                // admitted and queued behind another turn (followup): its events will come
                accept(run, true);
                actor.schedule(() -> reconcileLater(run), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
            } else if (outcome.userRowSeen() && (sessionBusy || run.idleChecks < 2)) {
                // Its input is in the transcript but no run of ours is active and no reply was written: the gateway
                // went down mid-turn. It resumes such turns itself on restart; follow that turn rather than sending
                // the message again (a re-send would be folded into the resumed turn and come back empty).
                accept(run, true);
                run.orphaned = true;
                run.idleChecks = sessionBusy ? 0 : run.idleChecks + 1;
                actor.schedule(() -> reconcileLater(run), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                // never admitted, or lost and not resumed: send it again under the same key; the gateway's dedupe
                // (in memory, 5 min) absorbs it if the run does exist after all
                LOG.info("openclaw: run {} is neither running nor answered in {}; sending it again under the same key",
                        run.runId, run.sessionKey);
                run.orphaned = false;
                run.resending = true;
                request("chat.send", chatSendParams(run), settings.requestTimeout(), r -> onChatSendAnswer(run, r), failure -> {
                    run.resending = false;
                    if (!run.attached) {
                        forget(run);
                        run.accepted.completeExceptionally(failure);
                    } else {
                        actor.schedule(() -> reconcileLater(run), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                    }
                });
            }
        }
    }

    /** What the transcript says about the turn of {@code runId}. */
    record Outcome(boolean userRowSeen, boolean replied, String text) {
    }

    /**
     * Finds the user row of {@code runId} (its {@code idempotencyKey} is {@code <runId>:user}, as 2026.9.6 records it)
     * and the assistant rows after it up to the next user input. A {@code [System]} user row (the gateway's "your
     * previous turn was interrupted by a restart" resume prompt) continues the turn; {@code :terminal-error} rows are
     * not replies. An assistant row tagged with the runId counts too. The reply is the last assistant row with text.
     */
    static Outcome outcomeOf(String runId, JsonNode messages) {
        boolean userSeen = false;
        boolean inTurn = false;
        String reply = null;
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            String key = m.path("idempotencyKey").asText(m.path("__openclaw").path("idempotencyKey").asText(""));
            String taggedRun = m.path("__openclaw").path("runId").asText("");
            String text = GatewayFrames.messageText(m);
            if ("user".equals(role)) {
                boolean ours = key.equals(runId + ":user") || key.equals(runId);
                boolean resumePrompt = text != null && text.startsWith("[System]");
                inTurn = ours || (inTurn && resumePrompt);
                userSeen |= ours;
            } else if ("assistant".equals(role) && (inTurn || runId.equals(taggedRun)) && !key.endsWith(":terminal-error")) {
                if (text != null && !text.isEmpty()) {
                    reply = text;
                }
            }
        }
        return new Outcome(userSeen, reply != null, reply == null ? "" : reply);
    }

    // ------------------------------------------------------------------ helpers

    private DeliveryException mapError(String method, GatewayError e) {
        if (e == null) {
            return DeliveryException.retryable("protocol_error", method + " failed without an error object");
        }
        String text = method + " refused: " + e.code() + (e.detailsReason().isEmpty() ? "" : " (" + e.detailsReason() + ")")
                + ": " + e.message();
        Duration retryAfter = e.retryAfterMs() > 0 ? Duration.ofMillis(e.retryAfterMs()) : null;
        return switch (e.code()) {
            case "UNAVAILABLE" -> DeliveryException.retryable("draining".equals(e.detailsReason()) ? "draining" : "starting",
                    text, retryAfter, null);
            case "FORBIDDEN", "NOT_PAIRED" -> DeliveryException.permanent("unauthorized", text);
            case "INVALID_REQUEST" -> "chat-request-conflict".equals(e.detailsReason())
                    ? DeliveryException.permanent("conflict", text)
                    : e.retryable() ? DeliveryException.retryable("rejected", text, retryAfter, null)
                    : DeliveryException.permanent("bad_request", text);
            default -> e.retryable() ? DeliveryException.retryable("rejected", text, retryAfter, null)
                    : DeliveryException.permanent("rejected", text);
        };
    }

    private void setHealth(RuntimeHealth.State state, String detail) {
        if (health.state() != state || !health.detail().equals(detail)) {
            health = new RuntimeHealth(state, detail, Instant.now(clock));
        }
    }

    private void onActor(CompletableFuture<?> result, Runnable task) {
        try {
            actor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("openclaw: internal error", e);
                    result.completeExceptionally(DeliveryException.retryable("protocol_error", "internal error: " + e, null, e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(DeliveryException.permanent("closed", "the openclaw-gateway connector is closed"));
        }
    }
}
