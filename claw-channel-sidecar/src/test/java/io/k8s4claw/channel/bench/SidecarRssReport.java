package io.k8s4claw.channel.bench;

import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.discord.FakeDiscord;
import io.k8s4claw.channel.sdk.FakeBridge;
import io.k8s4claw.channel.slack.FakeSlack;
import io.k8s4claw.channel.telegram.FakeTelegram;
import io.k8s4claw.channel.webhook.WebhookSignature;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures each channel sidecar's resident memory: the shaded runnable jar in a child JVM with the
 * container's JVM flags (JAVA_TOOL_OPTIONS), against the platform fakes and a fake bridge in this JVM.
 * Prints VmRSS (from /proc/&lt;pid&gt;/status) 3 s after ready (connected to the platform fake and the bridge)
 * and again 10 s after ready, both idle, and after 200 inbound events + 200 replies.
 * Nothing is asserted: numbers are for the report.
 *
 * <pre>
 * ./mvnw -pl claw-channel-sidecar package -DskipTests
 * ./mvnw -pl claw-channel-sidecar test -Dtest=SidecarRssReport -Dchannel.rss=true
 * # another flag set / environment / subset, e.g. the flags before the tuning:
 * ./mvnw -pl claw-channel-sidecar test -Dtest=SidecarRssReport -Dchannel.rss=true -Dchannel.rss.env= \
 *     -Dchannel.rss.flags="-XX:+UseSerialGC ..." -Dchannel.rss.types=slack,telegram
 * </pre>
 * The child's output (logs, -Xlog, NMT) is kept in {@code target/rss/<type>.log}.
 */
class SidecarRssReport {
    /**
     * The channel sidecar's JAVA_TOOL_OPTIONS (Jib image and what the operator renders; keep the three in step).
     * C1MaxInlineSize=15 and the Tier3 thresholds (10x the defaults) cut C1's compiler arenas (one compile of a
     * big JDK method peaked at 6.6 MB, which glibc then kept resident) and the start-up-only methods it compiles;
     * the native heap trim returns later malloc spikes to the OS (see docs/operations.md, "Memory").
     */
    static final String CONTAINER_FLAGS = "-XX:+UseSerialGC -Xss512k -XX:MaxRAM=128m -Xmx32m -XX:TieredStopAtLevel=1"
            + " -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=64m -XX:C1MaxInlineSize=15"
            + " -XX:Tier3InvocationThreshold=2000 -XX:Tier3MinInvocationThreshold=1000 -XX:Tier3CompileThreshold=20000"
            + " -XX:Tier3BackEdgeThreshold=600000 -XX:TrimNativeHeapInterval=2000";
    /** The image's environment that affects memory. */
    static final String CONTAINER_ENV = "MALLOC_ARENA_MAX=2";
    /** Flags under test (default: the container's); {@code -Dchannel.rss.flags="..."} measures another set. */
    static final String JVM_FLAGS = System.getProperty("channel.rss.flags", CONTAINER_FLAGS);
    /**
     * Environment of the child that affects memory (comma-separated; default the image's), e.g.
     * {@code -Dchannel.rss.env=}.
     */
    static final String EXTRA_ENV = System.getProperty("channel.rss.env", CONTAINER_ENV);
    /** Which types to measure ({@code -Dchannel.rss.types=slack,discord}); all by default. */
    static final String TYPES = System.getProperty("channel.rss.types", "slack,discord,telegram,webhook");

    static final int EVENTS = 200;

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();
    final List<String> report = new ArrayList<>();

