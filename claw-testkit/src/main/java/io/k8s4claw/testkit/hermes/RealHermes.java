package io.k8s4claw.testkit.hermes;

import io.k8s4claw.testkit.install.CachedInstall;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Runs the real Hermes Agent ({@code hermes gateway run --no-supervise}, the adapter's container arguments) for
 * tests, from an {@link HermesInstaller} install, with its own {@code HERMES_HOME} and {@code HOME} in a temp
 * directory, its API server on a free loopback port with a random key, and the environment an offline machine
 * needs (no Tirith download, no lazy pip installs). The model is whatever {@code $HERMES_HOME/config.yaml} names:
 * {@link #modelConfig(URI)} points it at the testkit's fake model server.
 *
 * <p>The caller owns what is in {@code HERMES_HOME} (the adapter's init script, or {@link Builder#configYaml});
 * {@link #start()} waits for {@code GET /health}, {@link #startGateway()} only for the gateway to say
 * {@code running} in {@code gateway_state.json} (for starts where the API server is meant to stay off).
 * {@link #stop()} is SIGTERM, {@link #kill()} SIGKILL of Hermes and every process it started; {@link #start()}
 * again reuses the same home, port and key. Output of every start is appended to {@link #logFile()}.
 */
public final class RealHermes implements AutoCloseable {

    private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> DEFAULT_ARGS = List.of("gateway", "run", "--no-supervise");

    private final HermesInstallation installation;
    private final Path root;
    private final Path home;
    private final String apiKey;
    private final int port;
    private final List<String> args;
    private final Map<String, String> env;
    private final Duration startupTimeout;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private Process process;
    private Integer lastExitCode;

    private RealHermes(Builder b) {
        this.installation = b.installation != null ? b.installation : HermesInstaller.ensureInstalled();
        try {
            this.root = b.root != null ? b.root : Files.createTempDirectory("real-hermes-");
            this.home = b.home != null ? b.home : root.resolve("hermes-home");
            Files.createDirectories(home);
            Files.createDirectories(root.resolve("user-home"));
            if (b.configYaml != null && !Files.exists(home.resolve("config.yaml"))) {
                Files.writeString(home.resolve("config.yaml"), b.configYaml, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.apiKey = b.apiKey != null ? b.apiKey : PeerProcesses.randomHexSecret();
        this.port = b.port > 0 ? b.port : PeerProcesses.freeLoopbackPort();
        this.args = List.copyOf(b.args);
        this.startupTimeout = b.startupTimeout;
        Map<String, String> e = new LinkedHashMap<>();
        e.put("HERMES_HOME", home.toString());
        e.put("HOME", root.resolve("user-home").toString());
        e.put("API_SERVER_ENABLED", "true");
        e.put("API_SERVER_HOST", "127.0.0.1");
        e.put("API_SERVER_PORT", Integer.toString(port));
        e.put("API_SERVER_KEY", apiKey);
        // Offline: Tirith would download its scanner binary at start, lazy installs would pip install at run time.
        e.put("TIRITH_ENABLED", "false");
        e.put("HERMES_DISABLE_LAZY_INSTALLS", "1");
        e.put("NO_COLOR", "1");
        e.put("PYTHONUNBUFFERED", "1");
        e.putAll(b.env); // null values remove a variable
        this.env = e;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The {@code config.yaml} lines that point Hermes at an OpenAI-compatible server such as the testkit's
     * {@code FakeOpenAiServer}: provider {@code custom} (its key is read only from {@code model.api_key}, never
     * from {@code OPENAI_API_KEY}), a context window at Hermes's 64,000-token minimum or above, and no title
     * generation (it would be a second model call per new session).
     */
    public static String modelConfig(URI baseUrl) {
        return "model:\n"
                + "  provider: custom\n"
                + "  default: echo-1\n"
                + "  base_url: " + baseUrl + "\n"
                + "  api_key: k8s4claw-fake-model-key\n"
                + "  context_length: 128000\n"
                + "auxiliary:\n"
                + "  title_generation:\n"
                + "    enabled: false\n";
    }

    /** Starts Hermes and waits until {@code GET /health} answers {@code "status": "ok"}; no-op when running. */
    public synchronized RealHermes start() {
        if (isRunning()) {
            return this;
        }
        Instant begin = launch();
        awaitHealth(begin);
        return this;
    }

    /** Starts Hermes and waits until the gateway reports {@code running}, whether or not its API server came up. */
    public synchronized RealHermes startGateway() {
        if (isRunning()) {
            return this;
        }
        Instant begin = launch();
        Instant deadline = begin.plus(startupTimeout);
        while (Instant.now().isBefore(deadline)) {
            requireAlive("before the gateway reported running");
            if (gatewayState().filter("running"::equals).isPresent()) {
                return this;
            }
            PeerProcesses.pause(100);
        }
        destroyTree(true, STOP_TIMEOUT);
        throw new IllegalStateException(
                "Hermes's gateway did not report running in " + home.resolve("gateway_state.json") + " within "
                        + startupTimeout + "; last lines of " + logFile() + ":\n" + CachedInstall.tail(logFile(), 30));
    }

    private Instant launch() {
        Instant begin = Instant.now();
        try {
            Files.deleteIfExists(home.resolve("gateway_state.json"));
            Files.writeString(
                    logFile(),
                    "---- " + begin + " starting hermes " + String.join(" ", args) + " on 127.0.0.1:" + port + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(installation.hermesCommand(args))
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
            Map<String, String> pe = pb.environment();
            // Keep the machine's model keys and Hermes settings away: tests use the fake model server only.
            pe.keySet()
                    .removeIf(k -> k.endsWith("_API_KEY")
                            || k.startsWith("HERMES_")
                            || k.startsWith("API_SERVER_")
                            || k.startsWith("GATEWAY_")
                            || k.equals("PYTHONPATH")
                            || k.equals("VIRTUAL_ENV"));
            env.forEach((k, v) -> {
                if (v == null) {
                    pe.remove(k);
                } else {
                    pe.put(k, v);
                }
            });
            process = pb.start();
            lastExitCode = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Hermes (" + installation.python() + "): " + e.getMessage(), e);
        }
        return begin;
    }

    private void awaitHealth(Instant begin) {
        Instant deadline = begin.plus(startupTimeout);
        HttpRequest probe = HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        String lastProbe = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            requireAlive("before its API server answered /health");
            try {
                HttpResponse<String> r = http.send(probe, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().replace(" ", "").contains("\"status\":\"ok\"")) {
                    return;
                }
                lastProbe = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                lastProbe = e.toString(); // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Hermes", e);
            }
            PeerProcesses.pause(100);
        }
        destroyTree(true, STOP_TIMEOUT);
        throw new IllegalStateException("Hermes's API server did not answer " + baseUrl() + "/health within "
                + startupTimeout + " (last probe: " + lastProbe + "); last lines of " + logFile() + ":\n"
                + CachedInstall.tail(logFile(), 30));
    }

    private void requireAlive(String when) {
        if (!process.isAlive()) {
            lastExitCode = process.exitValue();
            throw new IllegalStateException("Hermes exited with code " + lastExitCode + " " + when + "; last lines of "
                    + logFile() + ":\n" + CachedInstall.tail(logFile(), 30));
        }
    }

    /** {@code gateway_state} from {@code $HERMES_HOME/gateway_state.json}, when the file is there and readable. */
    public Optional<String> gatewayState() {
        Path file = home.resolve("gateway_state.json");
        try {
            String json = Files.readString(file);
            var m = Pattern.compile("\"gateway_state\"\\s*:\\s*\"([a-z_]+)\"").matcher(json);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** SIGTERM and wait for the exit (Hermes drains, marks sessions for resume, closes its databases). */
    public synchronized int stop() {
        return destroyTree(false, STOP_TIMEOUT);
    }

    /** SIGTERM, then SIGKILL if Hermes has not exited within {@code grace} (as the kubelet does); the exit code. */
    public synchronized int stop(Duration grace) {
        return destroyTree(false, grace);
    }

    /** SIGKILL to Hermes and every process it started: a crash, nothing flushed. */
    public synchronized int kill() {
        return destroyTree(true, STOP_TIMEOUT);
    }

    /** The exit code of the last process that ended, if one has. */
    public synchronized Optional<Integer> lastExitCode() {
        return Optional.ofNullable(lastExitCode);
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Hermes's process id. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("Hermes is not running");
        }
        return process.pid();
    }

    private int destroyTree(boolean forcibly, Duration grace) {
        if (process == null) {
            return lastExitCode == null ? -1 : lastExitCode;
        }
        lastExitCode = PeerProcesses.stopTree(process, forcibly, grace);
        process = null;
        return lastExitCode;
    }

    /** {@code http://127.0.0.1:<port>}, the API server. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** {@code API_SERVER_KEY}. A test secret: fine to hand to a test client, never to print. */
    public String apiKey() {
        return apiKey;
    }

    /** {@code HERMES_HOME}. */
    public Path home() {
        return home;
    }

    public Path logFile() {
        return root.resolve("hermes.log");
    }

    public HermesInstallation installation() {
        return installation;
    }

    @Override
    public synchronized void close() {
        destroyTree(false, STOP_TIMEOUT);
    }

    public static final class Builder {
        private HermesInstallation installation;
        private Path root;
        private Path home;
        private String configYaml;
        private String apiKey;
        private int port;
        private List<String> args = DEFAULT_ARGS;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private final Map<String, String> env = new LinkedHashMap<>();

        public Builder installation(HermesInstallation installation) {
            this.installation = installation;
            return this;
        }

        /** The directory holding the log, {@code HOME} and (by default) {@code HERMES_HOME}; default a temp dir. */
        public Builder root(Path root) {
            this.root = root;
            return this;
        }

        /** {@code HERMES_HOME}; default {@code <root>/hermes-home}. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** Written to {@code $HERMES_HOME/config.yaml} when there is none yet. */
        public Builder configYaml(String configYaml) {
            this.configYaml = configYaml;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Arguments after {@code hermes}; default {@code gateway run --no-supervise}. */
        public Builder args(List<String> args) {
            this.args = List.copyOf(args);
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        /** Sets a variable of Hermes's environment; {@code null} removes one the launcher would set. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> vars) {
            env.putAll(vars);
            return this;
        }

        public RealHermes build() {
            return new RealHermes(this);
        }

        /** Builds and starts (waits for {@code /health}). */
        public RealHermes start() {
            return build().start();
        }
    }
}
