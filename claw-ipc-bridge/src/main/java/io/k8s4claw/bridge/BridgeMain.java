package io.k8s4claw.bridge;

import io.k8s4claw.bridge.connect.RuntimeConnectors;
import io.k8s4claw.bridge.delivery.DeliveryPolicy;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.wal.FileStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The bridge's entry point. Without a subcommand it runs the bridge; {@code dead-letters list|replay} talk to
 * a running bridge's admin API. Every option defaults to its environment variable (the container is
 * configured by env; the token is read from the environment only, never from a flag).
 */
@Command(
        name = "claw-ipc-bridge",
        mixinStandardHelpOptions = true,
        version = Bridge.VERSION,
        showDefaultValues = true,
        description = "The claw bus sidecar: durable delivery between channel sidecars and the agent runtime.",
        footer = {
            "",
            "Environment only (never a flag: it stays out of process lists; never logged):",
            "  CLAW_RUNTIME_TOKEN  Hermes's API_SERVER_KEY (" + BridgeMain.HERMES_MIN_KEY_LENGTH
                    + " characters at least)",
            "                      or the OpenClaw gateway token",
            "",
            "Prints 'BRIDGE-LISTENING bus-tcp-port=N http-port=N' once its ports are",
            "bound, then 'BRIDGE-READY' with the same fields once /readyz answers 200",
            "(the bus listens and the runtime is reachable)."
        },
        subcommands = {BridgeMain.DeadLetters.class})
public final class BridgeMain implements Callable<Integer> {

