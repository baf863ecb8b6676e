package io.k8s4claw.channel;

import com.sun.net.httpserver.HttpExchange;
import io.k8s4claw.channel.common.ChannelHttpServer;
import io.k8s4claw.channel.common.ConfigException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Several built-in channels of one Claw in one JVM (the shared channel container): each is a full
 * {@link ChannelHost} of its own — own bus connection, own configuration and secrets, own HTTP port with its
 * own {@code /healthz}, {@code /readyz}, {@code /metrics} (labelled with its name) and inbound routes, own
 * threads — so a second and third channel cost a few megabytes instead of a JVM, and a channel that fails
 * (bad token, platform outage, an exception in its code) fails alone.
 *
 * <p>Environment: {@code CHANNEL_COUNT=n} and, for each channel {@code i} in 1..n, the single sidecar's
 * variables with the prefix {@code CHANNEL_<i>_} ({@code CHANNEL_1_NAME}, {@code CHANNEL_1_TYPE},
 * {@code CHANNEL_1_CONFIG}, {@code CHANNEL_1_HTTP_PORT}, …) and its secrets either prefixed the same way
 * ({@code CHANNEL_1_SLACK_BOT_TOKEN}, what Kubernetes' {@code envFrom.prefix} gives) or as files in
 * {@code CHANNEL_<i>_SECRETS_DIR} (one file per variable, e.g. a mounted Secret volume). Only the
 * container-wide settings in {@link #SHARED} are taken unprefixed: a channel never sees another's secrets.
 *
 * <p>A channel's secrets directory is polled; when its content changes (the Secret was rolled and the kubelet
 * updated the volume) that one channel is closed and built again from the new files — its siblings keep their
 * connections. A channel whose configuration is invalid is reported (log line, {@code /readyz/channels}) and
 * not started; the others start.
 */
public final class ChannelGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChannelGroup.class.getName());

    /** Container-wide settings every channel reads unprefixed. */
    static final Set<String> SHARED = Set.of(
            "CLAW_BUS_SOCKET",
            "CHANNEL_HTTP_BIND",
            "CHANNEL_HTTP_REQUEST_TIMEOUT_SECONDS",
            "CHANNEL_HTTP_MAX_CONNECTIONS",
            "CHANNEL_STATE_DIR",
            "HOSTNAME");

    static final int MAX_CHANNELS = 32;
    /**
     * {@code CHANNEL_<i>_NAME} is the channel's {@code CHANNEL_NAME}, and so on; any other suffix (a secret) keeps its
     * name.
     */
    static final Set<String> PER_CHANNEL = Set.of("NAME", "TYPE", "CONFIG", "MODE", "HTTP_PORT", "BUFFER_SIZE");

    /** One channel's slot: its environment and the host running it now (null when its configuration failed). */
    private static final class Member {
        final int index;
        final Map<String, String> baseEnv;
        final Path secretsDir;
        volatile ChannelHost host;
        volatile String failure;
        volatile String secretsDigest;

        Member(int index, Map<String, String> baseEnv, Path secretsDir) {
            this.index = index;
            this.baseEnv = baseEnv;
            this.secretsDir = secretsDir;
        }

        String name() {
            return baseEnv.getOrDefault("CHANNEL_NAME", "channel " + index);
        }
    }

    private final List<Member> members;
    private final Duration secretsPoll;
    private final Duration restartGrace;
    private ScheduledExecutorService watcher;

    private ChannelGroup(List<Member> members, Duration secretsPoll, Duration restartGrace) {
        this.members = members;
        this.secretsPoll = secretsPoll;
        this.restartGrace = restartGrace;
    }

    /** Whether the environment asks for the shared container ({@code CHANNEL_COUNT} set). */
    public static boolean requested(Map<String, String> env) {
        String n = env.get("CHANNEL_COUNT");
        return n != null && !n.isBlank();
    }

    /**
     * Builds (does not start) every channel. A {@link ConfigException} is thrown only for the group's own settings
     * ({@code CHANNEL_COUNT}); a channel's configuration error is kept and reported, and its siblings still run.
     */
    public static ChannelGroup fromEnvironment(Map<String, String> env) {
        int count;
        try {
            count = Integer.parseInt(env.get("CHANNEL_COUNT").trim());
            if (count < 1 || count > MAX_CHANNELS) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new ConfigException("CHANNEL_COUNT must be an integer between 1 and " + MAX_CHANNELS + ", got \""
                    + env.get("CHANNEL_COUNT") + "\"");
        }
        long pollSeconds = 10;
        String poll = env.get("CHANNEL_SECRETS_POLL_SECONDS");
        if (poll != null && !poll.isBlank()) {
            try {
                pollSeconds = Long.parseLong(poll.trim());
                if (pollSeconds < 1 || pollSeconds > 3600) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new ConfigException(
                        "CHANNEL_SECRETS_POLL_SECONDS must be an integer between 1 and 3600, got \"" + poll + "\"");
            }
        }
        List<Member> members = new ArrayList<>();
        // Two channels on one port would have the second fail at bind: say which ones instead.
        Map<String, String> ports = new TreeMap<>();
        for (int i = 1; i <= count; i++) {
            String prefix = "CHANNEL_" + i + "_";
            Map<String, String> own = new HashMap<>();
            for (String key : SHARED) {
                if (env.containsKey(key)) own.put(key, env.get(key));
            }
            env.forEach((k, v) -> {
                if (k.startsWith(prefix) && k.length() > prefix.length()) {
                    String rest = k.substring(prefix.length());
                    own.put(PER_CHANNEL.contains(rest) ? "CHANNEL_" + rest : rest, v);
                }
            });
            String dir = own.remove("SECRETS_DIR");
            Member m = new Member(i, Map.copyOf(own), dir == null || dir.isBlank() ? null : Path.of(dir.trim()));
            members.add(m);
            m.secretsDigest = digest(m.secretsDir);
            String port = m.baseEnv.getOrDefault("CHANNEL_HTTP_PORT", "8081").trim();
            String other = port.equals("0") ? null : ports.putIfAbsent(port, m.name());
            if (other != null) {
                m.failure = "CHANNEL_" + i + "_HTTP_PORT " + port + " is already the port of channel " + other;
                LOG.log(Level.ERROR, "channel {0}: configuration error: {1}", m.name(), m.failure);
                continue;
            }
            build(m);
        }
        long drain =
                Long.parseLong(env.getOrDefault("CHANNEL_DRAIN_MILLIS", "20000").trim());
        return new ChannelGroup(
                List.copyOf(members), Duration.ofSeconds(pollSeconds), Duration.ofMillis(Math.min(drain, 5000)));
    }

    private static void build(Member m) {
        try {
            m.host = ChannelHost.fromEnvironment(environment(m));
            m.failure = null;
        } catch (IOException | RuntimeException e) {
            m.host = null;
            m.failure = e instanceof ConfigException
                    ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.log(Level.ERROR, "channel {0}: configuration error: {1}", m.name(), m.failure);
        }
    }

    /**
     * The channel's environment: its prefixed variables and shared settings, plus the files of its secrets directory.
     */
    private static Map<String, String> environment(Member m) throws IOException {
        Map<String, String> env = new HashMap<>(m.baseEnv);
        if (m.secretsDir != null) {
            if (!Files.isDirectory(m.secretsDir)) {
                throw new ConfigException(
                        "CHANNEL_" + m.index + "_SECRETS_DIR " + m.secretsDir + " is not a directory");
            }
            for (Map.Entry<String, String> e : secretFiles(m.secretsDir).entrySet()) {
                env.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        return env;
    }

    /** Regular files of a mounted Secret (the kubelet's {@code ..data} links and dot-files skipped), by name. */
    private static Map<String, String> secretFiles(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(p)) continue;
                files.put(name, Files.readString(p, StandardCharsets.UTF_8).strip());
            }
        }
        return files;
    }

    private static String digest(Path dir) {
        if (dir == null) return "";
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> e : secretFiles(dir).entrySet()) {
                sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(e.getValue().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            return "unreadable";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts every channel that was built; one that throws on start is reported and the others start. */
    public void start() {
        for (Member m : members) {
            startMember(m);
        }
        if (members.stream().anyMatch(m -> m.secretsDir != null)) {
            watcher = Executors.newSingleThreadScheduledExecutor(r ->
                    Thread.ofPlatform().daemon(true).name("channel-secrets").unstarted(r));
            watcher.scheduleWithFixedDelay(
                    this::checkSecrets, secretsPoll.toMillis(), secretsPoll.toMillis(), TimeUnit.MILLISECONDS);
        }
        LOG.log(Level.INFO, "channel container started: {0} of {1} channels running", running(), members.size());
    }

    private void startMember(Member m) {
        ChannelHost host = m.host;
        if (host == null) return;
        try {
            // the container's readiness, on every channel's port (the operator probes the first one's)
            host.http().route("/readyz/channels", this::readyzChannels);
            host.start();
        } catch (RuntimeException e) {
            m.failure = "failed to start: " + e;
            LOG.log(Level.ERROR, "channel " + m.name() + " failed to start; the other channels keep running", e);
            try {
                host.close(Duration.ofMillis(100));
            } catch (RuntimeException ignored) {
                // best effort
            }
            m.host = null;
        }
    }

    private long running() {
        return members.stream().filter(m -> m.host != null).count();
    }

    /** Restarts the channels whose secrets changed. Runs on the watcher thread. */
    void checkSecrets() {
        for (Member m : members) {
            if (m.secretsDir == null) continue;
            String now = digest(m.secretsDir);
            if (now.equals(m.secretsDigest)) continue;
            m.secretsDigest = now;
            LOG.log(
                    Level.INFO,
                    "channel {0}: its secrets changed; restarting this channel (the others keep running)",
                    m.name());
            ChannelHost old = m.host;
            if (old != null) {
                try {
                    old.close(restartGrace);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "channel " + m.name() + ": close before restart failed", e);
                }
            }
            build(m);
            startMember(m);
        }
    }

    /** Readiness of the container: 200 when every channel is ready; the body lists each channel's state. */
    private void readyzChannels(HttpExchange ex) throws IOException {
        StringBuilder body = new StringBuilder();
        boolean all = true;
        for (Member m : members) {
            ChannelHost h = m.host;
            String state;
            if (h == null) {
                all = false;
                state = "not running: " + m.failure;
            } else {
                ChannelHttpServer.Readiness r = h.readiness();
                all &= r.ready();
                state = (r.ready() ? "ready: " : "not ready: ") + r.detail();
            }
            body.append(m.name()).append(": ").append(state).append('\n');
        }
        ChannelHttpServer.respond(ex, all ? 200 : 503, "text/plain; charset=utf-8", body.toString());
    }

    /** The channels' hosts in {@code CHANNEL_<i>_} order; null where a channel is not running. */
    public List<ChannelHost> hosts() {
        List<ChannelHost> hosts = new ArrayList<>();
        for (Member m : members) hosts.add(m.host);
        return hosts;
    }

    /** Why the channel at {@code index} (0-based) is not running, or null. */
    public String failure(int index) {
        return members.get(index).failure;
    }

    /** Drains every channel in parallel within {@code grace}. */
    public void close(Duration grace) {
        if (watcher != null) watcher.shutdownNow();
        List<Thread> closing = new ArrayList<>();
        for (Member m : members) {
            ChannelHost h = m.host;
            if (h != null)
                closing.add(Thread.ofPlatform().name("drain-" + m.name()).start(() -> h.close(grace)));
        }
        for (Thread t : closing) {
            try {
                t.join(grace.toMillis() + 5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
