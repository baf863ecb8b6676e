package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.api.retry.Backoff;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.bridge.runtime.openclaw.GatewayFrames.GatewayError;
import io.k8s4claw.bridge.runtime.openclaw.GatewayFrames.Inbound;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link to the OpenClaw gateway: one WebSocket at a time, the connect handshake and the scopes it must grant,
 * the tick watchdog, reconnecting (after {@code restartExpectedMs}, {@code retryAfterMs}, {@code authRetry}, or
 * {@link Backoff}), requests with their timeouts, and the health that follows from all that. What arrives for runs
 * goes to {@link Events}. Confined to the connector's event loop ({@code actor}), where its {@link GatewaySocket}
 * lives too: the socket's callbacks arrive on it.
 */
final class GatewayLink {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClawGatewayConnector.class);
    private static final Set<String> PAUSE_CODES = Set.of(
            "AUTH_TOKEN_MISSING",
            "AUTH_TOKEN_MISMATCH",
            "AUTH_RATE_LIMITED",
            "DEVICE_IDENTITY_REQUIRED",
            "PAIRING_REQUIRED",
            "AUTH_SCOPE_MISMATCH",
            "PROTOCOL_MISMATCH");

    /** What the link reports to the runs. Called on the connector thread. */
    interface Events {
        /** Connected and handshaken (again): open runs may have changed meanwhile. */
        void onReady();

        /** A {@code chat} event. */
        void onChat(Json payload);

        /** The event sequence jumped: events were lost. */
        void onEventsDropped();
    }

    private final OpenClawSettings settings;
    private final Clock clock;
    private final String clientVersion;
    private final EventLoop actor;
    private final Events events;
    private final Backoff.Attempts reconnectDelays;

    private Connection link;
    private long requestIds;
    private long connections;
    private boolean closed;
    private boolean everReady;
    private long tickIntervalMs = 30_000;
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> watchdogTask;
    private volatile RuntimeHealth health;

    GatewayLink(OpenClawSettings settings, Clock clock, String clientVersion, EventLoop actor, Events events) {
        this.settings = settings;
        this.clock = clock;
        this.clientVersion = clientVersion;
        this.actor = actor;
        this.events = events;
        this.reconnectDelays = new Backoff(settings.minBackoff(), settings.maxBackoff()).attempts();
        this.health = new RuntimeHealth(
                RuntimeHealth.State.STARTING, "not connected to the OpenClaw gateway yet", clock.instant());
    }

    /** Connects, and watches the connection from then on. */
    void start() {
        connect();
        watchdogTask = actor.scheduleWithFixedDelay(this::watchdog, 5, 5, TimeUnit.SECONDS);
    }

    /** Closes the connection for good. */
    void close() {
        closed = true;
        if (reconnectTask != null) {
            reconnectTask.cancel(false);
        }
        if (watchdogTask != null) {
            watchdogTask.cancel(false); // the loop may be the bridge's, which outlives this link
        }
        if (link != null) {
            link.ws.close(1000, "bridge shutting down");
        }
    }

    RuntimeHealth health() {
        return health;
    }

    private final class Connection implements GatewaySocket.Listener {
        GatewaySocket ws;
        final long number;
        boolean ready;
        long lastFrameNanos = System.nanoTime();
        long lastSeq = -1;
        long retryAfterMs = -1;
        long restartExpectedMs = -1;
        String refusal;
        String connectRequestId;
        final Map<String, Pending> pending = new HashMap<>();

        Connection(long number) {
            this.number = number;
        }

        @Override
        public void onOpen() {
            touch(this);
        }

        @Override
        public void onActivity() {
            touch(this);
        }

        @Override
        public void onText(String text) {
            onFrame(this, text);
        }

        @Override
        public void onClosed(int code, String reason) {
            GatewayLink.this.onClosed(this, code, reason);
        }
    }

    /** A request waiting for its response. */
    private record Pending(
            Consumer<Inbound.Response> onResponse, Consumer<DeliveryException> onFailure, ScheduledFuture<?> timeout) {}

    private void connect() {
        if (closed) {
            return;
        }
        link = new Connection(++connections);
        Connection l = link;
        // No extra headers: no Origin, nothing that looks forwarded (docs/runtime-openclaw.md, "Gateway facts").
        l.ws = GatewaySocket.connect(settings.url(), actor, settings.handshakeTimeout(), l);
        actor.schedule(
                () -> {
                    if (link == l && !l.ready && !closed) {
                        LOG.warn("openclaw: no hello-ok within {}; closing", settings.handshakeTimeout());
                        l.ws.close(4000, "connect timeout");
                    }
                },
                settings.handshakeTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void touch(Connection l) {
        l.lastFrameNanos = System.nanoTime();
    }

    private void watchdog() {
        Connection l = link;
        if (l == null || !l.ready) {
            return;
        }
        long silentMs = (System.nanoTime() - l.lastFrameNanos) / 1_000_000;
        if (silentMs > 2 * tickIntervalMs) {
            LOG.warn(
                    "openclaw: nothing from the gateway for {} ms (tick interval {} ms); reconnecting",
                    silentMs,
                    tickIntervalMs);
            l.ws.close(4000, "tick timeout");
        }
    }

    private void onFrame(Connection l, String text) {
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
                    LOG.info(
                            "openclaw: event seq jumped {} -> {}: events were dropped; reconciling open runs",
                            l.lastSeq,
                            ev.seq());
                    events.onEventsDropped();
                }
                l.lastSeq = Math.max(l.lastSeq, ev.seq());
            }
            switch (ev.event()) {
                case "connect.challenge" -> sendConnect(l);
                case "chat" -> events.onChat(ev.payload());
                case "shutdown" -> {
                    l.restartExpectedMs = ev.payload().path("restartExpectedMs").asLong(-1);
                    setHealth(
                            RuntimeHealth.State.STARTING,
                            "the OpenClaw gateway is shutting down ("
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

    private void sendConnect(Connection l) {
        if (l.connectRequestId != null) {
            return;
        }
        l.connectRequestId = "c-" + (++requestIds);
        Json params = Json.object()
                .put("minProtocol", OpenClawSettings.PROTOCOL)
                .put("maxProtocol", OpenClawSettings.PROTOCOL);
        params.putObject("client")
                .put("id", OpenClawSettings.CLIENT_ID)
                .put("displayName", "k8s4claw bridge")
                .put("version", clientVersion)
                .put("platform", "linux")
                .put("mode", OpenClawSettings.CLIENT_MODE)
                .put("instanceId", settings.instanceId());
        params.put("role", "operator");
        params.putArray("scopes").add("operator.read").add("operator.write");
        params.putArray("caps");
        params.putObject("auth").put("token", settings.token());
        params.put("userAgent", "k8s4claw-bridge/" + clientVersion);
        l.ws.send(GatewayFrames.request(l.connectRequestId, "connect", params));
    }

    private void onHello(Connection l, Inbound.Response res) {
        if (!res.ok()) {
            GatewayError e = res.error();
            if (e != null && "UNAVAILABLE".equals(e.code())) {
                l.retryAfterMs = Math.max(100, Math.min(2000, e.retryAfterMs() < 0 ? 500 : e.retryAfterMs()));
                setHealth(RuntimeHealth.State.STARTING, "the OpenClaw gateway is starting (" + e.detailsReason() + ")");
            } else {
                String code = e == null ? "" : e.detailsCode();
                l.refusal = "the OpenClaw gateway refused the connection: "
                        + (e == null ? "no error" : e.code() + " " + code + " " + e.message())
                        + (PAUSE_CODES.contains(code)
                                ? ": check CLAW_RUNTIME_TOKEN against the gateway's OPENCLAW_GATEWAY_TOKEN"
                                : "");
                setHealth(RuntimeHealth.State.DOWN, l.refusal);
                LOG.error("openclaw: {}", l.refusal);
            }
            return; // the gateway closes the socket next (1013 / 1008 / 1002)
        }
        Json payload = res.payload();
        List<String> scopes = new ArrayList<>();
        payload.path("auth").path("scopes").forEach(s -> scopes.add(s.asText()));
        // operator.write implies read (and admin implies everything: docs/runtime-openclaw.md, "Gateway facts"); an
        // empty list means the local-backend
        // path was not taken
        boolean canReadAndWrite = scopes.contains("operator.admin") || scopes.contains("operator.write");
        if (!canReadAndWrite) {
            l.refusal = "the OpenClaw gateway granted scopes " + scopes
                    + " without operator.read+operator.write: connect to "
                    + "the literal 127.0.0.1 address with no Origin or forwarding headers (the gateway grants them "
                    + "to a local backend only; see the bridge's docs/runtime-openclaw.md, Configuration)";
            LOG.error("openclaw: {}", l.refusal);
            setHealth(RuntimeHealth.State.DOWN, l.refusal);
            l.ws.close(1000, "insufficient scopes");
            return;
        }
        tickIntervalMs =
                Math.max(1000, payload.path("policy").path("tickIntervalMs").asLong(30_000));
        l.ready = true;
        everReady = true;
        reconnectDelays.reset();
        setHealth(
                RuntimeHealth.State.UP,
                "connected to OpenClaw "
                        + payload.path("server").path("version").asText("?") + " at " + settings.url() + " (scopes "
                        + scopes + ")");
        LOG.info(
                "openclaw: connected to gateway {} (connection {})",
                payload.path("server").path("version").asText("?"),
                l.number);
        events.onReady();
    }

    private void onClosed(Connection l, int code, String reason) {
        if (l != link) {
            return;
        }
        for (Pending p : l.pending.values()) {
            p.timeout().cancel(false);
            p.onFailure()
                    .accept(DeliveryException.retryable(
                            "link_lost",
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
            setHealth(
                    RuntimeHealth.State.DOWN,
                    (l.refusal != null ? l.refusal : "protocol mismatch (" + why + ")") + "; retrying in "
                            + delay.toSeconds() + " s");
        } else if (code == 1013) {
            delay = Duration.ofMillis(l.retryAfterMs > 0 ? l.retryAfterMs : 500);
            setHealth(
                    everReady ? RuntimeHealth.State.DOWN : RuntimeHealth.State.STARTING,
                    "the OpenClaw gateway is starting (" + why + ")");
        } else if (code == 1012 && l.restartExpectedMs > 0) {
            delay = Duration.ofMillis(l.restartExpectedMs);
            setHealth(RuntimeHealth.State.DOWN, "the OpenClaw gateway is restarting (" + why + ")");
        } else {
            delay = reconnectDelays.next();
            setHealth(
                    everReady ? RuntimeHealth.State.DOWN : RuntimeHealth.State.STARTING,
                    "not connected to the OpenClaw gateway at " + settings.url() + " (" + why + ")");
        }
        LOG.info("openclaw: connection {} closed ({}); reconnecting in {} ms", l.number, why, delay.toMillis());
        reconnectTask = actor.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isReady() {
        return link != null && link.ready && !closed;
    }

    DeliveryException notReady() {
        if (closed) {
            return DeliveryException.permanent("closed", "the openclaw-gateway connector is closed");
        }
        return DeliveryException.retryable(
                health.state() == RuntimeHealth.State.STARTING ? "starting" : "unreachable",
                "not connected to the OpenClaw gateway: " + health.detail());
    }

    void request(
            String method,
            Json params,
            Duration timeout,
            Consumer<Inbound.Response> onResponse,
            Consumer<DeliveryException> onFailure) {
        Connection l = link;
        String id = "r-" + (++requestIds);
        ScheduledFuture<?> t = actor.schedule(
                () -> {
                    Pending p = l.pending.remove(id);
                    if (p != null) {
                        p.onFailure()
                                .accept(DeliveryException.retryable(
                                        "timeout", method + " got no answer within " + timeout.toSeconds() + " s"));
                    }
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        l.pending.put(id, new Pending(onResponse, onFailure, t));
        try {
            l.ws.send(GatewayFrames.request(id, method, params));
        } catch (RuntimeException e) {
            l.pending.remove(id);
            t.cancel(false);
            onFailure.accept(DeliveryException.retryable(
                    "link_lost", "cannot write to the OpenClaw gateway: " + e.getMessage(), null, e));
        }
    }

    /** How a refused request reads as a delivery failure. */
    static DeliveryException mapError(String method, GatewayError e) {
        if (e == null) {
            return DeliveryException.retryable("protocol_error", method + " failed without an error object");
        }
        String text = method + " refused: " + e.code()
                + (e.detailsReason().isEmpty() ? "" : " (" + e.detailsReason() + ")") + ": " + e.message();
        Duration retryAfter = e.retryAfterMs() > 0 ? Duration.ofMillis(e.retryAfterMs()) : null;
        return switch (e.code()) {
            case "UNAVAILABLE" ->
                DeliveryException.retryable(
                        "draining".equals(e.detailsReason()) ? "draining" : "starting", text, retryAfter, null);
            case "FORBIDDEN", "NOT_PAIRED" -> DeliveryException.permanent("unauthorized", text);
            case "INVALID_REQUEST" ->
                "chat-request-conflict".equals(e.detailsReason())
                        ? DeliveryException.permanent("conflict", text)
                        : e.retryable()
                                ? DeliveryException.retryable("rejected", text, retryAfter, null)
                                : DeliveryException.permanent("bad_request", text);
            default ->
                e.retryable()
                        ? DeliveryException.retryable("rejected", text, retryAfter, null)
                        : DeliveryException.permanent("rejected", text);
        };
    }

    private void setHealth(RuntimeHealth.State state, String detail) {
        if (health.state() != state || !health.detail().equals(detail)) {
            health = new RuntimeHealth(state, detail, Instant.now(clock));
        }
    }
}