    static {
        // Netty checks for JFR when it loads (to emit allocator events): that loads ~110 jdk.jfr classes into every
        // bridge. Off unless asked for (-Dio.netty.jfr.enabled=true when profiling Netty with JFR).
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(BridgeMain.class);
    /** Hermes refuses an API_SERVER_KEY shorter than this; a shorter CLAW_RUNTIME_TOKEN cannot match one. */
    static final int HERMES_MIN_KEY_LENGTH = 16;

    @Option(
            names = "--bus-socket",
            defaultValue = "${env:CLAW_BUS_SOCKET:-/var/run/claw/bus.sock}",
            description = "Unix socket the channel sidecars connect to (CLAW_BUS_SOCKET); 'none' for TCP only")
    String busSocket;

    @Option(
            names = "--bus-tcp-port",
            defaultValue = "${env:CLAW_BUS_TCP_PORT:-0}",
            description = "also listen on loopback TCP (tests, non-Linux dev): 0 = off, -1 = any free port "
                    + "(CLAW_BUS_TCP_PORT)")
    int busTcpPort;

    @Option(
            names = "--data-dir",
            defaultValue = "${env:CLAW_BRIDGE_DATA_DIR:-/var/lib/claw-bridge}",
            description = "write-ahead log directory (CLAW_BRIDGE_DATA_DIR)")
    Path dataDir;

    @Option(
            names = "--http-port",
            defaultValue = "${env:CLAW_BRIDGE_HTTP_PORT:-9090}",
            description = "/healthz, /readyz, /metrics, /v1/dead-letters (CLAW_BRIDGE_HTTP_PORT); 0 = any free port")
    int httpPort;

    @Option(
            names = "--runtime-protocol",
            defaultValue = "${env:CLAW_RUNTIME_PROTOCOL:-hermes-sse}",
            description = "hermes-sse | hermes-relay | openclaw-gateway | echo (CLAW_RUNTIME_PROTOCOL)")
    String runtimeProtocol;

    @Option(
            names = "--runtime-url",
            defaultValue = "${env:CLAW_RUNTIME_URL:-http://127.0.0.1:8642}",
            description = "the runtime's API (CLAW_RUNTIME_URL)")
    URI runtimeUrl;

    @Option(
            names = "--channels",
            defaultValue = "${env:CLAW_CHANNELS:-}",
            description = "comma-separated channel names allowed to register (CLAW_CHANNELS); empty = any")
    String channels;

    @Option(
            names = "--allowed-uids",
            defaultValue = "${env:CLAW_BUS_ALLOWED_UIDS:-self}",
            description =
                    "peer uids allowed on the socket where epoll tells: 'self' (the bridge's uid), 'any', or a list "
                            + "(CLAW_BUS_ALLOWED_UIDS)")
    String allowedUids;

    @Option(
            names = "--max-concurrent-runs",
            defaultValue = "${env:CLAW_MAX_CONCURRENT_RUNS:-10}",
            description = "runs in progress across conversations (CLAW_MAX_CONCURRENT_RUNS)")
    int maxConcurrentRuns;

    @Option(
            names = "--retry-base",
            defaultValue = "${env:CLAW_BRIDGE_RETRY_BASE:-250ms}",
            description = "first retry delay, doubling, jittered (CLAW_BRIDGE_RETRY_BASE)")
    String retryBase;

    @Option(
            names = "--retry-max",
            defaultValue = "${env:CLAW_BRIDGE_RETRY_MAX:-30s}",
            description = "retry delay cap (CLAW_BRIDGE_RETRY_MAX)")
    String retryMax;

    @Option(
            names = "--dead-letter-after",
            defaultValue = "${env:CLAW_BRIDGE_DEAD_LETTER_AFTER:-1h}",
            description = "give up on a message the runtime has not accepted this long after it arrived "
                    + "(CLAW_BRIDGE_DEAD_LETTER_AFTER)")
    String deadLetterAfter;

    @Option(
            names = "--max-attempts",
            defaultValue = "${env:CLAW_BRIDGE_MAX_ATTEMPTS:-10000}",
            description = "… or after this many attempts (CLAW_BRIDGE_MAX_ATTEMPTS)")
    int maxAttempts;

    @Option(
            names = "--fsync",
            defaultValue = "${env:CLAW_BRIDGE_FSYNC:-true}",
            arity = "1",
            description = "fsync the log before acking (CLAW_BRIDGE_FSYNC); false only for benchmarks")
    boolean fsync;

    @Option(
            names = "--wal-max-bytes",
            defaultValue = "${env:CLAW_BRIDGE_WAL_MAX_BYTES:-1073741824}",
            description = "refuse new messages (STORAGE_FAILED) while the log is larger (CLAW_BRIDGE_WAL_MAX_BYTES)")
    long walMaxBytes;

    @Option(
            names = "--wal-segment-bytes",
            defaultValue = "${env:CLAW_BRIDGE_WAL_SEGMENT_BYTES:-16777216}",
            description = "log segment size (CLAW_BRIDGE_WAL_SEGMENT_BYTES)")
    long walSegmentBytes;

    @Option(
            names = "--max-pending",
            defaultValue = "${env:CLAW_BRIDGE_MAX_PENDING:-10000}",
            description = "backlog to the runtime above which sidecars are paused (CLAW_BRIDGE_MAX_PENDING)")
    long maxPending;

    @Option(
            names = "--dedupe-entries",
            defaultValue = "${env:CLAW_BRIDGE_DEDUPE_ENTRIES:-20000}",
            description = "completed message ids remembered for deduplication (CLAW_BRIDGE_DEDUPE_ENTRIES)")
    int dedupeEntries;

    @Option(
            names = "--max-frame-bytes",
            defaultValue = "${env:CLAW_BUS_MAX_FRAME_BYTES:-1048576}",
            description = "bus frame size limit (CLAW_BUS_MAX_FRAME_BYTES)")
    int maxFrameBytes;

    @Option(
            names = "--heartbeat-interval",
            defaultValue = "${env:CLAW_BUS_HEARTBEAT_INTERVAL:-10s}",
            description = "bus heartbeat interval; 3 silent intervals close a connection (CLAW_BUS_HEARTBEAT_INTERVAL)")
    String heartbeatInterval;

    @Option(
            names = "--window",
            defaultValue = "${env:CLAW_BUS_WINDOW:-256}",
            description = "un-acked UserMessages per sidecar (CLAW_BUS_WINDOW)")
    int window;

    @Option(
            names = "--shutdown-grace",
            defaultValue = "${env:CLAW_BRIDGE_SHUTDOWN_GRACE:-25s}",
            description = "time to drain on SIGTERM; keep below the pod's terminationGracePeriodSeconds "
                    + "(CLAW_BRIDGE_SHUTDOWN_GRACE)")
    String shutdownGrace;

    public static void main(String[] args) {
        int code = new CommandLine(new BridgeMain())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // one line a user can act on, not a stack trace
                    cmd.getErr()
                            .println("claw-ipc-bridge: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    return 1;
                })
                .execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    BridgeConfig config() {
        Set<String> channelSet = Arrays.stream(channels.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        Set<Integer> uids = switch (allowedUids.trim()) {
            case "any", "*" -> Set.of();
            case "self", "" -> Set.of(selfUid());
            default ->
                Arrays.stream(allowedUids.split(","))
                        .map(String::trim)
                        .map(Integer::valueOf)
                        .collect(Collectors.toSet());
        };
        String token = System.getenv().getOrDefault("CLAW_RUNTIME_TOKEN", "");
        return new BridgeConfig(
                "none".equals(busSocket) ? null : Path.of(busSocket),
                busTcpPort,
                dataDir,
                httpPort,
                runtimeProtocol,
                runtimeUrl,
                token,
                channelSet,
                uids,
                new DeliveryPolicy(
                        maxConcurrentRuns,
                        duration(retryBase),
                        duration(retryMax),
                        duration(deadLetterAfter),
                        maxAttempts),
                fsync,
                walSegmentBytes,
                walMaxBytes,
                maxPending,
                dedupeEntries,
                maxFrameBytes,
                (int) duration(heartbeatInterval).toMillis(),
                window,
                duration(shutdownGrace));
    }

    @Override
    public Integer call() throws Exception {
        BridgeConfig cfg = config();
        log.atInfo().addKeyValue("config", cfg).log("starting claw-ipc-bridge " + Bridge.VERSION);
        runtimeTokenWarning(cfg.runtimeProtocol(), cfg.runtimeToken()).ifPresent(log::warn);
        RuntimeConnector connector =
                RuntimeConnectors.create(cfg.runtimeProtocol(), cfg.runtimeUrl(), cfg.runtimeToken(), System.getenv());
        Bridge bridge = Bridge.start(cfg, connector, FileStore.DEFAULT);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            bridge.shutdown();
                            stopped.countDown();
                        },
                        "sigterm"));
        // Machine-readable lines for tests and tooling: the ports actually bound, then readiness as /readyz tells it.
        String ports =
                "bus-tcp-port=" + (cfg.busTcpPort() != 0 ? bridge.busTcpPort() : 0) + " http-port=" + bridge.httpPort();
        System.out.println("BRIDGE-LISTENING " + ports);
        System.out.flush();
        // A platform thread that ends once ready: a virtual one left the JDK's virtual-thread scheduler (two
        // ForkJoinPool workers) and its unblocker thread behind for the bridge's whole life.
        Thread.ofPlatform().daemon().name("ready-line").start(() -> {
            try {
                // /readyz is 200 when the bus listens (it does once start returned) and the runtime is up.
                while (!connector.health().isUp()) {
                    Thread.sleep(100);
                }
                System.out.println("BRIDGE-READY " + ports);
                System.out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopped.await();
        return 0;
    }

    /** A warning for a token the runtime cannot accept; it names the length, never the token. */
    static Optional<String> runtimeTokenWarning(String protocol, String token) {
        if (protocol.startsWith("hermes") && !token.isEmpty() && token.length() < HERMES_MIN_KEY_LENGTH) {
            return Optional.of("CLAW_RUNTIME_TOKEN is " + token.length() + " characters, but Hermes refuses an "
                    + "API_SERVER_KEY shorter than " + HERMES_MIN_KEY_LENGTH
                    + ": the runtime will answer 401 until both are "
                    + "set to the same longer key");
        }
        return Optional.empty();
    }

    static int selfUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (Exception e) {
            return -1;
        }
    }

    /** Accepts {@code 250ms}, {@code 60s}, {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT1H}). */
    static Duration duration(String s) {
        String v = s.trim();
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return Duration.parse(v);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + s + "' is not a duration (use e.g. 500ms, 60s, 5m, 1h)");
        }
    }

    @Command(
            name = "dead-letters",
            description = "List or replay dead letters of a running bridge (loopback admin API).",
            subcommands = {DeadLetters.List.class, DeadLetters.Replay.class},
            mixinStandardHelpOptions = true)
    static final class DeadLetters {

        @Option(
                names = "--url",
                defaultValue = "http://127.0.0.1:${env:CLAW_BRIDGE_HTTP_PORT:-9090}",
                description = "the bridge's ops address",
                scope = CommandLine.ScopeType.INHERIT)
        URI url;

        static String call(URI base, String method, String path) throws Exception {
            HttpRequest.Builder rb = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
            rb = method.equals("POST") ? rb.POST(HttpRequest.BodyPublishers.noBody()) : rb.GET();
            HttpResponse<String> resp;
            try {
                resp = HttpClient.newHttpClient().send(rb.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IOException(
                        "cannot reach the bridge's admin API at " + base + " (" + e
                                + "); is the bridge running, and is --url / CLAW_BRIDGE_HTTP_PORT right?",
                        e);
            }
            if (resp.statusCode() >= 300) {
                throw new CommandLine.ExecutionException(
                        new CommandLine(new DeadLetters()),
                        "bridge answered " + resp.statusCode() + ": " + resp.body());
            }
            return resp.body();
        }

        @Command(name = "list", description = "Print the dead letters as JSON.")
        static final class List implements Callable<Integer> {
            @CommandLine.ParentCommand
            DeadLetters parent;

            @Override
            public Integer call() throws Exception {
                System.out.println(DeadLetters.call(parent.url, "GET", "/v1/dead-letters"));
                return 0;
            }
        }

        @Command(name = "replay", description = "Deliver a dead letter again (same idempotency key).")
        static final class Replay implements Callable<Integer> {
            @CommandLine.ParentCommand
            DeadLetters parent;

            @Parameters(paramLabel = "ID", description = "the dead letter's id, from 'list'")
            String id;

            @Override
            public Integer call() throws Exception {
                System.out.println(DeadLetters.call(parent.url, "POST", "/v1/dead-letters/" + id + "/replay"));
                return 0;
            }
        }
    }
}
