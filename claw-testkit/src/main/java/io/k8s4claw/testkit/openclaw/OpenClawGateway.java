package io.k8s4claw.testkit.openclaw;

import io.k8s4claw.testkit.process.PeerProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs the real OpenClaw gateway ({@code node node_modules/openclaw/openclaw.mjs gateway run}) for tests:
 * {@code HOME=<stateHome>} holding {@code .openclaw/openclaw.json}, a free loopback port, the shared token in
 * {@code OPENCLAW_GATEWAY_TOKEN} (never on the command line), the embedding preset (docs/openclaw-and-relay-peers.md).
 * Start blocks until {@code GET /startupz} answers {@code {"ok":true,"status":"started",...}}.
 *
 * <p>{@link #stop()} / {@link #start()} (or {@link #restart()}) keep the same state directory, port and token, so
 * sessions survive and clients reconnect to the same URL; {@link #kill()} simulates a crash. stdout and stderr
 * of every start are appended to {@link #logFile()}. Close it (try-with-resources / {@code @AfterAll}).
 */
public final class OpenClawGateway implements AutoCloseable {

    private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final OpenClawInstallation installation;
    private final Path stateHome;
    private final String configJson;
    private final String token;
    private final int port;
    private final Duration startupTimeout;
    private final Map<String, String> extraEnv;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private Process process;
    private Duration lastStartDuration = Duration.ZERO;

    private OpenClawGateway(Builder b) {
        this.installation = b.installation != null ? b.installation : OpenClawInstaller.ensureInstalled();
        try {
            this.stateHome = b.stateHome != null ? b.stateHome : Files.createTempDirectory("openclaw-gateway-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.configJson = Objects.requireNonNull(b.configJson, "configJson (use OpenClawConfigs)");
        this.token = b.token != null ? b.token : PeerProcesses.randomHexSecret();
        this.port = b.port > 0 ? b.port : PeerProcesses.freeLoopbackPort();
        this.startupTimeout = b.startupTimeout;
        this.extraEnv = Map.copyOf(b.extraEnv);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the gateway and waits until it is started; no-op when running. */
    public synchronized OpenClawGateway start() {
        if (isRunning()) {
            return this;
        }
        Instant begin = Instant.now();
        try {
            Path configDir = stateHome.resolve(".openclaw");
            Files.createDirectories(configDir);
            Files.writeString(configDir.resolve("openclaw.json"), configJson, StandardCharsets.UTF_8);
            Files.writeString(
                    logFile(),
                    "---- " + Instant.now() + " starting gateway on 127.0.0.1:" + port + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(List.of(
                            installation.nodeBinary().toString(),
                            installation.entryPoint().toString(),
                            "gateway",
                            "run",
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "loopback"))
                    .directory(installation.packageRoot().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
            Map<String, String> env = pb.environment();
            env.putAll(OpenClawInstaller.nodeEnvironment(installation, env));
            env.put("HOME", stateHome.toString());
            env.put("OPENCLAW_GATEWAY_TOKEN", token);
            env.put("OPENCLAW_DISABLE_BONJOUR", "1");
            env.put("OPENCLAW_NO_RESPAWN", "1");
            env.put("OPENCLAW_SKIP_CHANNELS", "1");
            env.put("OPENCLAW_NO_AUTO_UPDATE", "1");
            env.put("NO_COLOR", "1");
            // keep the machine's model keys away from the gateway: tests use the fake model server only
            env.keySet().removeIf(k -> k.endsWith("_API_KEY"));
            env.putAll(extraEnv);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot start the OpenClaw gateway (" + installation.nodeBinary() + "): " + e.getMessage(), e);
        }
        awaitStarted(begin);
        lastStartDuration = Duration.between(begin, Instant.now());
        return this;
    }

    private void awaitStarted(Instant begin) {
        Instant deadline = begin.plus(startupTimeout);
        HttpRequest probe = HttpRequest.newBuilder(URI.create(httpBase() + "/startupz"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        String lastProbe = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the OpenClaw gateway exited with code " + process.exitValue()
                        + " before it started; last lines of " + logFile() + ":\n"
                        + OpenClawInstaller.tail(logFile(), 30));
            }
            try {
                HttpResponse<String> r = http.send(probe, HttpResponse.BodyHandlers.ofString());
                String body = r.body().replace(" ", "");
                if (r.statusCode() == 200 && body.contains("\"ok\":true") && body.contains("\"status\":\"started\"")) {
                    return;
                }
                lastProbe = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                lastProbe = e.toString(); // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the OpenClaw gateway", e);
            }
            PeerProcesses.pause(250);
        }
        destroyTree(true);
        throw new IllegalStateException("the OpenClaw gateway did not report started on " + httpBase()
                + "/startupz within " + startupTimeout + " (last probe: " + lastProbe + "); last lines of " + logFile()
                + ":\n" + OpenClawInstaller.tail(logFile(), 30));
    }

    /** Orderly stop (SIGTERM: the gateway broadcasts {@code shutdown} and closes sockets with 1012). */
    public synchronized void stop() {
        destroyTree(false);
    }

    /** Crash: SIGKILL to the gateway and its children; in-memory state (dedupe cache, live runs) is lost. */
    public synchronized void kill() {
        destroyTree(true);
    }

    /** {@link #stop()} then {@link #start()}: same state dir, port and token. */
    public synchronized void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void destroyTree(boolean forcibly) {
        if (process == null) {
            return;
        }
        PeerProcesses.stopTree(process, forcibly, STOP_TIMEOUT);
        process = null;
    }

    /**
     * {@code ws://127.0.0.1:<port>/}: the literal IPv4 loopback address, as the local-backend path requires
     * (claw-ipc-bridge docs/runtime-openclaw.md).
     */
    public URI url() {
        return URI.create("ws://127.0.0.1:" + port + "/");
    }

    public String httpBase() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The shared gateway token. A test secret: fine to hand to a test client, never to print. */
    public String token() {
        return token;
    }

    public Path stateHome() {
        return stateHome;
    }

    public Path logFile() {
        return stateHome.resolve("gateway.log");
    }

    public OpenClawInstallation installation() {
        return installation;
    }

    /** How long the last {@link #start()} took until {@code /startupz} said started. */
    public Duration lastStartDuration() {
        return lastStartDuration;
    }

    @Override
    public synchronized void close() {
        destroyTree(false);
    }

    public static final class Builder {
        private OpenClawInstallation installation;
        private Path stateHome;
        private String configJson;
        private String token;
        private int port;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private final Map<String, String> extraEnv = new HashMap<>();

        public Builder installation(OpenClawInstallation installation) {
            this.installation = installation;
            return this;
        }

        /**
         * HOME of the gateway; {@code .openclaw/} (config, state) and {@code gateway.log} go there. Default: a temp
         * dir.
         */
        public Builder stateHome(Path stateHome) {
            this.stateHome = stateHome;
            return this;
        }

        /** The {@code openclaw.json} content; see {@link OpenClawConfigs}. */
        public Builder config(String configJson) {
            this.configJson = configJson;
            return this;
        }

        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        public Builder env(String name, String value) {
            extraEnv.put(name, value);
            return this;
        }

        public OpenClawGateway build() {
            return new OpenClawGateway(this);
        }

        /** Builds and starts. */
        public OpenClawGateway start() {
            return build().start();
        }
    }
}
