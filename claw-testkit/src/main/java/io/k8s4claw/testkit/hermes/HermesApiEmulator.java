package io.k8s4claw.testkit.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An emulator of the Hermes Agent API server's runs surface, as docs/hermes-api-emulator.md describes it:
 * {@code POST /v1/runs} (bearer auth, draining 503, session-key header checks, JSON and input validation,
 * {@code Idempotency-Key} replay/409 that bypasses the cap, concurrency cap 429 with {@code Retry-After: 1}),
 * {@code GET /v1/runs/{id}}, {@code GET /v1/runs/{id}/events} in both SSE {@link Dialect dialects},
 * {@code /stop}, {@code /approval}, {@code /health}, {@code /v1/health}, {@code /health/detailed}, session id
 * rotation (compression tips) and the {@code Origin} → 403 middleware. Responses are serialised like Python's
 * {@code json.dumps} (ASCII-escaped, {@code ", "} separators) with Hermes's security headers.
 *
 * <p>Scriptable: what each run does ({@link #script}), draining, readiness, keepalives on/off, dropping event
 * streams, {@link #down()}/{@link #up()} (stop/start listening, process state kept) and {@link #crash()} /
 * {@link #restart()} (the process dies: in-flight runs become {@code interrupted}, event journals and
 * non-idempotent runs are lost; idempotency records, idempotent runs' statuses and sessions survive as they do
 * in Hermes's state database).
 *
 * <p>Also the other two SSE dialects Hermes serves (docs/hermes-api-emulator.md) over the same scripted runs: the
 * session chat stream ({@code POST /api/sessions}, {@code /api/sessions/{id}/chat/stream}) and chat completions
 * streaming ({@code POST /v1/chat/completions}). Not emulated: steer, capabilities, the Responses API, ownership by
 * multiple API keys, the runs API's same-session turn lease.
 */
public final class HermesApiEmulator implements AutoCloseable {

    static {
        // aiohttp (Hermes) sets TCP_NODELAY; without it the JDK server's small SSE writes meet delayed ACKs (≈40 ms
        // stalls). Read once by the JDK when its first HttpServer is created, hence set before any is.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAST_EVENT_ID = Pattern.compile("0|[1-9][0-9]{0,19}");
    private static final Set<String> CHOICES = Set.of("once", "session", "always", "deny");
    private static final Map<String, String> CHOICE_ALIASES =
            Map.of("approve", "once", "approved", "once", "allow", "once");
    /**
     * What {@code /health} reports: the newest build's line, or the PyPI release the older dialect is checked against.
     */
    private static final String NEWEST_VERSION = "0.18.2";

    private static final String OLDER_VERSION = "0.19.0";

    private final byte[] apiKey;
    private final Dialect dialect;
    private final int maxConcurrentRuns;
    private final Duration eventRetention;
    private final int compressAfterTurns;
    private final InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private final ExecutorService httpThreads = Executors.newCachedThreadPool(daemon("hermes-emu-http"));
    private final ExecutorService runThreads = Executors.newCachedThreadPool(daemon("hermes-emu-run"));
    private final SecureRandom random = new SecureRandom();

    private volatile Duration keepaliveInterval;
    private volatile Function<RunRequest, List<Step>> script;
    private volatile boolean draining;
    private volatile boolean keepalivesSuppressed;
    private volatile String readiness = "ok";
    private volatile HttpServer server;
    private volatile int port;

    // "durable" state (Hermes's state.db): survives crash()
    private final Map<String, IdempotencyRecord> idempotency = new ConcurrentHashMap<>();
    private final Map<String, Session> sessionsById = new ConcurrentHashMap<>();
    private final Map<String, Session> sessionsByKey = new ConcurrentHashMap<>();
    // runs: idempotent ones survive a crash (status only), the others are forgotten
    private final Map<String, EmulatedRun> runs = new ConcurrentHashMap<>();

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger subscriptions = new AtomicInteger();

    private record IdempotencyRecord(JsonNode fingerprint, String runId) {}

    private static final class Session {
        final String root;
        String tip;
        int turns;
        int rotations;
        /** The session chat stream's active-run slot. */
        String activeStreamRun;

        Session(String root) {
            this.root = root;
            this.tip = root;
        }
    }

    private static final class Subscriber {
        final EmulatedRun run;
        boolean dropped; // guarded by run

        Subscriber(EmulatedRun run) {
            this.run = run;
        }
    }

    private HermesApiEmulator(Builder b) {
        this.apiKey = b.apiKey.getBytes(StandardCharsets.UTF_8);
        this.dialect = b.dialect;
        this.keepaliveInterval = b.keepaliveInterval != null
                ? b.keepaliveInterval
                : Duration.ofSeconds(b.dialect == Dialect.NEWEST ? 10 : 30);
        this.maxConcurrentRuns = b.maxConcurrentRuns;
        this.eventRetention = b.eventRetention;
        this.compressAfterTurns = b.compressAfterTurns;
        this.script = b.script;
        this.port = b.port;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #start()} binds 127.0.0.1 (an ephemeral port unless {@link #port(int)} is given). */
    public static final class Builder {
        private String apiKey = "0123456789abcdef0123456789abcdef";
        private Dialect dialect = Dialect.NEWEST;
        private Duration keepaliveInterval;
        private int maxConcurrentRuns = 10;
        private Duration eventRetention = Duration.ofSeconds(300);
        private int compressAfterTurns;
        private int port;
        private Function<RunRequest, List<Step>> script = HermesApiEmulator::echo;

        /** API_SERVER_KEY; Hermes refuses keys shorter than 16 characters, and so does this. */
        public Builder apiKey(String key) {
            if (key == null || key.length() < 16) {
                throw new IllegalArgumentException(
                        "API_SERVER_KEY must have at least 16 characters (Hermes refuses to start otherwise)");
            }
            this.apiKey = key;
            return this;
        }

        public Builder dialect(Dialect d) {
            this.dialect = Objects.requireNonNull(d);
            return this;
        }

        /** Default: 10 s (NEWEST) / 30 s (OLDER), as in Hermes. */
        public Builder keepaliveInterval(Duration d) {
            this.keepaliveInterval = d;
            return this;
        }

        /** {@code gateway.api_server.max_concurrent_runs}; 0 = unlimited. */
        public Builder maxConcurrentRuns(int n) {
            this.maxConcurrentRuns = Math.max(0, n);
            return this;
        }

        /** How long an event journal outlives its run (300 s in Hermes). */
        public Builder eventRetention(Duration d) {
            this.eventRetention = d;
            return this;
        }

        /** Rotate a session's id (context compression) after every n completed turns; 0 = never. */
        public Builder compressAfterTurns(int n) {
            this.compressAfterTurns = n;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder script(Function<RunRequest, List<Step>> script) {
            this.script = Objects.requireNonNull(script);
            return this;
        }

        public HermesApiEmulator start() {
            var emu = new HermesApiEmulator(this);
            emu.up();
            return emu;
        }
    }

    /** The default script: streams {@code "echo: "} then the input, completes with both. */
    public static List<Step> echo(RunRequest r) {
        return List.of(new Step.Delta("echo: "), new Step.Delta(r.input()), new Step.Complete(null));
    }

    // ------------------------------------------------------------------ control surface

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public void script(Function<RunRequest, List<Step>> script) {
        this.script = Objects.requireNonNull(script);
    }

    /** Shutdown/restart in progress: agent-starting routes answer 503 {@code gateway_draining}. */
    public void draining(boolean on) {
        this.draining = on;
    }

    /** Keepalive comments stop (the stream stays open but silent) — a hung proxy or server. */
    public void keepalivesSuppressed(boolean on) {
        this.keepalivesSuppressed = on;
    }

    public void keepaliveInterval(Duration d) {
        this.keepaliveInterval = d;
    }

    /** The overall readiness reported by {@code /health/detailed}: {@code ok} or {@code degraded}. */
    public void readiness(String status) {
        this.readiness = status;
    }

    /** Starts listening (again) on the same port. */
    public synchronized void up() {
        if (server != null) {
            return;
        }
        try {
            var s = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
            s.createContext("/", this::handle);
            s.setExecutor(httpThreads);
            s.start();
            port = s.getAddress().getPort();
            server = s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** Stops listening (connection refused) and cuts every open event stream. Process state is kept. */
    public synchronized void down() {
        var s = server;
        server = null;
        dropEventStreams();
        if (s != null) {
            s.stop(0);
        }
    }

    /**
     * The process dies: stops listening; active runs end as {@code interrupted} (idempotent ones keep that status
     * durably, others are forgotten); every event journal is lost; draining is cleared. Call {@link #up()} to
     * start the "new process".
     */
    public synchronized void crash() {
        down();
        draining = false;
        for (var it = runs.values().iterator(); it.hasNext(); ) {
            var run = it.next();
            synchronized (run) {
                run.journal = null;
                if (run.worker != null) {
                    run.worker.interrupt();
                    run.worker = null;
                }
                run.live = false;
                if (run.active()) {
                    run.status = "interrupted";
                    run.error = "Gateway shutdown interrupted the run.";
                    run.lastEvent = "run.interrupted";
                    run.updatedAt = now();
                }
                run.notifyAll();
                if (run.idempotencyKey == null) {
                    it.remove();
                }
            }
        }
    }

    /**
     * SIGTERM as hermes-agent 0.19.0 answers it (seen against the real one): it drains (new runs get 503), cancels
     * every run still active ({@code run.cancelled} on its stream, status {@code cancelled}) and exits; the new
     * process knows none of those runs. Call {@link #up()} to start it again.
     */
    public void sigterm() throws InterruptedException {
        draining(true);
        List<EmulatedRun> active = new ArrayList<>();
        for (var run : runs.values()) {
            synchronized (run) {
                if (run.live && !run.terminal()) {
                    run.stopRequested = true;
                    run.status = "stopping";
                    run.updatedAt = now();
                    if (run.worker != null) {
                        run.worker.interrupt();
                    }
                    active.add(run);
                }
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (var run : active) {
            synchronized (run) {
                while (!run.terminal() && System.nanoTime() < deadline) {
                    run.wait(50);
                }
            }
        }
        // the streams write their run.cancelled before the process goes
        while (subscribers.stream().anyMatch(sub -> active.contains(sub.run)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        crash();
    }

    /** {@link #crash()} then {@link #up()}. */
    public void restart() {
        crash();
        up();
    }

    /** Ends every open event stream abruptly (no {@code : stream closed}), as a proxy or network cut would. */
    public void dropEventStreams() {
        for (var sub : subscribers) {
            synchronized (sub.run) {
                sub.dropped = true;
                sub.run.notifyAll();
            }
        }
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Runs admitted (new runs, not replays), over the emulator's whole life. */
    public int admittedRuns() {
        return admitted.get();
    }

    /** Event streams opened with status 200. */
    public int eventSubscriptions() {
        return subscriptions.get();
    }

    /** The run's status object as {@code GET /v1/runs/{id}} would answer, if the run is known. */
    public Optional<Map<String, Object>> runStatus(String runId) {
        var run = runs.get(runId);
        if (run == null) {
            return Optional.empty();
        }
        synchronized (run) {
            return Optional.of(run.statusObject(dialect));
        }
    }

    /** The live session id (compression tip) that {@code sessionId} resolves to, if the session exists. */
    public Optional<String> sessionTip(String sessionId) {
        var s = sessionsById.get(sessionId);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return Optional.of(s.tip);
        }
    }

    @Override
    public void close() {
        crash();
        httpThreads.shutdownNow();
        runThreads.shutdownNow();
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange ex) throws IOException {
        var ctx = new Ctx(ex);
        try {
            ctx.body = ex.getRequestBody().readAllBytes();
            route(ctx);
        } catch (IOException e) {
            // client went away
        } catch (RuntimeException e) {
            if (!ctx.responded) {
                ctx.json(500, error("Internal server error", "server_error", null), Map.of());
            }
        } finally {
            ex.close();
        }
    }

    private void route(Ctx c) throws IOException {
        String method = c.ex.getRequestMethod();
        String path = c.ex.getRequestURI().getPath();
        if (c.header("origin") != null) {
            c.empty(403); // no API_SERVER_CORS_ORIGINS configured: every browser origin is refused
            return;
        }
        if (method.equals("GET") && (path.equals("/health") || path.equals("/v1/health"))) {
            c.json(200, map("status", "ok", "platform", "hermes-agent", "version", version()), Map.of());
            return;
        }
        if (!authorized(c)) {
            if (dialect == Dialect.NEWEST) {
                c.json(
                        401,
                        map(
                                "error",
                                map(
                                        "message",
                                        "Invalid gateway API key (API_SERVER_KEY)",
                                        "type",
                                        "gateway_auth_error",
                                        "code",
                                        "gateway_auth_failed")),
                        Map.of());
            } else { // as the real hermes-agent 0.19.0 answers
                c.json(
                        401,
                        map(
                                "error",
                                map(
                                        "message",
                                        "Invalid API key",
                                        "type",
                                        "invalid_request_error",
                                        "code",
                                        "invalid_api_key")),
                        Map.of());
            }
            return;
        }
        String[] parts = path.split("/");
        if (method.equals("GET") && path.equals("/health/detailed")) {
            healthDetailed(c);
        } else if (method.equals("POST") && path.equals("/v1/runs")) {
            postRun(c);
        } else if (method.equals("POST") && path.equals("/v1/chat/completions")) {
            chatCompletions(c);
        } else if (method.equals("POST") && path.equals("/api/sessions")) {
            createSession(c);
        } else if (method.equals("POST")
                && parts.length == 6
                && parts[1].equals("api")
                && parts[2].equals("sessions")
                && parts[4].equals("chat")
                && parts[5].equals("stream")) {
            sessionChatStream(c, parts[3]);
        } else if (parts.length == 4 && parts[1].equals("v1") && parts[2].equals("runs") && method.equals("GET")) {
            getRun(c, parts[3]);
        } else if (parts.length == 5 && parts[1].equals("v1") && parts[2].equals("runs")) {
            switch (method + " " + parts[4]) {
                case "GET events" -> events(c, parts[3]);
                case "POST stop" -> stop(c, parts[3]);
                case "POST approval" -> approval(c, parts[3]);
                default -> c.text(404, "404: Not Found");
            }
        } else {
            c.text(404, "404: Not Found");
        }
    }

    private boolean authorized(Ctx c) {
        String h = c.header("authorization");
        if (h == null || !h.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(h.substring(7).trim().getBytes(StandardCharsets.UTF_8), apiKey);
    }

    private void healthDetailed(Ctx c) throws IOException {
        String r = readiness;
        var checks = new LinkedHashMap<String, Object>();
        checks.put("state_db", map("status", "ok", "backend", "sqlite"));
        checks.put("config", map("status", "ok"));
        checks.put("model", map("status", r));
        checks.put("disk", map("status", "ok", "used_percent", 41.2, "free_bytes", 52345678901L));
        checks.put(
                "gateway",
                map(
                        "status",
                        "ok",
                        "state",
                        draining ? "draining" : "running",
                        "connected_platforms",
                        1,
                        "platforms",
                        1));
        checks.put(
                "background_queues",
                map(
                        "status",
                        "ok",
                        "active_api_runs",
                        activeRuns(),
                        "process_completions",
                        0,
                        "active_delegations",
                        0));
        var body = new LinkedHashMap<String, Object>();
        body.put("status", r);
        body.put("readiness", map("status", r, "checks", checks));
        body.put("platform", "hermes-agent");
        body.put("version", version());
        body.put("gateway_state", draining ? "draining" : "running");
        body.put("platforms", map("api_server", map("state", "connected")));
        body.put("active_agents", activeRuns());
        body.put("gateway_busy", activeRuns() > 0);
        body.put("gateway_drainable", true);
        body.put("exit_reason", null);
        body.put("pid", 42);
        c.json(200, body, Map.of());
    }

    private void postRun(Ctx c) throws IOException {
        if (draining) {
            c.json(
                    503,
                    error("Gateway is draining; retry after it restarts", "server_error", "gateway_draining"),
                    Map.of("Retry-After", "1"));
            return;
        }
        String sessionKey = c.header("x-hermes-session-key");
        Map<String, String> echo = sessionKey != null ? Map.of("X-Hermes-Session-Key", sessionKey) : Map.of();
        if (sessionKey != null) {
            if (sessionKey.indexOf('\r') >= 0 || sessionKey.indexOf('\n') >= 0 || sessionKey.indexOf('\0') >= 0) {
                c.json(
                        400,
                        map("error", map("message", "Invalid session key", "type", "invalid_request_error")),
                        Map.of());
                return;
            }
            if (sessionKey.length() > 256) {
                c.json(
                        400,
                        map("error", map("message", "Session key too long", "type", "invalid_request_error")),
                        Map.of());
                return;
            }
        }
        JsonNode body;
        try {
            body = JSON.readTree(c.body);
            if (body == null || !body.isObject()) {
                throw new IOException("not an object");
            }
        } catch (IOException e) {
            c.json(400, error("Invalid JSON", "invalid_request_error", null), Map.of());
            return;
        }
        // hermes-agent 0.19.0 (the older dialect) ignores Idempotency-Key on /v1/runs: every POST is a new run.
        String idemKey = dialect == Dialect.NEWEST ? c.header("idempotency-key") : null;
        if (idemKey != null && !validIdempotencyKey(idemKey)) {
            c.json(
                    400,
                    error(
                            "Idempotency-Key must be 1-255 visible ASCII characters",
                            "invalid_request_error",
                            "invalid_idempotency_key"),
                    Map.of());
            return;
        }
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            c.json(400, error("Missing 'input' field", "invalid_request_error", null), Map.of());
            return;
        }
        String text = userMessage(input);
        if (text == null || text.isBlank()) {
            c.json(400, error("No user message found in input", "invalid_request_error", null), Map.of());
            return;
        }
        JsonNode history = body.get("conversation_history");
        if (history != null && !history.isNull()) {
            boolean ok = history.isArray();
            for (JsonNode h : history) {
                ok &= h.isObject() && h.has("role") && h.has("content");
            }
            if (!ok) {
                c.json(
                        400,
                        error(
                                "conversation_history items must have 'role' and 'content'",
                                "invalid_request_error",
                                null),
                        Map.of());
                return;
            }
        }
        var fingerprint = JSON.createObjectNode();
        fingerprint.set("body", body);
        fingerprint.set("gateway_session_key", sessionKey == null ? null : TextNode.valueOf(sessionKey));

        EmulatedRun run;
        synchronized (this) {
            if (idemKey != null) {
                var rec = idempotency.get(idemKey);
                if (rec != null) {
                    if (!rec.fingerprint().equals(fingerprint)) {
                        c.json(
                                409,
                                error(
                                        "Idempotency-Key was already used with a different request payload",
                                        "invalid_request_error",
                                        "idempotency_key_conflict"),
                                Map.of());
                        return;
                    }
                    var original = runs.get(rec.runId());
                    String status;
                    synchronized (original) {
                        status = original.status;
                    }
                    var headers = new LinkedHashMap<>(echo);
                    headers.put("Idempotency-Replayed", "true");
                    c.json(202, map("run_id", rec.runId(), "status", status, "replayed", true), headers);
                    return;
                }
            }
            int active = activeRuns();
            if (maxConcurrentRuns > 0 && active >= maxConcurrentRuns) {
                c.json(
                        429,
                        error(
                                "Too many concurrent runs (max " + maxConcurrentRuns + ")",
                                "rate_limit_error",
                                "rate_limit_exceeded"),
                        Map.of("Retry-After", "1"));
                return;
            }
            String runId = newRunId();
            JsonNode sid = body.get("session_id");
            Session session;
            if (sid != null && sid.isTextual() && !sid.asText().isEmpty()) {
                session = sessionsById.computeIfAbsent(sid.asText(), Session::new);
            } else if (sessionKey != null) {
                session = sessionsByKey.computeIfAbsent(sessionKey, k -> new Session(runId));
            } else {
                session = new Session(runId);
            }
            if (sessionKey != null) {
                sessionsByKey.putIfAbsent(sessionKey, session);
            }
            run = admit(runId, session, text, sessionKey, idemKey, fingerprint);
        }
        c.json(
                202,
                dialect == Dialect.NEWEST
                        ? map("run_id", run.runId, "status", "started", "replayed", false)
                        : map("run_id", run.runId, "status", "started"),
                echo);
    }

    private String version() {
        return dialect == Dialect.NEWEST ? NEWEST_VERSION : OLDER_VERSION;
    }

    private String newRunId() {
        return "run_" + HexFormat.of().formatHex(randomBytes(16));
    }

    /** Creates and starts a run (caller holds this emulator's monitor and has done every check). */
    private EmulatedRun admit(
            String runId, Session session, String text, String sessionKey, String idemKey, JsonNode fingerprint) {
        sessionsById.putIfAbsent(session.root, session);
        String tip;
        int turns;
        synchronized (session) {
            tip = session.tip;
            turns = session.turns;
        }
        var run = new EmulatedRun(runId, tip, idemKey, now());
        run.input = text;
        runs.put(runId, run);
        if (idemKey != null) {
            idempotency.put(idemKey, new IdempotencyRecord(fingerprint, runId));
        }
        admitted.incrementAndGet();
        var request = new RunRequest(runId, text, tip, sessionKey, turns, idemKey);
        var steps = script.apply(request);
        run.live = true;
        runThreads.execute(() -> execute(run, session, request, steps));
        return run;
    }

    private boolean atCap() {
        return maxConcurrentRuns > 0 && activeRuns() >= maxConcurrentRuns;
    }

    private static boolean validIdempotencyKey(String k) {
        if (k.isEmpty() || k.length() > 255) {
            return false;
        }
        for (int i = 0; i < k.length(); i++) {
            char ch = k.charAt(i);
            if (ch < 0x21 || ch > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String userMessage(JsonNode input) {
        if (input.isTextual()) {
            return input.asText();
        }
        if (input.isArray() && input.size() > 0) {
            JsonNode last = input.get(input.size() - 1);
            JsonNode content = last.get("content");
            return content != null && content.isTextual() ? content.asText() : null;
        }
        return null;
    }

    private int activeRuns() {
        int n = 0;
        for (var r : runs.values()) {
            synchronized (r) {
                if (r.active()) {
                    n++;
                }
            }
        }
        return n;
    }

    private void getRun(Ctx c, String runId) throws IOException {
        var run = runs.get(runId);
        if (run == null) {
            c.json(404, runNotFound(), Map.of());
            return;
        }
        Map<String, Object> status;
        synchronized (run) {
            status = run.statusObject(dialect);
        }
        c.json(200, status, Map.of());
    }

    private static Map<String, Object> runNotFound() {
        return error("Run not found", "invalid_request_error", "run_not_found");
    }

    private void stop(Ctx c, String runId) throws IOException {
        var run = runs.get(runId);
        if (run == null) {
            c.json(404, runNotFound(), Map.of());
            return;
        }
        synchronized (run) {
            if (run.terminal()) {
                c.json(200, run.statusObject(dialect), Map.of());
                return;
            }
            if (!run.live) {
                c.json(
                        409,
                        error("Run is not active in this process", "invalid_request_error", "run_not_active"),
                        Map.of());
                return;
            }
            run.stopRequested = true;
            run.status = "stopping";
            run.updatedAt = now();
            if (run.worker != null) {
                run.worker.interrupt();
            }
        }
        c.json(200, map("run_id", runId, "status", "stopping"), Map.of());
    }

    private void approval(Ctx c, String runId) throws IOException {
        var run = runs.get(runId);
        if (run == null) {
            c.json(404, runNotFound(), Map.of());
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(c.body);
            if (body == null || !body.isObject()) {
                throw new IOException("not an object");
            }
        } catch (IOException e) {
            c.json(400, error("Invalid JSON", "invalid_request_error", null), Map.of());
            return;
        }
        String choice = body.path("choice").asText("");
        choice = CHOICE_ALIASES.getOrDefault(choice, choice);
        if (!CHOICES.contains(choice)) {
            c.json(
                    400,
                    error(
                            "choice must be one of once, session, always, deny",
                            "invalid_request_error",
                            "invalid_approval_choice"),
                    Map.of());
            return;
        }
        JsonNode rid = body.get("request_id");
        if (rid != null && !rid.isNull() && (!rid.isTextual() || rid.asText().length() > 256)) {
            c.json(
                    400,
                    error(
                            "request_id must be a string of at most 256 characters",
                            "invalid_request_error",
                            "invalid_approval_request"),
                    Map.of());
            return;
        }
        String requestId = rid != null && rid.isTextual() ? rid.asText() : null;
        synchronized (run) {
            if (!run.everAskedApproval || !run.live) {
                c.json(
                        409,
                        error("Run has no active approval session", "invalid_request_error", "approval_not_active"),
                        Map.of());
                return;
            }
            if (run.pendingApproval == null || run.approvalChoice != null) {
                c.json(
                        409,
                        error("No approval is pending for this run", "invalid_request_error", "approval_not_pending"),
                        Map.of());
                return;
            }
            run.approvalChoice = choice;
            run.approvalRequestId = requestId;
            run.notifyAll();
        }
        var resp = map("object", "hermes.run.approval_response", "run_id", runId, "choice", choice);
        if (requestId != null) {
            resp.put("request_id", requestId);
        }
        resp.put("resolved", 1);
        c.json(200, resp, Map.of());
    }

    private void events(Ctx c, String runId) throws IOException {
        EmulatedRun run = awaitBuffer(runId);
        if (run == null) {
            c.json(404, runNotFound(), Map.of());
            return;
        }
        long cursor = 0;
        if (dialect == Dialect.NEWEST) {
            String lei = c.header("last-event-id");
            if (lei != null && LAST_EVENT_ID.matcher(lei.trim()).matches()) {
                cursor = Long.parseLong(lei.trim());
            }
        }
        boolean newest = dialect == Dialect.NEWEST;
        try {
            pump(
                    c,
                    run,
                    cursor,
                    !newest,
                    new StreamRenderer() {
                        @Override
                        public String render(EmulatedRun.Event e) {
                            return (newest ? "id: " + e.id() + "\n" : "") + "data: " + e.json() + "\n\n";
                        }

                        @Override
                        public String closing(EmulatedRun r) {
                            return ": stream closed\n\n";
                        }
                    },
                    Map.of());
        } finally {
            if (!newest) {
                synchronized (run) { // the single queue goes away with its reader
                    run.journal = null;
                }
            }
        }
    }

    /** How one SSE dialect renders a run's journal. */
    interface StreamRenderer {
        /** Frames sent right after the headers. */
        default String opening() {
            return "";
        }

        /** Frames for one journal event ("" to skip it). */
        String render(EmulatedRun.Event e);

        /** Frames after the run settled and every event was sent; then the server closes. */
        String closing(EmulatedRun run);

        /** The client went away or the stream was cut before the end. */
        default void aborted() {}
    }

    /**
     * Streams a run's journal from {@code cursor} in one dialect, with keepalive comments while idle, until the run
     * settled (then {@link StreamRenderer#closing}), the stream is dropped, or the client goes away.
     *
     * @param consume the older build's single queue: events read here are removed from the journal
     */
    private void pump(
            Ctx c, EmulatedRun run, long cursor, boolean consume, StreamRenderer renderer, Map<String, String> headers)
            throws IOException {
        var sub = new Subscriber(run);
        subscribers.add(sub);
        var h = c.ex.getResponseHeaders();
        securityHeaders(h);
        h.set("Content-Type", "text/event-stream");
        h.set("Cache-Control", "no-cache");
        h.set("X-Accel-Buffering", "no");
        headers.forEach(h::set);
        c.ex.sendResponseHeaders(200, 0);
        c.responded = true;
        c.record(200);
        subscriptions.incrementAndGet();
        OutputStream os = c.ex.getResponseBody();
        boolean finishedNormally = false;
        try {
            String opening = renderer.opening();
            if (!opening.isEmpty()) {
                os.write(opening.getBytes(StandardCharsets.UTF_8));
                os.flush();
            }
            long lastWrite = System.nanoTime();
            while (true) {
                List<EmulatedRun.Event> batch = List.of();
                boolean done = false;
                boolean keepalive = false;
                synchronized (run) {
                    while (true) {
                        if (sub.dropped || run.journal == null) {
                            return;
                        }
                        batch = run.eventsAfter(consume ? run.olderCursor : cursor);
                        if (!batch.isEmpty()) {
                            if (consume) { // a queue: what one reader takes, nobody else sees
                                run.olderCursor = batch.get(batch.size() - 1).id();
                                long consumed = run.olderCursor;
                                run.journal.removeIf(e -> e.id() <= consumed);
                            }
                            break;
                        }
                        if (run.terminal() && run.finishedAtNanos >= 0) {
                            done = true;
                            break;
                        }
                        long waitNanos = keepaliveInterval.toNanos() - (System.nanoTime() - lastWrite);
                        if (waitNanos <= 0) {
                            keepalive = true;
                            break;
                        }
                        try {
                            run.wait(Math.max(1, waitNanos / 1_000_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                var sb = new StringBuilder();
                for (var e : batch) {
                    sb.append(renderer.render(e));
                    cursor = e.id();
                }
                if (keepalive && !keepalivesSuppressed) {
                    sb.append(": keepalive\n\n");
                }
                if (done) {
                    sb.append(renderer.closing(run));
                }
                if (sb.length() > 0) {
                    os.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                    os.flush();
                }
                lastWrite = System.nanoTime();
                if (done) {
                    finishedNormally = true;
                    return;
                }
            }
        } finally {
            subscribers.remove(sub);
            if (!finishedNormally) {
                renderer.aborted();
                // abrupt: close the socket without the terminating chunk
                try {
                    os.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    /** Hermes waits up to 1 s (20 × 50 ms) for the run's event buffer to exist. */
    private EmulatedRun awaitBuffer(String runId) {
        for (int i = 0; i < 20; i++) {
            var run = runs.get(runId);
            if (run != null) {
                synchronized (run) {
                    expireJournal(run);
                    if (run.journal != null) {
                        return run;
                    }
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private void expireJournal(EmulatedRun run) {
        if (run.journal != null
                && run.finishedAtNanos >= 0
                && System.nanoTime() - run.finishedAtNanos > eventRetention.toNanos()) {
            run.journal = null;
        }
    }

    // ------------------------------------------------------------------ session chat stream

    private static boolean validSessionId(String id) {
        return !id.isEmpty()
                && id.length() <= 256
                && id.indexOf('\r') < 0
                && id.indexOf('\n') < 0
                && id.indexOf('\0') < 0
                && id.indexOf('/') < 0
                && id.indexOf('\\') < 0
                && !id.contains("..");
    }

    private void createSession(Ctx c) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(c.body);
            if (body == null || !body.isObject()) {
                throw new IOException("not an object");
            }
        } catch (IOException e) {
            c.json(400, error("Invalid JSON", "invalid_request_error", null), Map.of());
            return;
        }
        String id = body.path("id").asText("");
        if (!validSessionId(id)) {
            c.json(400, error("Invalid session id", "invalid_request_error", "invalid_session_id"), Map.of());
            return;
        }
        synchronized (this) {
            if (sessionsById.containsKey(id)) {
                c.json(409, error("Session already exists", "invalid_request_error", "session_exists"), Map.of());
                return;
            }
            sessionsById.put(id, new Session(id));
        }
        c.json(
                201,
                map(
                        "object",
                        "hermes.session",
                        "session",
                        map(
                                "id",
                                id,
                                "title",
                                body.path("title").asText(null),
                                "source",
                                body.path("source").asText("api_server"))),
                Map.of());
    }

    private void sessionChatStream(Ctx c, String sessionId) throws IOException {
        if (draining) {
            c.json(
                    503,
                    error("Gateway is draining; retry after it restarts", "server_error", "gateway_draining"),
                    Map.of("Retry-After", "1"));
            return;
        }
        Session session = sessionsById.get(sessionId);
        if (session == null) {
            c.json(404, error("Session not found", "invalid_request_error", "session_not_found"), Map.of());
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(c.body);
            if (body == null || !body.isObject()) {
                throw new IOException("not an object");
            }
        } catch (IOException e) {
            c.json(400, error("Invalid JSON", "invalid_request_error", null), Map.of());
            return;
        }
        JsonNode message = body.has("message") ? body.get("message") : body.get("input");
        String text = message == null ? null : message.isTextual() ? message.asText() : textParts(message);
        if (text == null || text.isBlank()) {
            c.json(400, error("Missing 'message'", "invalid_request_error", "missing_message"), Map.of());
            return;
        }
        JsonNode system = body.has("system_message") ? body.get("system_message") : body.get("instructions");
        if (system != null && !system.isNull() && !system.isTextual()) {
            c.json(
                    400,
                    error("system_message must be a string", "invalid_request_error", "invalid_system_message"),
                    Map.of());
            return;
        }
        String sessionKey = c.header("x-hermes-session-key");
        String idemKey = dialect == Dialect.NEWEST ? c.header("idempotency-key") : null;
        var fingerprint = JSON.createObjectNode();
        fingerprint.set("body", body);
        fingerprint.set("session_id", TextNode.valueOf(sessionId));
        EmulatedRun run;
        synchronized (this) {
            if (idemKey != null && idempotency.containsKey(idemKey)) {
                var rec = idempotency.get(idemKey);
                if (!rec.fingerprint().equals(fingerprint)) {
                    var err = error(
                            "Idempotency-Key was already used with a different request payload",
                            "invalid_request_error",
                            "idempotency_key_conflict");
                    err.put("run_id", rec.runId());
                    c.json(409, err, Map.of());
                    return;
                }
                var original = runs.get(rec.runId());
                String status;
                synchronized (original) {
                    status = original.status;
                }
                c.json(
                        202,
                        map("run_id", rec.runId(), "status", status, "replayed", true, "session_stream", true),
                        Map.of());
                return;
            }
            String active;
            synchronized (session) {
                active = session.activeStreamRun;
            }
            var activeRun = active == null ? null : runs.get(active);
            if (dialect == Dialect.NEWEST && activeRun != null && activeRun.active()) {
                var e = map(
                        "message",
                        "A run is already active for this session",
                        "type",
                        "invalid_request_error",
                        "param",
                        null,
                        "code",
                        "run_already_active",
                        "run_id",
                        active);
                c.json(409, map("error", e, "run_id", active), Map.of());
                return;
            }
            if (atCap()) {
                c.json(
                        429,
                        error(
                                "Too many concurrent runs (max " + maxConcurrentRuns + ")",
                                "rate_limit_error",
                                "rate_limit_exceeded"),
                        Map.of("Retry-After", "1"));
                return;
            }
            run = admit(newRunId(), session, text, sessionKey, idemKey, fingerprint);
            synchronized (session) {
                session.activeStreamRun = run.runId;
            }
        }
        var headers = new LinkedHashMap<String, String>();
        headers.put("X-Hermes-Session-Id", sessionId);
        if (sessionKey != null) {
            headers.put("X-Hermes-Session-Key", sessionKey);
        }
        pump(c, run, 0, false, new SessionStreamRenderer(run, sessionId, text), headers);
    }

    /**
     * The session chat stream's dialect: {@code event:} lines, raw UTF-8, {@code session_id/run_id/seq/ts} on every
     * payload, {@code done} last.
     */
    private final class SessionStreamRenderer implements StreamRenderer {
        private final EmulatedRun run;
        private final String sessionId;
        private final String text;
        private final String messageId = "msg_" + HexFormat.of().formatHex(randomBytes(12));
        private int seq;

        SessionStreamRenderer(EmulatedRun run, String sessionId, String text) {
            this.run = run;
            this.sessionId = sessionId;
            this.text = text;
        }

        private String frame(String event, LinkedHashMap<String, Object> fields) {
            fields.put("session_id", sessionId);
            fields.put("run_id", run.runId);
            fields.put("seq", ++seq);
            fields.put("ts", now());
            return "event: " + event + "\ndata: " + PyJson.dumps(fields, false) + "\n\n";
        }

        @Override
        public String opening() {
            return frame(
                            "run.started",
                            map(
                                    "user_message",
                                    map("role", "user", "content", text),
                                    "runtime",
                                    map("provider", "", "model", "", "route_source", "global")))
                    + frame("message.started", map("message", map("id", messageId, "role", "assistant")));
        }

        @Override
        public String render(EmulatedRun.Event e) {
            var f = e.fields();
            boolean newest = dialect == Dialect.NEWEST;
            return switch (e.name()) {
                case "message.delta" -> frame("assistant.delta", map("message_id", messageId, "delta", f.get("delta")));
                case "tool.started", "tool.completed" ->
                    frame(
                            e.name(),
                            map(
                                    "message_id",
                                    messageId,
                                    "tool_name",
                                    f.get("tool"),
                                    "preview",
                                    f.get("preview"),
                                    "args",
                                    map()));
                case "approval.request" -> {
                    var m = new LinkedHashMap<String, Object>(f);
                    m.remove("event");
                    m.remove("run_id");
                    m.remove("timestamp");
                    m.put("message_id", messageId);
                    yield frame("approval.request", m);
                }
                case "run.completed" ->
                    frame(
                                    "assistant.completed",
                                    map(
                                            "message_id",
                                            messageId,
                                            "content",
                                            f.get("output"),
                                            "completed",
                                            true,
                                            "partial",
                                            false,
                                            "interrupted",
                                            false,
                                            "runtime",
                                            f.get("runtime")))
                            + frame(
                                    "run.completed",
                                    map(
                                            "message_id",
                                            messageId,
                                            "completed",
                                            true,
                                            "partial",
                                            false,
                                            "interrupted",
                                            false,
                                            "messages",
                                            List.of(
                                                    map("role", "user", "content", text),
                                                    map("role", "assistant", "content", f.get("output"))),
                                            "usage",
                                            f.get("usage"),
                                            "runtime",
                                            f.get("runtime")));
                case "run.failed" ->
                    newest
                            ? frame(
                                    "run.failed",
                                    map(
                                            "message_id",
                                            messageId,
                                            "error",
                                            f.get("error"),
                                            "completed",
                                            false,
                                            "partial",
                                            false,
                                            "interrupted",
                                            false))
                            : frame("error", map("message", f.get("error")));
                case "run.cancelled" ->
                    newest
                            ? frame(
                                    "run.cancelled",
                                    map(
                                            "message_id",
                                            messageId,
                                            "completed",
                                            false,
                                            "partial",
                                            false,
                                            "interrupted",
                                            true))
                            : frame(
                                    "run.completed",
                                    map(
                                            "message_id",
                                            messageId,
                                            "completed",
                                            false,
                                            "partial",
                                            false,
                                            "interrupted",
                                            true));
                default -> "";
            };
        }

        @Override
        public String closing(EmulatedRun r) {
            return frame("done", map());
        }

        @Override
        public void aborted() {
            if (dialect == Dialect.OLDER) {
                interrupt(run); // older builds interrupt the turn when the client disconnects; newest detach
            }
        }
    }

    // ------------------------------------------------------------------ chat completions

    private void chatCompletions(Ctx c) throws IOException {
        if (draining) {
            c.json(
                    503,
                    error("Gateway is draining; retry after it restarts", "server_error", "gateway_draining"),
                    Map.of("Retry-After", "1"));
            return;
        }
        if (atCap()) {
            c.json(
                    429,
                    error(
                            "Too many concurrent runs (max " + maxConcurrentRuns + ")",
                            "rate_limit_error",
                            "rate_limit_exceeded"),
                    Map.of("Retry-After", "1"));
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(c.body);
            if (body == null || !body.isObject()) {
                throw new IOException("not an object");
            }
        } catch (IOException e) {
            c.json(400, error("Invalid JSON", "invalid_request_error", null), Map.of());
            return;
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            c.json(
                    400,
                    map(
                            "error",
                            map("message", "'messages' must be a non-empty array", "type", "invalid_request_error")),
                    Map.of());
            return;
        }
        var system = new StringBuilder();
        String turn = null;
        String firstUser = null;
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            JsonNode content = m.get("content");
            if (content != null && content.isArray()) {
                for (JsonNode part : content) {
                    String type = part.path("type").asText("");
                    if (type.equals("file") || type.equals("input_file")) {
                        c.json(
                                400,
                                error(
                                        "File content parts are not supported",
                                        "invalid_request_error",
                                        "unsupported_content_type"),
                                Map.of());
                        return;
                    }
                }
            }
            String t = content == null ? "" : content.isTextual() ? content.asText() : textParts(content);
            if (role.equals("system")) {
                system.append(system.length() > 0 ? "\n" : "").append(t);
            } else if (role.equals("user") || role.equals("assistant")) {
                turn = t;
                if (role.equals("user") && firstUser == null) {
                    firstUser = t;
                }
            }
        }
        if (turn == null || turn.isBlank()) {
            c.json(
                    400,
                    map("error", map("message", "No user message found in messages", "type", "invalid_request_error")),
                    Map.of());
            return;
        }
        String sessionKey = c.header("x-hermes-session-key");
        String sessionId = c.header("x-hermes-session-id");
        if (sessionId != null) {
            if (sessionId.length() > 256) {
                c.json(
                        400,
                        map("error", map("message", "Session ID too long", "type", "invalid_request_error")),
                        Map.of());
                return;
            }
            if (!validSessionId(sessionId)) {
                c.json(
                        400,
                        map("error", map("message", "Invalid session ID", "type", "invalid_request_error")),
                        Map.of());
                return;
            }
        } else {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256")
                        .digest((system + (firstUser == null ? "" : firstUser)).getBytes(StandardCharsets.UTF_8));
                sessionId = "api-" + HexFormat.of().formatHex(d).substring(0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        JsonNode streamFlag = body.get("stream");
        boolean stream = streamFlag != null && (streamFlag.asBoolean(false) || "true".equals(streamFlag.asText()));
        EmulatedRun run;
        synchronized (this) {
            if (atCap()) {
                c.json(
                        429,
                        error(
                                "Too many concurrent runs (max " + maxConcurrentRuns + ")",
                                "rate_limit_error",
                                "rate_limit_exceeded"),
                        Map.of("Retry-After", "1"));
                return;
            }
            run = admit(
                    newRunId(), sessionsById.computeIfAbsent(sessionId, Session::new), turn, sessionKey, null, null);
        }
        var headers = map("X-Hermes-Session-Id", sessionId);
        if (stream) {
            var h = new LinkedHashMap<String, String>();
            headers.forEach((k, v) -> h.put(k, String.valueOf(v)));
            pump(c, run, 0, false, new ChatCompletionRenderer(run), h);
            return;
        }
        synchronized (run) {
            while (!run.terminal()) {
                try {
                    run.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        var h = new LinkedHashMap<String, String>();
        h.put("X-Hermes-Session-Id", sessionId);
        if (!"completed".equals(run.status) || run.output == null || run.output.isEmpty()) {
            c.json(
                    502,
                    error(
                            "The agent did not produce a response" + (run.error != null ? ": " + run.error : ""),
                            "server_error",
                            "agent_incomplete"),
                    h);
            return;
        }
        c.json(
                200,
                map(
                        "id",
                        "chatcmpl-" + HexFormat.of().formatHex(randomBytes(12)),
                        "object",
                        "chat.completion",
                        "created",
                        (long) now(),
                        "model",
                        "hermes-agent",
                        "choices",
                        List.of(map(
                                "index",
                                0,
                                "message",
                                map("role", "assistant", "content", run.output),
                                "finish_reason",
                                "stop")),
                        "usage",
                        map("prompt_tokens", 1532, "completion_tokens", 210, "total_tokens", 1742)),
                h);
    }

    /**
     * The chat completions dialect: OpenAI chunks as {@code data:} lines, {@code event: hermes.tool.progress},
     * {@code data: [DONE]}.
     */
    private final class ChatCompletionRenderer implements StreamRenderer {
        private final EmulatedRun run;
        private final String id = "chatcmpl-" + HexFormat.of().formatHex(randomBytes(12));
        private final long created = (long) now();
        private int toolCalls;

        ChatCompletionRenderer(EmulatedRun run) {
            this.run = run;
        }

        private LinkedHashMap<String, Object> chunk(Map<String, Object> delta, String finish) {
            return map(
                    "id",
                    id,
                    "object",
                    "chat.completion.chunk",
                    "created",
                    created,
                    "model",
                    "hermes-agent",
                    "choices",
                    List.of(map("index", 0, "delta", delta, "finish_reason", finish)));
        }

        private static String data(Map<String, Object> m) {
            return "data: " + PyJson.dumps(m) + "\n\n";
        }

        @Override
        public String opening() {
            return data(chunk(map("role", "assistant"), null));
        }

        @Override
        public String render(EmulatedRun.Event e) {
            var f = e.fields();
            String tool = String.valueOf(f.get("tool"));
            return switch (e.name()) {
                case "message.delta" -> data(chunk(map("content", f.get("delta")), null));
                case "tool.started" ->
                    tool.startsWith("_")
                            ? ""
                            : "event: hermes.tool.progress\n"
                                    + data(map(
                                            "tool",
                                            tool,
                                            "emoji",
                                            "\ud83d\udd27",
                                            "label",
                                            tool + ": " + f.get("preview"),
                                            "toolCallId",
                                            "call_" + (++toolCalls),
                                            "status",
                                            "running"));
                case "tool.completed" ->
                    tool.startsWith("_")
                            ? ""
                            : "event: hermes.tool.progress\n"
                                    + data(map("tool", tool, "toolCallId", "call_" + toolCalls, "status", "completed"));
                case "run.completed" -> {
                    var m = chunk(map(), "stop");
                    m.put("usage", map("prompt_tokens", 1532, "completion_tokens", 210, "total_tokens", 1742));
                    yield data(m);
                }
                case "run.failed", "run.cancelled" -> {
                    var m = chunk(map(), "error");
                    String err = f.get("error") == null ? "cancelled" : String.valueOf(f.get("error"));
                    m.put("error", map("message", err, "type", "server_error"));
                    m.put(
                            "hermes",
                            map(
                                    "completed",
                                    false,
                                    "partial",
                                    false,
                                    "failed",
                                    true,
                                    "error",
                                    err,
                                    "error_code",
                                    "agent_error"));
                    yield data(m);
                }
                default -> "";
            };
        }

        @Override
        public String closing(EmulatedRun r) {
            return "data: [DONE]\n\n";
        }

        @Override
        public void aborted() {
            interrupt(run); // a client disconnect interrupts the agent on this route
        }
    }

    private void interrupt(EmulatedRun run) {
        synchronized (run) {
            if (run.live && run.active()) {
                run.stopRequested = true;
                run.status = "stopping";
                run.updatedAt = now();
                if (run.worker != null) {
                    run.worker.interrupt();
                }
            }
        }
    }

    private static String textParts(JsonNode content) {
        if (!content.isArray()) {
            return null;
        }
        var sb = new StringBuilder();
        for (JsonNode part : content) {
            String type = part.path("type").asText("");
            if ((type.equals("text") || type.equals("input_text"))
                    && part.path("text").isTextual()) {
                sb.append(sb.length() > 0 ? "\n" : "").append(part.get("text").asText());
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ run execution

    private void execute(EmulatedRun run, Session session, RunRequest req, List<Step> steps) {
        synchronized (run) {
            if (!run.live) {
                return; // crashed before it started
            }
            if (run.stopRequested) {
                finish(run, "cancelled", "run.cancelled", new LinkedHashMap<>(), false, false, true, null, null);
                run.live = false;
                return;
            }
            run.worker = Thread.currentThread();
            run.status = "running";
            run.updatedAt = now();
        }
        var out = new StringBuilder();
        try {
            for (Step step : steps) {
                if (step instanceof Step.Delta d) {
                    String t = subst(d.text(), run, req);
                    out.append(t);
                    emit(run, "message.delta", map("delta", t));
                } else if (step instanceof Step.Delay d) {
                    Thread.sleep(d.duration().toMillis());
                } else if (step instanceof Step.Await w) {
                    w.latch().await();
                } else if (step instanceof Step.Tool t) {
                    emit(run, "tool.started", map("tool", t.tool(), "preview", t.preview()));
                    Thread.sleep(t.duration().toMillis());
                    emit(
                            run,
                            "tool.completed",
                            map(
                                    "tool",
                                    t.tool(),
                                    "duration",
                                    t.duration().toMillis() / 1000.0,
                                    "error",
                                    false,
                                    "preview",
                                    t.preview()));
                } else if (step instanceof Step.Approval a) {
                    awaitApproval(run, a);
                } else if (step instanceof Step.Complete comp) {
                    complete(run, session, comp.output() != null ? subst(comp.output(), run, req) : out.toString());
                    return;
                } else if (step instanceof Step.Fail f) {
                    finish(run, "failed", "run.failed", map("error", f.error()), false, false, false, null, f.error());
                    return;
                } else if (step instanceof Step.Hang) {
                    synchronized (run) {
                        while (true) {
                            run.wait();
                        }
                    }
                }
            }
            complete(run, session, out.toString());
        } catch (InterruptedException e) {
            synchronized (run) {
                if (run.stopRequested && !"interrupted".equals(run.status)) {
                    finish(run, "cancelled", "run.cancelled", new LinkedHashMap<>(), false, false, true, null, null);
                }
            }
        } catch (Crashed e) {
            // the process "died": crash() already settled the run
        } finally {
            synchronized (run) {
                if (run.worker == Thread.currentThread()) {
                    run.worker = null;
                }
                run.live = false;
            }
        }
    }

    private static final class Crashed extends RuntimeException {
        Crashed() {
            super(null, null, false, false);
        }
    }

    private void awaitApproval(EmulatedRun run, Step.Approval a) throws InterruptedException {
        synchronized (run) {
            checkAlive(run);
            var payload = new LinkedHashMap<String, Object>();
            payload.put("command", a.command());
            payload.put("description", "dangerous command");
            if (a.requestId() != null) {
                payload.put("request_id", a.requestId());
            }
            payload.put("event", "approval.request");
            payload.put("run_id", run.runId);
            payload.put("timestamp", now());
            payload.put("choices", a.choices());
            run.status = "waiting_for_approval";
            run.pendingApproval = payload;
            run.everAskedApproval = true;
            run.approvalChoice = null;
            run.lastEvent = "approval.request";
            run.updatedAt = now();
            run.append(payload, PyJson.dumps(payload));
            while (run.approvalChoice == null) {
                run.wait();
                checkAlive(run);
            }
            run.status = "running";
            run.pendingApproval = null;
            var fields = map("choice", run.approvalChoice);
            if (run.approvalRequestId != null) {
                fields.put("request_id", run.approvalRequestId);
            }
            fields.put("resolved", 1);
            emitLocked(run, "approval.responded", fields);
        }
    }

    private void complete(EmulatedRun run, Session session, String output) {
        var fields = map(
                "output",
                output,
                "usage",
                usage(dialect),
                "runtime",
                map("provider", "emulator", "model", "hermes-emulator", "route_source", "global"));
        synchronized (run) {
            finish(run, "completed", "run.completed", fields, true, false, false, output, null);
        }
        synchronized (session) {
            session.turns++;
            if (compressAfterTurns > 0 && session.turns % compressAfterTurns == 0) {
                session.rotations++;
                session.tip = session.root + "-c" + session.rotations + "-"
                        + HexFormat.of().formatHex(randomBytes(3));
                sessionsById.put(session.tip, session);
            }
        }
    }

    private void finish(
            EmulatedRun run,
            String status,
            String event,
            Map<String, Object> fields,
            boolean completed,
            boolean partial,
            boolean interrupted,
            String output,
            String error) {
        synchronized (run) {
            checkAlive(run);
            if (dialect == Dialect.NEWEST) {
                fields.put("completed", completed);
                fields.put("partial", partial);
                fields.put("interrupted", interrupted);
                run.completed = completed;
                run.partial = partial;
                run.interrupted = interrupted;
            }
            run.status = status;
            run.output = output;
            run.error = error;
            emitLocked(run, event, fields);
            run.finishedAtNanos = System.nanoTime();
            run.notifyAll();
        }
    }

    private void emit(EmulatedRun run, String event, Map<String, Object> fields) {
        synchronized (run) {
            checkAlive(run);
            emitLocked(run, event, fields);
        }
    }

    private void emitLocked(EmulatedRun run, String event, Map<String, Object> fields) {
        var m = new LinkedHashMap<String, Object>();
        m.put("event", event);
        m.put("run_id", run.runId);
        m.put("timestamp", now());
        m.putAll(fields);
        run.lastEvent = event;
        run.updatedAt = now();
        run.append(m, PyJson.dumps(m));
    }

    private static void checkAlive(EmulatedRun run) {
        if ("interrupted".equals(run.status)) {
            throw new Crashed();
        }
    }

    private static String subst(String text, EmulatedRun run, RunRequest req) {
        String choice;
        synchronized (run) {
            choice = run.approvalChoice == null ? "" : run.approvalChoice;
        }
        return text.replace("${choice}", choice).replace("${turn}", Integer.toString(req.priorTurns()));
    }

    static Map<String, Object> usage(Dialect dialect) {
        var u = map("input_tokens", 1532, "output_tokens", 210, "total_tokens", 1742);
        if (dialect == Dialect.NEWEST) {
            u.put("cache_read_tokens", 0);
            u.put("cache_write_tokens", 0);
        }
        return u;
    }

    // ------------------------------------------------------------------ helpers

    private final class Ctx {
        final HttpExchange ex;
        byte[] body = new byte[0];
        boolean responded;

        Ctx(HttpExchange ex) {
            this.ex = ex;
        }

        String header(String name) {
            return ex.getRequestHeaders().getFirst(name);
        }

        void json(int status, Map<String, Object> body, Map<String, String> headers) throws IOException {
            var h = ex.getResponseHeaders();
            securityHeaders(h);
            h.set("Content-Type", "application/json; charset=utf-8");
            headers.forEach(h::set);
            send(status, PyJson.dumps(body).getBytes(StandardCharsets.UTF_8));
        }

        void text(int status, String text) throws IOException {
            var h = ex.getResponseHeaders();
            securityHeaders(h);
            h.set("Content-Type", "text/plain; charset=utf-8");
            send(status, text.getBytes(StandardCharsets.UTF_8));
        }

        void empty(int status) throws IOException {
            securityHeaders(ex.getResponseHeaders());
            responded = true;
            record(status);
            ex.sendResponseHeaders(status, -1);
        }

        private void send(int status, byte[] bytes) throws IOException {
            responded = true;
            record(status);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }

        void record(int status) {
            var headers = new LinkedHashMap<String, List<String>>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            requests.add(new RecordedRequest(
                    ex.getRequestMethod(),
                    ex.getRequestURI().getPath(),
                    headers,
                    new String(body, StandardCharsets.UTF_8),
                    status));
        }
    }

    private static void securityHeaders(Headers h) {
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'none'");
        h.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
        h.set("X-Frame-Options", "DENY");
    }

    private static Map<String, Object> error(String message, String type, String code) {
        var e = new LinkedHashMap<String, Object>();
        e.put("message", message);
        e.put("type", type);
        e.put("param", null);
        e.put("code", code);
        return map("error", e);
    }

    static LinkedHashMap<String, Object> map(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static double now() {
        return Math.round(System.currentTimeMillis() / 10.0) / 100.0;
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
