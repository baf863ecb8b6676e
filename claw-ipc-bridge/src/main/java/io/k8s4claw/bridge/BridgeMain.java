package io.k8s4claw.bridge;

import io.k8s4claw.bridge.connect.RuntimeConnectors;
import io.k8s4claw.bridge.delivery.DeliveryPolicy;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.wal.FileStore;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's entry point. Without a subcommand it runs the bridge; {@code dead-letters list|replay} talk to
 * a running bridge's admin API. Every flag defaults to its environment variable ({@link BridgeCommandLine}: the
 * container is configured by env; the token is read from the environment only, never from a flag).
 */
public final class BridgeMain {

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

    public static void main(String[] args) {
        int code = run(List.of(args), System.getenv(), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs what {@code args} ask for; returns the exit code: 0, 2 for a command line or configuration that cannot
     * be run, 1 for a failure. Either prints one line a user can act on, not a stack trace.
     */
    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        try {
            switch (BridgeCommandLine.parse(args, environment)) {
                case BridgeCommandLine.Help help -> out.print(help.text());
                case BridgeCommandLine.Version version -> out.println(BridgeCommandLine.NAME + " " + Bridge.VERSION);
                case BridgeCommandLine.ListDeadLetters list ->
                    out.println(callAdminApi(list.bridge(), "GET", "/v1/dead-letters"));
                case BridgeCommandLine.ReplayDeadLetter replay ->
                    out.println(callAdminApi(replay.bridge(), "POST", "/v1/dead-letters/" + replay.id() + "/replay"));
                case BridgeCommandLine.Run bridge ->
                    runBridge(config(bridge, environment.getOrDefault("CLAW_RUNTIME_TOKEN", "")));
            }
            return 0;
        } catch (BridgeCommandLine.UsageException e) {
            err.println(BridgeCommandLine.NAME + ": " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            err.println(BridgeCommandLine.NAME + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }

    static BridgeConfig config(BridgeCommandLine.Run values, String token) {
        Set<String> channelSet = Arrays.stream(values.get("--channels").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        String allowedUids = values.get("--allowed-uids");
        Set<Integer> uids = switch (allowedUids.trim()) {
            case "any", "*" -> Set.of();
            case "self", "" -> Set.of(selfUid());
            default ->
                Arrays.stream(allowedUids.split(","))
                        .map(uid -> (int) values.number("--allowed-uids", uid))
                        .collect(Collectors.toSet());
        };
        String busSocket = values.get("--bus-socket");
        return new BridgeConfig(
                "none".equals(busSocket) ? null : Path.of(busSocket),
                values.integer("--bus-tcp-port"),
                Path.of(values.get("--data-dir")),
                values.integer("--http-port"),
                values.get("--runtime-protocol"),
                values.uri("--runtime-url"),
                token,
                channelSet,
                uids,
                new DeliveryPolicy(
                        values.integer("--max-concurrent-runs"),
                        values.duration("--retry-base"),
                        values.duration("--retry-max"),
                        values.duration("--dead-letter-after"),
                        values.integer("--max-attempts")),
                values.bool("--fsync"),
                values.number("--wal-segment-bytes"),
                values.number("--wal-max-bytes"),
                values.number("--max-pending"),
                values.integer("--dedupe-entries"),
                values.integer("--max-frame-bytes"),
                (int) values.duration("--heartbeat-interval").toMillis(),
                values.integer("--window"),
                values.duration("--shutdown-grace"));
    }

    private static void runBridge(BridgeConfig cfg) throws Exception {
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
            throw new IllegalArgumentException("'" + s + "' is not a duration (use e.g. 500ms, 60s, 5m, 1h)");
        }
    }

    /** The bridge's loopback admin API (dead letters), for the {@code dead-letters} subcommand. */
    static String callAdminApi(URI base, String method, String path) throws IOException, InterruptedException {
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
            throw new IOException("bridge answered " + resp.statusCode() + ": " + resp.body());
        }
        return resp.body();
    }
}