    @Test
    void printRss() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("channel.rss"), "memory report runs with -Dchannel.rss=true");
        File jar = runnableJar();
        Assumptions.assumeTrue(
                jar != null, "build the runnable jar first: ./mvnw -pl claw-channel-sidecar package -DskipTests");
        List<String> types = List.of(TYPES.split(","));
        if (types.contains("slack")) measureSlack(jar);
        if (types.contains("discord")) measureDiscord(jar);
        if (types.contains("telegram")) measureTelegram(jar);
        if (types.contains("webhook")) measureWebhook(jar);
        System.out.println("\n=== channel sidecar RSS (java " + Runtime.version() + ", JAVA_TOOL_OPTIONS=\"" + JVM_FLAGS
                + "\"" + (EXTRA_ENV.isBlank() ? "" : ", env " + EXTRA_ENV) + ") ===");
        report.forEach(System.out::println);
    }

    private static File runnableJar() {
        File[] jars = new File("target").listFiles((d, n) -> n.endsWith("-runnable.jar"));
        return jars == null || jars.length == 0 ? null : jars[0];
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the sidecar in a child JVM and waits for /readyz. */
    private Process launch(File jar, String type, String config, Map<String, String> secrets, Path socket, int port)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.getAbsolutePath());
        Map<String, String> env = pb.environment();
        env.put("JAVA_TOOL_OPTIONS", JVM_FLAGS);
        for (String kv : EXTRA_ENV.split(",")) {
            if (!kv.isBlank())
                env.put(
                        kv.substring(0, kv.indexOf('=')).trim(),
                        kv.substring(kv.indexOf('=') + 1).trim());
        }
        env.put("CHANNEL_NAME", type + "-bench");
        env.put("CHANNEL_TYPE", type);
        env.put("CHANNEL_CONFIG", config);
        env.put("CLAW_BUS_SOCKET", socket.toString());
        env.put("CHANNEL_HTTP_PORT", String.valueOf(port));
        env.put("CHANNEL_HTTP_BIND", "127.0.0.1");
        env.putAll(secrets);
        Path logs = Files.createDirectories(Path.of("target", "rss"));
        pb.redirectErrorStream(true).redirectOutput(logs.resolve(type + ".log").toFile());
        Process p = pb.start();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200;
                });
        return p;
    }

    private static long rssKib(long pid) throws IOException {
        return procStatus(pid, "VmRSS:");
    }

    /** A numeric field of /proc/&lt;pid&gt;/status (VmRSS in KiB, Threads ...). */
    private static long procStatus(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    private void record(String type, Process p, Runnable traffic) throws Exception {
        Thread.sleep(3000); // settle after start-up
        long idle = rssKib(p.pid());
        long threads = procStatus(p.pid(), "Threads:");
        Thread.sleep(7000); // still idle: 10 s after ready (periodic native heap trim has run)
        long idle10 = rssKib(p.pid());
        long t0 = System.nanoTime();
        traffic.run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Thread.sleep(1000);
        long after = rssKib(p.pid());
        report.add(String.format(
                "%-9s idle %6.1f MiB (%d threads), 10 s idle %6.1f MiB   after %d events + %d replies (%d ms) %6.1f "
                        + "MiB",
                type, idle / 1024.0, threads, idle10 / 1024.0, EVENTS, EVENTS, ms, after / 1024.0));
        p.destroy();
        p.waitFor();
    }

    private static void replies(FakeBridge bridge, String conversation, String thread) {
        AtomicLong seq = new AtomicLong(1000);
        for (int i = 0; i < EVENTS; i++) {
            bridge.current()
                    .send(Frame.newBuilder()
                            .setReply(Reply.newBuilder()
                                    .setReplySeq(seq.incrementAndGet())
                                    .setStreamId("s" + i)
                                    .setConversationId(conversation)
                                    .setThreadId(thread)
                                    .setFinal(ReplyFinal.newBuilder().setText("reply number " + i + " ".repeat(20)))));
        }
        awaitAcks(bridge, EVENTS);
    }

    private static void awaitAcks(FakeBridge bridge, int n) {
        await().atMost(Duration.ofSeconds(120))
                .until(() -> bridge.current().frames.stream()
                                .filter(Frame::hasReplyAck)
                                .count()
                        >= n);
    }

    private static void awaitMessages(FakeBridge bridge, int n) {
        await().atMost(Duration.ofSeconds(120))
                .until(() -> bridge.current().frames.stream()
                                .filter(Frame::hasUserMessage)
                                .count()
                        >= n);
    }

    private void measureSlack(File jar) throws Exception {
        String app = "xapp-1-bench";
        String bot = "xoxb-bench";
        try (FakeSlack slack = new FakeSlack(app, bot);
                FakeBridge bridge = new FakeBridge(dir.resolve("slack.sock"))) {
            bridge.autoAck = true;
            Process p = launch(
                    jar,
                    "slack",
                    "{\"apiBaseUrl\":\"" + slack.apiBase() + "\"}",
                    Map.of("SLACK_APP_TOKEN", app, "SLACK_BOT_TOKEN", bot),
                    bridge.socket,
                    freePort());
            record("slack", p, () -> {
                FakeSlack.Socket s = slack.sockets.get(slack.sockets.size() - 1);
                for (int i = 0; i < EVENTS; i++)
                    s.sendEvent("Ev" + i, FakeSlack.message("C1", "U1", "1700000000." + (100000 + i), "message " + i));
                awaitMessages(bridge, EVENTS);
                replies(bridge, "C1", "1700000000.100000");
            });
        }
    }

    private void measureDiscord(File jar) throws Exception {
        String token = "MTEx.bench";
        try (FakeDiscord discord = new FakeDiscord(token);
                FakeBridge bridge = new FakeBridge(dir.resolve("discord.sock"))) {
            bridge.autoAck = true;
            discord.heartbeatIntervalMs = 41_250;
            Process p = launch(
                    jar,
                    "discord",
                    "{\"apiBaseUrl\":\"" + discord.apiBase() + "\"}",
                    Map.of("DISCORD_BOT_TOKEN", token),
                    bridge.socket,
                    freePort());
            record("discord", p, () -> {
                for (int i = 0; i < EVENTS; i++)
                    discord.messageCreate(String.valueOf(5000 + i), "555", "U7", false, "message " + i);
                awaitMessages(bridge, EVENTS);
                replies(bridge, "555", "");
            });
        }
    }

    private void measureTelegram(File jar) throws Exception {
        String token = "123:bench";
        try (FakeTelegram telegram = new FakeTelegram(token);
                FakeBridge bridge = new FakeBridge(dir.resolve("telegram.sock"))) {
            bridge.autoAck = true;
            Process p = launch(
                    jar,
                    "telegram",
                    "{\"apiBaseUrl\":\"" + telegram.apiBase() + "\",\"pollTimeoutSeconds\":1}",
                    Map.of("TELEGRAM_BOT_TOKEN", token),
                    bridge.socket,
                    freePort());
            record("telegram", p, () -> {
                for (int i = 0; i < EVENTS; i++) telegram.userMessage(42, "private", false, "message " + i);
                awaitMessages(bridge, EVENTS);
                replies(bridge, "42", "");
            });
        }
    }

    private void measureWebhook(File jar) throws Exception {
        try (MockWebServer receiver = new MockWebServer();
                FakeBridge bridge = new FakeBridge(dir.resolve("webhook.sock"))) {
            for (int i = 0; i < EVENTS; i++) receiver.enqueue(new MockResponse().setResponseCode(200));
            receiver.start();
            bridge.autoAck = true;
            int port = freePort();
            Process p = launch(
                    jar,
                    "webhook",
                    "{\"outboundUrl\":\"" + receiver.url("/r") + "\"}",
                    Map.of("WEBHOOK_SECRET", "in-secret", "WEBHOOK_OUTBOUND_SECRET", "out-secret"),
                    bridge.socket,
                    port);
            record("webhook", p, () -> {
                try {
                    for (int i = 0; i < EVENTS; i++) {
                        String body = "{\"conversation_id\":\"c\",\"text\":\"message " + i + "\"}";
                        String ts = String.valueOf(System.currentTimeMillis() / 1000);
                        Map<String, String> h = new HashMap<>();
                        http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook"))
                                        .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                                        .header(
                                                WebhookSignature.SIGNATURE_HEADER,
                                                WebhookSignature.sign(
                                                        new Secret("s", "in-secret"),
                                                        ts,
                                                        body.getBytes(StandardCharsets.UTF_8)))
                                        .header(WebhookSignature.DELIVERY_HEADER, "d" + i)
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                replies(bridge, "c", "");
            });
        }
    }
}
