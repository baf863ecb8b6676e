package io.k8s4claw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.discord.FakeDiscord;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.ReplyOutcome;
import io.k8s4claw.channel.slack.FakeSlack;
import io.k8s4claw.channel.telegram.FakeTelegram;
import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import io.k8s4claw.testkit.hermes.RealHermes;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import io.k8s4claw.testkit.llm.ScriptedReply;
import io.k8s4claw.testkit.openclaw.OpenClawConfigs;
import io.k8s4claw.testkit.openclaw.OpenClawGateway;
import io.k8s4claw.testkit.relay.HermesRelayClientEmulator;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * What a Claw pod's sidecars cost in resident memory (issue #21), in one run:
 *
 * <ul>
 *   <li><b>The bridge with each real connector</b> — {@code hermes-sse} (Hermes runs + SSE), {@code hermes-relay}
 *       (Hermes dials in), {@code openclaw-gateway} — against the real peer (Hermes Agent 0.19.0 from PyPI, the
 *       OpenClaw gateway from npm, both installed by the testkit, with the instant fake model): time to
 *       {@code BRIDGE-LISTENING} (JVM up, ports bound) and to {@code BRIDGE-READY} ({@code /readyz} 200, which
 *       needs the runtime), RSS idle (3 s after ready) and after {@code bench.pod.realMessages} messages through
 *       the real peer. Then, in a fresh bridge, RSS idle and after {@code bench.pod.messages} (10,000) messages
 *       against a peer that answers at once — the testkit's Hermes API emulator, its relay client emulator, and a
 *       minimal OpenClaw v4 peer — because the real agents take a third of a second and more per turn here
 *       (10,000 turns would take an hour each).</li>
 *   <li><b>The channel sidecars</b> — today's layout (one JVM per channel: Slack, Discord, Telegram) against the
 *       shared channel container ({@code CHANNEL_COUNT=1,2,3}, the same three channels) — against the platform
 *       fakes and a real bridge ({@code echo} runtime, so every message gets a reply posted to the platform):
 *       ready time ({@code /readyz} / {@code /readyz/channels} 200), RSS idle and after
 *       {@code bench.pod.channelMessages} (10,000) messages <em>per channel</em> (event in, reply out).</li>
 *   <li><b>The pod, live</b> — each connector's bridge (emulated peer) and the shared container with the three
 *       channels running together, as in a Claw pod: ready times, then idle (3 s after ready, and settled: 15 s after
 *       ready) and after {@code bench.pod.channelMessages} messages per channel through platform fake → container →
 *       bridge → peer → reply posted.</li>
 *   <li><b>Optional, the start-up lever</b> ({@code -Dbench.pod.aot=true}): JDK 25's AOT cache (JEP 483/514) for
 *       the bridge and the container of such a pod — a training run, then interleaved pods without and with the
 *       cache: ready times, RSS and pod resident idle.</li>
 * </ul>
 *
 * Every child runs the module's own runnable jar with its image's JVM flags ({@link ChildJvm#CONTAINER_FLAGS}, one set
 * for the bridge and the channels) and {@code MALLOC_ARENA_MAX=2}, on the JVM running this benchmark
 * (Temurin 25.0.3 here, as in the images). RSS is VmRSS of {@code /proc/<pid>/status}, shown with its split (RssAnon,
 * RssFile); "peak" is sampled every 50 ms during the load. <b>Pod resident</b> ({@link PodResidentMemory}, needs root)
 * counts the distinct physical pages the pod's processes map: a page of a file both map (libjvm.so, the JDK's modules
 * and CDS archive, libc — one copy in the page cache when the images share the JRE layer) counts once, where the sum of
 * VmRSS counts it twice. For the live pod rows it is the union over the two running processes; for the budget lines
 * built from the bridge rows and the container row (measured at different moments) it is each one's private anonymous
 * pages added, plus the file pages of both captured at their sampling moments counted once. Both figures are printed
 * against the issue's budget. Nothing is asserted.
 *
 * <pre>
 * ./mvnw -q -pl claw-benchmarks -am package -DskipTests
 * java -cp claw-benchmarks/target/claw-benchmarks-0.1.0-SNAPSHOT-all.jar io.k8s4claw.bench.ClawPodMemoryBenchmark
 * # -Dbench.pod.parts=bridge,channels,pod (default: all three)  -Dbench.pod.connectors=echo,sse,relay,openclaw
 * # -Dbench.pod.peers=real,emulated  -Dbench.pod.layouts=separate,shared1,shared2,shared3
 * # -Dbench.pod.diagnostics=true (class counts, heap histogram, every file both processes map; with
 * # -Dbench.extraFlags=-XX:NativeMemoryTracking=summary also NMT)  -Dbench.pod.flags.bridge=...
 * # -Dbench.pod.flags.channel=...  -Dbench.pod.aot=true [-Dbench.pod.aot.rounds=3
 * # -Dbench.pod.aot.trainingMessages=300]
 * </pre>
 */
public final class ClawPodMemoryBenchmark {

    private static final int MESSAGES = Integer.getInteger("bench.pod.messages", 10_000);
    /** The live pod's second idle sample: this long after the first (3 s after ready). */
    private static final long SETTLE_MILLIS = 12_000;

    private static final int REAL_MESSAGES = Integer.getInteger("bench.pod.realMessages", 20);
    private static final int CHANNEL_MESSAGES = Integer.getInteger("bench.pod.channelMessages", 10_000);
    private static final String PARTS = System.getProperty("bench.pod.parts", "bridge,channels,pod");
    private static final boolean DIAGNOSTICS = Boolean.getBoolean("bench.pod.diagnostics");
    /**
     * Subsets for a quicker look: connectors echo,sse,relay,openclaw; peers real,emulated; layouts
     * separate,shared1,shared2,shared3.
     */
    private static final String CONNECTORS = System.getProperty("bench.pod.connectors", "echo,sse,relay,openclaw");

    private static final String PEERS = System.getProperty("bench.pod.peers", "real,emulated");
    private static final String LAYOUTS = System.getProperty("bench.pod.layouts", "separate,shared1,shared2,shared3");
    private static final String BRIDGE_FLAGS = System.getProperty("bench.pod.flags.bridge", ChildJvm.CONTAINER_FLAGS);
    private static final String CHANNEL_JVM_FLAGS =
            System.getProperty("bench.pod.flags.channel", ChildJvm.CONTAINER_FLAGS);
    private static final String RELAY_SECRET = "5f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100";
    private static final int WINDOW = 64;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final List<String> REPORT = new ArrayList<>();
    /** Per connector: the highest idle RSS of its rows and the RSS after its 10,000-message row (MiB). */
    private static final Map<String, double[]> BRIDGE_RSS = new LinkedHashMap<>();
    /** Per connector: the page frames behind {@link #BRIDGE_RSS}'s two figures (idle, after load), if visible. */
    private static final Map<String, PodResidentMemory.Snapshot[]> BRIDGE_PAGES = new LinkedHashMap<>();
    /** The shared channel container with three channels: idle and after load (MiB). */
    private static double[] threeChannels;
    /** Its page frames at those two moments (idle, after load), if visible. */
    private static PodResidentMemory.Snapshot[] threeChannelPages;
    /** The live pod rows' budget lines (bridge and container running together), printed at the end. */
    private static final List<String> POD_BUDGET = new ArrayList<>();
    /** Whether page frame numbers can be read (root): the "pod resident" figures need them. */
    private static final boolean FRAMES = PodResidentMemory.framesVisible();
    /** The optional start-up lever section: JDK 25's AOT cache (JEP 483/514) for the bridge and the container. */
    private static final boolean AOT = Boolean.getBoolean("bench.pod.aot");

    private static final int AOT_ROUNDS = Integer.getInteger("bench.pod.aot.rounds", 3);
    private static final int AOT_TRAINING_MESSAGES = Integer.getInteger("bench.pod.aot.trainingMessages", 300);
    /** The JRE of the sidecar images (jib {@code from.image} in claw-ipc-bridge and claw-channel-sidecar). */
    private static final String IMAGE_JRE = "eclipse-temurin:25.0.3_9-jre-noble";

    /** The issue's budget for the bridge and three built-in channels together (MiB). */
    private static final double BUDGET_IDLE = 128;

    private static final double BUDGET_LOAD = 192;

    private ClawPodMemoryBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("pod-memory-bench-");
        System.out.printf(
                "Claw pod memory benchmark: %s %s (%s, %s), %d CPUs, load %s%n  bridge flags: %s%n"
                        + "  channel flags: %s%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                System.getProperty("java.vendor.version", System.getProperty("java.vendor")),
                System.getProperty("java.home"),
                Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim(),
                BRIDGE_FLAGS,
                CHANNEL_JVM_FLAGS);
        System.out.printf("  bridge jar: %s%n  channel jar: %s%n", bridgeJar(), channelJar());
        System.out.printf(
                "  the children run this JVM (%s); the images run %s (the JVM's own figures — libjvm, CDS, JIT —"
                        + " are the images' when the two versions are the same)%n",
                System.getProperty("java.runtime.version"), IMAGE_JRE);
        System.out.printf(
                "  RSS: VmRSS of /proc/<pid>/status (= RssAnon + RssFile + RssShmem); pod resident: distinct page"
                        + " frames the pod's processes map (/proc/<pid>/pagemap), a page of a file both containers map"
                        + " counted once%s%n",
                FRAMES ? "" : " — NOT AVAILABLE here: page frame numbers are hidden (needs root)");
        if (PARTS.contains("bridge")) {
            if (CONNECTORS.contains("echo")) attempt("echo", () -> bridgeEcho(work.resolve("echo")));
            if (CONNECTORS.contains("sse")) attempt("hermes-sse", () -> bridgeHermesSse(work.resolve("sse")));
            if (CONNECTORS.contains("relay")) attempt("hermes-relay", () -> bridgeHermesRelay(work.resolve("relay")));
            if (CONNECTORS.contains("openclaw"))
                attempt("openclaw-gateway", () -> bridgeOpenClaw(work.resolve("openclaw")));
        }
        if (PARTS.contains("channels")) {
            channels(work.resolve("channels"));
        }
        if (PARTS.contains("pod")) {
            for (String connector : List.of("sse", "relay", "openclaw")) {
                if (CONNECTORS.contains(connector))
                    attempt("pod " + connector, () -> livePod(connector, work.resolve("pod-" + connector)));
            }
        }
        if (AOT) {
            for (String connector : List.of("sse", "relay", "openclaw")) {
                if (CONNECTORS.contains(connector))
                    attempt("aot " + connector, () -> aotLever(connector, work.resolve("aot-" + connector)));
            }
        }
        System.out.println("\n=== summary (MiB; ready in ms from process start) ===");
        REPORT.forEach(System.out::println);
        budget();
        if (!POD_BUDGET.isEmpty()) {
            System.out.printf(
                    "%n=== the pod, live: each connector's bridge (emulated peer) and the shared container (3 channels)"
                            + " running together, against <= %.0f MiB idle, <= %.0f MiB after load ===%n",
                    BUDGET_IDLE, BUDGET_LOAD);
            POD_BUDGET.forEach(System.out::println);
        }
    }

    /**
     * Each connector's bridge plus the three-channel container, against the budget (both measured in this run, at
     * different moments): the sum of their VmRSS, and what the pod holds with each page counted once.
     */
    private static void budget() {
        if (threeChannels == null || BRIDGE_RSS.isEmpty()) {
            return;
        }
        System.out.printf(
                "%n=== bridge + shared container with three channels, against <= %.0f MiB idle, <= %.0f MiB after load"
                        + " ===%n",
                BUDGET_IDLE, BUDGET_LOAD);
        System.out.println("(bridge rows and container row above, measured at different moments: \"sum of RSS\" adds"
                + " their VmRSS; \"pod resident\" adds each one's private anonymous pages and counts the file pages"
                + " (page cache) the two mapped at their sampling moments once)");
        BRIDGE_RSS.forEach((connector, rss) -> {
            double idle = rss[0] + threeChannels[0];
            double load = rss[1] + threeChannels[1];
            System.out.printf(
                    "%-18s sum of RSS                idle %6.1f + %5.1f = %6.1f [%s]   after load %6.1f + %5.1f = %6.1f"
                            + " [%s]%n",
                    connector,
                    rss[0],
                    threeChannels[0],
                    idle,
                    met(idle, BUDGET_IDLE),
                    rss[1],
                    threeChannels[1],
                    load,
                    met(load, BUDGET_LOAD));
            PodResidentMemory.Snapshot[] pages = BRIDGE_PAGES.get(connector);
            if (pages == null || threeChannelPages == null || pages[0] == null || pages[1] == null) {
                System.out.printf("%-18s pod resident (pages once) not measured%n", "");
                return;
            }
            PodResidentMemory.Union i = PodResidentMemory.unionOfFilePages(List.of(pages[0], threeChannelPages[0]));
            PodResidentMemory.Union a = PodResidentMemory.unionOfFilePages(List.of(pages[1], threeChannelPages[1]));
            System.out.printf(
                    "%-18s pod resident (pages once) idle %6.1f [%s] (anon %5.1f + %5.1f, file %5.1f)   after load"
                            + " %6.1f [%s] (anon %5.1f + %5.1f, file %5.1f)%n",
                    "",
                    i.mib(),
                    met(i.mib(), BUDGET_IDLE),
                    PodResidentMemory.mib(pages[0].anonFrames().length),
                    PodResidentMemory.mib(threeChannelPages[0].anonFrames().length),
                    i.fileMib(),
                    a.mib(),
                    met(a.mib(), BUDGET_LOAD),
                    PodResidentMemory.mib(pages[1].anonFrames().length),
                    PodResidentMemory.mib(threeChannelPages[1].anonFrames().length),
                    a.fileMib());
            System.out.printf(
                    "%-18s file pages both map (the sum of RSS counts them twice): idle %.1f MiB, after load %.1f MiB;"
                            + " swapped pages %d%n",
                    "",
                    PodResidentMemory.mib(PodResidentMemory.sharedFileFrames(pages[0], threeChannelPages[0])),
                    PodResidentMemory.mib(PodResidentMemory.sharedFileFrames(pages[1], threeChannelPages[1])),
                    i.swappedPages() + a.swappedPages());
        });
    }

    private static String met(double mib, double budget) {
        return mib <= budget ? "MET " : "MISS";
    }

    /** The process's page frames now, or null when they cannot be read (not root, or the process ended). */
    private static PodResidentMemory.Snapshot pages(ChildJvm jvm) {
        if (!FRAMES) return null;
        try {
            return PodResidentMemory.capture(jvm.pid());
        } catch (IOException | RuntimeException e) {
            System.out.println("  (page frames of pid " + jvm.pid() + " not read: " + e + ")");
            return null;
        }
    }

    /** VmRSS and its split now ({@code /proc/<pid>/status}). */
    private static PodResidentMemory.Status status(ChildJvm jvm) throws IOException {
        return PodResidentMemory.status(jvm.pid());
    }

    /** "anon A + file F" of VmRSS (RssShmem, normally 0, with the file pages), MiB. */
    private static String split(PodResidentMemory.Status st) {
        return String.format("anon %5.1f + file %5.1f", mib(st.rssAnonKiB()), mib(st.rssFileKiB() + st.rssShmemKiB()));
    }

    /** " = N distinct frames" MiB of one process, or nothing when frames are not visible. */
    private static String frames(PodResidentMemory.Snapshot s) {
        return s == null ? "" : String.format(", %5.1f in distinct frames", mib(s.kib()));
    }

    private interface Part {
        void run() throws Exception;
    }

    /**
     * Runs one part; a peer that fails (the real gateway not starting on a loaded machine) is reported in the summary.
     */
    private static void attempt(String what, Part part) {
        try {
            part.run();
        } catch (Exception e) {
            String row = "bridge " + what + ": FAILED — "
                    + e.getMessage().lines().findFirst().orElse("");
            System.out.println(row);
            e.printStackTrace(System.out);
            REPORT.add(row);
        }
    }

    // ------------------------------------------------------------------ the bridge

    private static String bridgeJar() {
        return jar(System.getProperty(
                "bench.bridge.jar", "claw-ipc-bridge/target/claw-ipc-bridge-0.1.0-SNAPSHOT-all.jar"));
    }

    private static String channelJar() {
        return jar(System.getProperty(
                "bench.channel.jar", "claw-channel-sidecar/target/claw-channel-sidecar-0.1.0-SNAPSHOT-runnable.jar"));
    }

    /** The module's own runnable jar (as in its image: only its classes), else this benchmark's class path. */
    private static String jar(String path) {
        File f = new File(path);
        return f.isFile() ? f.getAbsolutePath() : System.getProperty("java.class.path");
    }

    private record Bridge(ChildJvm jvm, Path socket, long listeningMs, int httpPort) {}

    private static Bridge startBridge(Path dir, Map<String, String> runtimeEnv) throws Exception {
        return startBridge(dir, runtimeEnv, "", "BRIDGE-LISTENING");
    }

    /**
     * A bridge with {@code extraFlags} after the image's flags (the AOT lever); waits for {@code marker} in its output.
     */
    private static Bridge startBridge(Path dir, Map<String, String> runtimeEnv, String extraFlags, String marker)
            throws Exception {
        Files.createDirectories(dir);
        Path socket = dir.resolve("bus.sock");
        Map<String, String> env = new HashMap<>(runtimeEnv);
        int http = freePort();
        env.put("CLAW_BUS_SOCKET", socket.toString());
        env.put("CLAW_BRIDGE_DATA_DIR", dir.resolve("wal").toString());
        env.put("CLAW_BRIDGE_HTTP_PORT", Integer.toString(http));
        env.put("CLAW_BRIDGE_FSYNC", "true");
        // as the operator renders it (BridgeContainer.MAX_CONCURRENT_RUNS): a Hermes run is followed by a thread of its
        // own
        env.put("CLAW_MAX_CONCURRENT_RUNS", System.getProperty("bench.pod.maxConcurrentRuns", "10"));
        ChildJvm jvm = ChildJvm.start(
                bridgeJar(),
                (BRIDGE_FLAGS + " " + extraFlags).trim(),
                "io.k8s4claw.bridge.BridgeMain",
                List.of(),
                env,
                null,
                dir);
        long listening = jvm.awaitOutput("BRIDGE-LISTENING", "bridge");
        if (marker != null && !marker.equals("BRIDGE-LISTENING")) jvm.awaitOutput(marker, "bridge");
        return new Bridge(jvm, socket, listening, http);
    }

    /** A channel's end of the bus for the load: publishes and counts final (and error) replies. */
    private static final class LoadChannel implements AutoCloseable {
        final BusClient sdk;
        final Semaphore window = new Semaphore(WINDOW);
        final AtomicInteger finals = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();

        LoadChannel(Path socket, String type) throws Exception {
            sdk = BusClient.builder()
                    .socketPath(socket)
                    .channel("bench-" + type, type)
                    .instanceId("bench-0")
                    .sidecarVersion("bench")
                    .bufferCapacity(4 * WINDOW)
                    .replyHandler(reply -> {
                        if (reply.hasFinal() || reply.hasError()) {
                            (reply.hasFinal() ? finals : errors).incrementAndGet();
                            window.release();
                        }
                        return CompletableFuture.completedFuture(ReplyOutcome.delivered("pm-" + reply.getReplySeq()));
                    })
                    .build();
            sdk.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!sdk.isConnected()) {
                if (System.nanoTime() > deadline)
                    throw new IllegalStateException("the bench channel did not connect to the bridge");
                Thread.sleep(10);
            }
        }

        /** Sends n messages (at most WINDOW awaiting their final), each conversation of 256 in turn; returns ms. */
        long send(String prefix, int n, Duration perMessage) throws Exception {
            long t0 = System.nanoTime();
            int before = finals.get() + errors.get();
            for (int i = 0; i < n; i++) {
                if (!window.tryAcquire(perMessage.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("no reply within " + perMessage + " after "
                            + (finals.get() + errors.get() - before) + " of " + n + " messages");
                }
                sdk.publish(UserMessage.newBuilder()
                        .setMessageId(prefix + "-" + i)
                        .setConversationId("C" + (i % 256))
                        .setPlatformMessageId("p-" + prefix + "-" + i)
                        .setChatType(ChatType.DIRECT)
                        .setSender(Sender.newBuilder().setId("U" + (i % 256)).setDisplayName("Bench"))
                        .setText("message " + i + " of the memory benchmark")
                        .build());
            }
            long deadline = System.nanoTime() + perMessage.toNanos() * 2;
            while (finals.get() + errors.get() - before < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "only " + (finals.get() + errors.get() - before) + " of " + n + " replies came back");
                }
                Thread.sleep(5);
            }
            return (System.nanoTime() - t0) / 1_000_000;
        }

        @Override
        public void close() {
            sdk.close(Duration.ofSeconds(2));
        }
    }

    /** Idle RSS 3 s after ready, then the load (peak sampled), then RSS 2 s after the last reply. */
    private static void bridgeRow(
            String what, Bridge bridge, long readyMs, LoadChannel channel, int n, Duration perMessage)
            throws Exception {
        Thread.sleep(3000);
        PodResidentMemory.Status idleStatus = status(bridge.jvm());
        PodResidentMemory.Snapshot idlePages = pages(bridge.jvm());
        long idle = idleStatus.vmRssKiB();
        diagnostics(bridge.jvm(), what + ", idle");
        bridge.jvm().startSampling();
        long ms = channel.send(what.replaceAll("[^a-z]", ""), n, perMessage);
        long peak = bridge.jvm().stopSampling();
        Thread.sleep(2000);
        PodResidentMemory.Status afterStatus = status(bridge.jvm());
        PodResidentMemory.Snapshot afterPages = pages(bridge.jvm());
        long after = afterStatus.vmRssKiB();
        diagnostics(bridge.jvm(), what + ", after " + n);
        String row = String.format(
                "bridge %-44s listening %5d ms  ready %6d ms  RSS idle %6.1f  after %,6d msgs %6.1f (peak %6.1f)  "
                        + "%,d ms, %d errors%n       %-44s RSS idle = %s%s; after = %s%s",
                what,
                bridge.listeningMs(),
                readyMs,
                mib(idle),
                n,
                mib(after),
                mib(peak),
                ms,
                channel.errors.get(),
                "",
                split(idleStatus),
                frames(idlePages),
                split(afterStatus),
                frames(afterPages));
        System.out.println(row);
        REPORT.add(row);
        if (what.startsWith("echo")) {
            return; // no runtime behind it: not a configuration the budget is about
        }
        String connector = what.split(",")[0];
        double[] rss = BRIDGE_RSS.computeIfAbsent(connector, k -> new double[2]);
        PodResidentMemory.Snapshot[] pages =
                BRIDGE_PAGES.computeIfAbsent(connector, k -> new PodResidentMemory.Snapshot[2]);
        if (mib(idle) >= rss[0]) {
            rss[0] = mib(idle);
            pages[0] = idlePages;
        }
        if (n >= 1000) {
            rss[1] = mib(after);
            pages[1] = afterPages;
        }
    }

    /**
     * The same-run baseline: the in-process echo runtime, the configuration the bridge's older published RSS came from.
     */
    private static void bridgeEcho(Path dir) throws Exception {
        Bridge bridge = startBridge(dir, Map.of("CLAW_RUNTIME_PROTOCOL", "echo"));
        try (ChildJvm jvm = bridge.jvm()) {
            long ready = jvm.awaitOutput("BRIDGE-READY", "bridge");
            try (LoadChannel channel = new LoadChannel(bridge.socket(), "slack")) {
                bridgeRow(
                        "echo (no runtime: the old published figure's)",
                        bridge,
                        ready,
                        channel,
                        MESSAGES,
                        Duration.ofSeconds(60));
            }
        }
    }

    private static void bridgeHermesSse(Path dir) throws Exception {
        if (PEERS.contains("real"))
            try (FakeOpenAiServer model = FakeOpenAiServer.start()) {
                model.script(r -> ScriptedReply.of("ok", 1));
                try (RealHermes hermes = RealHermes.builder()
                        .root(dir.resolve("hermes"))
                        .configYaml(RealHermes.modelConfig(model.baseUrl()))
                        .start()) {
                    Bridge bridge = startBridge(
                            dir.resolve("real"),
                            Map.of(
                                    "CLAW_RUNTIME_PROTOCOL",
                                    "hermes-sse",
                                    "CLAW_RUNTIME_URL",
                                    hermes.baseUrl().toString(),
                                    "CLAW_RUNTIME_TOKEN",
                                    hermes.apiKey()));
                    try (ChildJvm jvm = bridge.jvm()) {
                        long ready = jvm.awaitOutput("BRIDGE-READY", "bridge");
                        try (LoadChannel channel = new LoadChannel(bridge.socket(), "slack")) {
                            bridgeRow(
                                    "hermes-sse, real Hermes "
                                            + hermes.installation().version(),
                                    bridge,
                                    ready,
                                    channel,
                                    REAL_MESSAGES,
                                    Duration.ofSeconds(120));
                        }
                    }
                }
            }
        if (PEERS.contains("emulated"))
            try (HermesApiEmulator hermes =
                    HermesApiEmulator.builder().maxConcurrentRuns(0).start()) {
                Bridge bridge = startBridge(
                        dir.resolve("emulated"),
                        Map.of(
                                "CLAW_RUNTIME_PROTOCOL",
                                "hermes-sse",
                                "CLAW_RUNTIME_URL",
                                hermes.baseUrl().toString(),
                                "CLAW_RUNTIME_TOKEN",
                                "0123456789abcdef0123456789abcdef"));
                try (ChildJvm jvm = bridge.jvm()) {
                    long ready = jvm.awaitOutput("BRIDGE-READY", "bridge");
                    try (LoadChannel channel = new LoadChannel(bridge.socket(), "slack")) {
                        bridgeRow(
                                "hermes-sse, Hermes API emulator",
                                bridge,
                                ready,
                                channel,
                                MESSAGES,
                                Duration.ofSeconds(60));
                    }
                }
            }
    }

    private static Map<String, String> relayEnv(int port) {
        return Map.of(
                "CLAW_RUNTIME_PROTOCOL",
                "hermes-relay",
                "CLAW_RELAY_PORT",
                Integer.toString(port),
                "CLAW_RELAY_SECRET",
                RELAY_SECRET);
    }

    private static void bridgeHermesRelay(Path dir) throws Exception {
        if (PEERS.contains("real"))
            try (FakeOpenAiServer model = FakeOpenAiServer.start()) {
                int relayPort = freePort();
                Bridge bridge = startBridge(dir.resolve("real"), relayEnv(relayPort));
                try (ChildJvm jvm = bridge.jvm();
                        LoadChannel channel = new LoadChannel(bridge.socket(), "telegram");
                        RealHermes hermes = RealHermes.builder()
                                .root(dir.resolve("hermes"))
                                .configYaml(RealHermes.modelConfig(model.baseUrl()))
                                .env("GATEWAY_RELAY_URL", "http://127.0.0.1:" + relayPort)
                                .env("GATEWAY_RELAY_ID", "gw-bench")
                                .env("GATEWAY_RELAY_SECRET", RELAY_SECRET)
                                .env("GATEWAY_RELAY_PLATFORMS", "telegram")
                                .start()) {
                    long ready = jvm.awaitOutput("BRIDGE-READY", "bridge");
                    // Hermes 0.19.0 does not answer relay messages queued during its start-up restore
                    // (runtime-hermes-relay.md)
                    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                    Path gatewayLog = hermes.home().resolve("logs/gateway.log");
                    while (!(Files.exists(gatewayLog)
                            && Files.readString(gatewayLog).contains("Press Ctrl+C to stop"))) {
                        if (System.nanoTime() > deadline)
                            throw new IllegalStateException("Hermes' gateway did not finish starting");
                        Thread.sleep(100);
                    }
                    bridgeRow(
                            "hermes-relay, real Hermes " + hermes.installation().version(),
                            bridge,
                            ready,
                            channel,
                            REAL_MESSAGES,
                            Duration.ofSeconds(120));
                }
            }
        if (!PEERS.contains("emulated")) return;
        int relayPort = freePort();
        Bridge bridge = startBridge(dir.resolve("emulated"), relayEnv(relayPort));
        try (ChildJvm jvm = bridge.jvm();
                LoadChannel channel = new LoadChannel(bridge.socket(), "telegram");
                HermesRelayClientEmulator hermes = new HermesRelayClientEmulator(
                        URI.create("http://127.0.0.1:" + relayPort),
                        new HermesRelayClientEmulator.Auth.Signed("gw-bench", RELAY_SECRET, Duration.ofSeconds(300)),
                        List.of("telegram"),
                        Map.of())) {
            HermesRelayClientEmulator.Connection socket = hermes.connect(Duration.ofSeconds(30));
            long ready = jvm.awaitOutput("BRIDGE-READY", "bridge");
            Thread responder = startRelayResponder(socket);
            bridgeRow("hermes-relay, relay client emulator", bridge, ready, channel, MESSAGES, Duration.ofSeconds(60));
            responder.interrupt();
        }
    }

    /**
     * The emulated Hermes gateway's side of the load: answers every inbound message at once with an outbound send to
     * its chat and platform.
     */
    private static Thread startRelayResponder(HermesRelayClientEmulator.Connection socket) {
        return Thread.ofPlatform().daemon(true).name("relay-responder").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    JsonNode in = socket.awaitInbound(Duration.ofSeconds(1));
                    socket.send(
                            in.path("source").path("chat_id").asText(),
                            "ok",
                            in.path("message_id").asText(),
                            in.path("source").path("platform").asText("telegram"),
                            Map.of());
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable idle) {
                    // nothing arrived within a second
                }
            }
        });
    }

    private static void bridgeOpenClaw(Path dir) throws Exception {
        if (PEERS.contains("real"))
            try (FakeOpenAiServer model = FakeOpenAiServer.start()) {
                model.script(r -> ScriptedReply.of("ok", 1));
                try (OpenClawGateway gateway = OpenClawGateway.builder()
                        .config(OpenClawConfigs.withFakeModel(model.baseUrl()))
                        .start()) {
                    Bridge bridge = startBridge(
                            dir.resolve("real"),
                            Map.of(
                                    "CLAW_RUNTIME_PROTOCOL",
                                    "openclaw-gateway",
                                    "CLAW_RUNTIME_URL",
                                    gateway.url().toString(),
                                    "CLAW_RUNTIME_TOKEN",
                                    gateway.token()));
                    try (ChildJvm jvm = bridge.jvm()) {
                        long ready = jvm.awaitOutput("BRIDGE-READY", "bridge");
                        try (LoadChannel channel = new LoadChannel(bridge.socket(), "slack")) {
                            bridgeRow(
                                    "openclaw-gateway, real gateway "
                                            + gateway.installation().openclawVersion(),
                                    bridge,
                                    ready,
                                    channel,
                                    REAL_MESSAGES,
                                    Duration.ofSeconds(180));
                        }
                    }
                }
            }
        if (PEERS.contains("emulated"))
            try (OpenClawPathBenchmark.InstantGateway instant = new OpenClawPathBenchmark.InstantGateway()) {
                instant.start();
                instant.started.get(10, TimeUnit.SECONDS);
                Bridge bridge = startBridge(
                        dir.resolve("emulated"),
                        Map.of(
                                "CLAW_RUNTIME_PROTOCOL",
                                "openclaw-gateway",
                                "CLAW_RUNTIME_URL",
                                "ws://127.0.0.1:" + instant.getPort() + "/",
                                "CLAW_RUNTIME_TOKEN",
                                "t".repeat(64)));
                try (ChildJvm jvm = bridge.jvm()) {
                    long ready = jvm.awaitOutput("BRIDGE-READY", "bridge");
                    try (LoadChannel channel = new LoadChannel(bridge.socket(), "slack")) {
                        bridgeRow(
                                "openclaw-gateway, instant v4 peer",
                                bridge,
                                ready,
                                channel,
                                MESSAGES,
                                Duration.ofSeconds(60));
                    }
                }
            }
    }

    // ------------------------------------------------------------------ the channels

    private static final String SLACK_APP = "xapp-1-bench0123456789";
    private static final String SLACK_BOT = "xoxb-1-bench0123456789";
    private static final String DISCORD_TOKEN = "MTEx.bench-discord-token";
    private static final String TELEGRAM_TOKEN = "123456:bench-telegram-token";

    /** The three platform fakes, each with a way to inject event i and to count the replies posted. */
    private static final class Platforms implements AutoCloseable {
        final FakeSlack slack = new FakeSlack(SLACK_APP, SLACK_BOT);
        final FakeDiscord discord = new FakeDiscord(DISCORD_TOKEN);
        final FakeTelegram telegram = new FakeTelegram(TELEGRAM_TOKEN);
        final AtomicInteger slackTs = new AtomicInteger(100_000);

        Platforms() throws IOException {
            discord.heartbeatIntervalMs = 41_250;
        }

        String config(String type) {
            return switch (type) {
                case "slack" -> "{\"apiBaseUrl\":\"" + slack.apiBase() + "\"}";
                case "discord" -> "{\"apiBaseUrl\":\"" + discord.apiBase() + "\"}";
                case "telegram" -> "{\"apiBaseUrl\":\"" + telegram.apiBase() + "\",\"pollTimeoutSeconds\":1}";
                default -> throw new IllegalArgumentException(type);
            };
        }

        Map<String, String> secrets(String type) {
            return switch (type) {
                case "slack" -> Map.of("SLACK_APP_TOKEN", SLACK_APP, "SLACK_BOT_TOKEN", SLACK_BOT);
                case "discord" -> Map.of("DISCORD_BOT_TOKEN", DISCORD_TOKEN);
                case "telegram" -> Map.of("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN);
                default -> throw new IllegalArgumentException(type);
            };
        }

        IntConsumer inject(String type) {
            return switch (type) {
                case "slack" ->
                    i -> {
                        FakeSlack.Socket s = slack.sockets.get(slack.sockets.size() - 1);
                        s.sendEvent(
                                "Ev" + i + "-" + System.nanoTime(),
                                FakeSlack.message(
                                        "C" + (i % 16),
                                        "U1",
                                        "1700000000." + slackTs.incrementAndGet(),
                                        "message " + i));
                    };
                case "discord" ->
                    i -> discord.messageCreate(
                            String.valueOf(System.nanoTime()),
                            String.valueOf(555 + i % 16),
                            "U7",
                            false,
                            "message " + i);
                case "telegram" -> i -> telegram.userMessage(42 + i % 16, "private", false, "message " + i);
                default -> throw new IllegalArgumentException(type);
            };
        }

        IntSupplier replies(String type) {
            return switch (type) {
                case "slack" -> slack.posts::size;
                case "discord" -> discord.created::size;
                case "telegram" -> telegram.sent::size;
                default -> throw new IllegalArgumentException(type);
            };
        }

        @Override
        public void close() throws IOException {
            slack.close();
            discord.close();
            telegram.close();
        }
    }

    private static final List<String> TYPES = List.of("slack", "discord", "telegram");

    private static void channels(Path dir) throws Exception {
        // today's layout: one JVM per channel
        if (LAYOUTS.contains("separate"))
            try (Platforms platforms = new Platforms()) {
                Bridge bridge = startBridge(dir.resolve("separate"), Map.of("CLAW_RUNTIME_PROTOCOL", "echo"));
                try (ChildJvm bridgeJvm = bridge.jvm()) {
                    bridgeJvm.awaitOutput("BRIDGE-READY", "bridge");
                    List<ChildJvm> jvms = new ArrayList<>();
                    List<Long> ready = new ArrayList<>();
                    try {
                        for (String type : TYPES) {
                            int port = freePort();
                            Map<String, String> env = new HashMap<>(platforms.secrets(type));
                            env.put("CHANNEL_NAME", type + "-bench");
                            env.put("CHANNEL_TYPE", type);
                            env.put("CHANNEL_CONFIG", platforms.config(type));
                            env.put("CLAW_BUS_SOCKET", bridge.socket().toString());
                            env.put("CHANNEL_HTTP_PORT", Integer.toString(port));
                            env.put("CHANNEL_HTTP_BIND", "127.0.0.1");
                            ChildJvm jvm = ChildJvm.start(
                                    channelJar(),
                                    CHANNEL_JVM_FLAGS,
                                    "io.k8s4claw.channel.ChannelMain",
                                    List.of(),
                                    env,
                                    null,
                                    dir);
                            jvms.add(jvm);
                            ready.add(awaitHttp(jvm, port, "/readyz"));
                        }
                        Thread.sleep(3000);
                        long[] idle = new long[3];
                        List<PodResidentMemory.Snapshot> idlePages = new ArrayList<>();
                        for (int i = 0; i < 3; i++) {
                            idle[i] = jvms.get(i).rssKiB();
                            idlePages.add(pages(jvms.get(i)));
                            diagnostics(jvms.get(i), "separate " + TYPES.get(i) + ", idle");
                        }
                        long[] after = new long[3];
                        long[] ms = new long[3];
                        for (int i = 0; i < 3; i++) {
                            ms[i] = drive(platforms, List.of(TYPES.get(i)), CHANNEL_MESSAGES);
                        }
                        Thread.sleep(2000);
                        List<PodResidentMemory.Snapshot> afterPages = new ArrayList<>();
                        for (int i = 0; i < 3; i++) {
                            after[i] = jvms.get(i).rssKiB();
                            afterPages.add(pages(jvms.get(i)));
                            String row = String.format(
                                    "channel %-41s ready %6d ms  RSS idle %6.1f  after %,6d msgs %6.1f  %,d ms",
                                    "separate JVM: " + TYPES.get(i),
                                    ready.get(i),
                                    mib(idle[i]),
                                    CHANNEL_MESSAGES,
                                    mib(after[i]),
                                    ms[i]);
                            System.out.println(row);
                            REPORT.add(row);
                        }
                        for (int k = 1; k <= 3; k++) {
                            long sumIdle = 0;
                            long sumAfter = 0;
                            for (int i = 0; i < k; i++) {
                                sumIdle += idle[i];
                                sumAfter += after[i];
                            }
                            String row = String.format(
                                    "channels %-40s                 RSS idle %6.1f  after %,6d msgs/channel %6.1f",
                                    "today, " + k + " separate JVM" + (k > 1 ? "s (sum)" : ""),
                                    mib(sumIdle),
                                    CHANNEL_MESSAGES,
                                    mib(sumAfter));
                            if (k > 1 && !idlePages.contains(null) && !afterPages.contains(null)) {
                                row += String.format(
                                        "%n         %-40s pod resident (pages once, live) idle %6.1f  after %6.1f",
                                        "",
                                        PodResidentMemory.union(idlePages.subList(0, k))
                                                .mib(),
                                        PodResidentMemory.union(afterPages.subList(0, k))
                                                .mib());
                            }
                            System.out.println(row);
                            REPORT.add(row);
                        }
                    } finally {
                        for (ChildJvm jvm : jvms) jvm.close();
                    }
                }
            }
        // the shared channel container with 1, 2 and 3 channels
        for (int k = 1; k <= 3; k++) {
            if (!LAYOUTS.contains("shared" + k)) continue;
            try (Platforms platforms = new Platforms()) {
                Bridge bridge = startBridge(dir.resolve("shared-" + k), Map.of("CLAW_RUNTIME_PROTOCOL", "echo"));
                try (ChildJvm bridgeJvm = bridge.jvm()) {
                    bridgeJvm.awaitOutput("BRIDGE-READY", "bridge");
                    SharedContainer container = startSharedContainer(platforms, bridge.socket(), k, "", dir);
                    try (ChildJvm jvm = container.jvm()) {
                        long ready = container.readyMs();
                        Thread.sleep(3000);
                        PodResidentMemory.Status idleStatus = status(jvm);
                        PodResidentMemory.Snapshot idlePages = pages(jvm);
                        long idle = idleStatus.vmRssKiB();
                        diagnostics(jvm, "shared container, " + k + " channels, idle");
                        jvm.startSampling();
                        long ms = drive(platforms, TYPES.subList(0, k), CHANNEL_MESSAGES);
                        long peak = jvm.stopSampling();
                        Thread.sleep(2000);
                        PodResidentMemory.Status afterStatus = status(jvm);
                        PodResidentMemory.Snapshot afterPages = pages(jvm);
                        long after = afterStatus.vmRssKiB();
                        diagnostics(jvm, "shared container, " + k + " channels, after load");
                        String row = String.format(
                                "channels %-40s ready %6d ms  RSS idle %6.1f  after %,6d msgs/channel %6.1f (peak "
                                        + "%6.1f)  %,d ms%n         %-40s RSS idle = %s%s; after = %s%s",
                                "shared container, " + k + " channel" + (k > 1 ? "s" : "") + " ("
                                        + String.join("+", TYPES.subList(0, k)) + ")",
                                ready,
                                mib(idle),
                                CHANNEL_MESSAGES,
                                mib(after),
                                mib(peak),
                                ms,
                                "",
                                split(idleStatus),
                                frames(idlePages),
                                split(afterStatus),
                                frames(afterPages));
                        System.out.println(row);
                        REPORT.add(row);
                        if (k == 3) {
                            threeChannels = new double[] {mib(idle), mib(after)};
                            threeChannelPages = new PodResidentMemory.Snapshot[] {idlePages, afterPages};
                            sharedWithBridge(bridgeJvm, idlePages, "the echo bridge and the 3-channel container, idle");
                        }
                    }
                }
            }
        }
    }

    /** The container, its ready time (ms from its start) and the CPU it had used by then (ms, user + system). */
    private record SharedContainer(ChildJvm jvm, long readyMs, long cpuMsAtReady) {}

    /**
     * The shared channel container with the first {@code k} of Slack, Discord, Telegram on the bridge's socket; waits
     * for {@code /readyz/channels} (ready: ms from its start).
     */
    private static SharedContainer startSharedContainer(
            Platforms platforms, Path socket, int k, String extraFlags, Path dir) throws Exception {
        Files.createDirectories(dir);
        Map<String, String> env = new HashMap<>();
        env.put("CHANNEL_COUNT", Integer.toString(k));
        env.put("CLAW_BUS_SOCKET", socket.toString());
        env.put("CHANNEL_HTTP_BIND", "127.0.0.1");
        int firstPort = 0;
        for (int i = 0; i < k; i++) {
            String type = TYPES.get(i);
            String p = "CHANNEL_" + (i + 1) + "_";
            int port = freePort();
            if (i == 0) firstPort = port;
            env.put(p + "NAME", type + "-bench");
            env.put(p + "TYPE", type);
            env.put(p + "CONFIG", platforms.config(type));
            env.put(p + "HTTP_PORT", Integer.toString(port));
            platforms.secrets(type).forEach((key, v) -> env.put(p + key, v));
        }
        ChildJvm jvm = ChildJvm.start(
                channelJar(),
                (CHANNEL_JVM_FLAGS + " " + extraFlags).trim(),
                "io.k8s4claw.channel.ChannelMain",
                List.of(),
                env,
                null,
                dir);
        try {
            long ready = awaitHttp(jvm, firstPort, "/readyz/channels");
            return new SharedContainer(jvm, ready, jvm.cpuNanos() / 1_000_000);
        } catch (Exception e) {
            jvm.close();
            throw e;
        }
    }

    /**
     * Page cache of the files under {@code dir}, MiB resident ({@code fincore}, util-linux): not mapped by any process,
     * so outside RSS and pod resident, yet charged to the pod's cgroup (reclaimable); -1 if fincore is missing.
     */
    private static double pageCacheMib(Path dir) {
        try {
            List<String> cmd = new ArrayList<>(List.of("fincore", "--bytes", "--noheadings", "--output", "RES"));
            if (dir != null && Files.isDirectory(dir)) {
                try (var walk = Files.walk(dir)) {
                    walk.filter(Files::isRegularFile).forEach(f -> cmd.add(f.toString()));
                }
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) return -1;
            long bytes = 0;
            for (String line : out.split("\n")) {
                if (!line.isBlank()) bytes += Long.parseLong(line.trim());
            }
            return bytes / (double) (1 << 20);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return -1;
        }
    }

    /** With -Dbench.pod.diagnostics=true: the files the bridge and the container both map, and how much is shared. */
    private static void sharedWithBridge(ChildJvm bridge, PodResidentMemory.Snapshot container, String what) {
        if (!DIAGNOSTICS || container == null) return;
        PodResidentMemory.Snapshot b = pages(bridge);
        if (b == null) return;
        printShared(b, container, what);
    }

    private static void printShared(
            PodResidentMemory.Snapshot bridge, PodResidentMemory.Snapshot container, String what) {
        System.out.printf(
                "---- page frames both map: %s (bridge pid %d, container pid %d), MiB resident in the bridge /"
                        + " in the container / the same frames in both%s%n",
                what, bridge.pid(), container.pid(), DIAGNOSTICS ? "" : " (every file: -Dbench.pod.diagnostics=true)");
        long total = 0;
        for (PodResidentMemory.SharedFile f : PodResidentMemory.sharedFiles(bridge, container)) {
            total += f.sharedFrames();
            // all files of 64 KiB and more in diagnostics mode, else libjvm.so alone
            boolean show = DIAGNOSTICS
                    ? f.sharedFrames() * PodResidentMemory.PAGE_SIZE >= 64 * 1024
                    : f.path().endsWith("/libjvm.so");
            if (show)
                System.out.printf(
                        "  %6.2f / %6.2f / %6.2f  %s%n",
                        PodResidentMemory.mib(f.framesA()),
                        PodResidentMemory.mib(f.framesB()),
                        PodResidentMemory.mib(f.sharedFrames()),
                        f.path());
        }
        System.out.printf(
                "  in all %.1f MiB of file pages in both (anonymous frames in both: %d)%n",
                PodResidentMemory.mib(total),
                PodResidentMemory.countIntersection(bridge.anonFrames(), container.anonFrames()));
    }

    /** An emulated runtime peer that answers at once, and the bridge's environment for it. */
    private interface Peer extends AutoCloseable {
        Map<String, String> env();

        /** Called once the bridge listens (the relay: Hermes dials in). */
        default void bridgeListening() throws Exception {}

        @Override
        void close() throws Exception;
    }

    private static Peer emulatedPeer(String connector) throws Exception {
        switch (connector) {
            case "sse" -> {
                HermesApiEmulator hermes =
                        HermesApiEmulator.builder().maxConcurrentRuns(0).start();
                Map<String, String> env = Map.of(
                        "CLAW_RUNTIME_PROTOCOL",
                        "hermes-sse",
                        "CLAW_RUNTIME_URL",
                        hermes.baseUrl().toString(),
                        "CLAW_RUNTIME_TOKEN",
                        "0123456789abcdef0123456789abcdef");
                return new Peer() {
                    @Override
                    public Map<String, String> env() {
                        return env;
                    }

                    @Override
                    public void close() {
                        hermes.close();
                    }
                };
            }
            case "openclaw" -> {
                OpenClawPathBenchmark.InstantGateway instant = new OpenClawPathBenchmark.InstantGateway();
                instant.start();
                instant.started.get(10, TimeUnit.SECONDS);
                Map<String, String> env = Map.of(
                        "CLAW_RUNTIME_PROTOCOL",
                        "openclaw-gateway",
                        "CLAW_RUNTIME_URL",
                        "ws://127.0.0.1:" + instant.getPort() + "/",
                        "CLAW_RUNTIME_TOKEN",
                        "t".repeat(64));
                return new Peer() {
                    @Override
                    public Map<String, String> env() {
                        return env;
                    }

                    @Override
                    public void close() throws Exception {
                        instant.close();
                    }
                };
            }
            case "relay" -> {
                int relayPort = freePort();
                return new Peer() {
                    HermesRelayClientEmulator hermes;
                    Thread responder;

                    @Override
                    public Map<String, String> env() {
                        return relayEnv(relayPort);
                    }

                    @Override
                    public void bridgeListening() throws Exception {
                        hermes = new HermesRelayClientEmulator(
                                URI.create("http://127.0.0.1:" + relayPort),
                                new HermesRelayClientEmulator.Auth.Signed(
                                        "gw-bench", RELAY_SECRET, Duration.ofSeconds(300)),
                                TYPES,
                                Map.of());
                        HermesRelayClientEmulator.Connection socket = hermes.connect(Duration.ofSeconds(30));
                        responder = startRelayResponder(socket);
                    }

                    @Override
                    public void close() {
                        if (responder != null) responder.interrupt();
                        if (hermes != null) hermes.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException(connector);
        }
    }

    private static String connectorName(String connector) {
        return switch (connector) {
            case "sse" -> "hermes-sse";
            case "relay" -> "hermes-relay";
            case "openclaw" -> "openclaw-gateway";
            default -> connector;
        };
    }

    /** One pod run: ready times, and VmRSS and page frames of both processes idle and after the load. */
    private record PodRun(
            long bridgeListeningMs,
            long bridgeReadyMs,
            long containerReadyMs,
            long bridgeCpuMsAtReady,
            long containerCpuMsAtReady,
            PodResidentMemory.Status[] idleStatus,
            PodResidentMemory.Snapshot[] idlePages,
            PodResidentMemory.Status[] settledStatus,
            PodResidentMemory.Snapshot[] settledPages,
            PodResidentMemory.Status[] afterStatus,
            PodResidentMemory.Snapshot[] afterPages,
            long loadMs,
            double walPageCacheMib) {}

    /** The sum of the bridge's and the container's VmRSS at one moment, MiB. */
    private static double rssMib(PodResidentMemory.Status[] pair) {
        return mib(pair[0].vmRssKiB() + pair[1].vmRssKiB());
    }

    /** "RSS 61.0 (anon … + file …) + 65.2 (…) = 126.2;  pod resident …" for the two processes at one moment. */
    private static String pairLine(PodResidentMemory.Status[] pair, PodResidentMemory.Snapshot[] pages) {
        return String.format(
                "RSS %5.1f (%s) + %5.1f (%s) = %6.1f;  %s",
                mib(pair[0].vmRssKiB()),
                split(pair[0]),
                mib(pair[1].vmRssKiB()),
                split(pair[1]),
                rssMib(pair),
                podResident(pages));
    }

    /**
     * A pod with its bridge ({@code connector} against its emulated peer) and the shared container with three channels,
     * running together: both ready, 3 s idle (sampled), with {@code settle} another 12 s idle (sampled again:
     * start-up's transients gone), {@code messages} per channel through platform fake → container → bridge → peer →
     * reply posted, 2 s. {@code graceful}: both stopped with SIGTERM and awaited (an AOT training run writes its cache
     * at exit).
     */
    private static PodRun runPod(
            String connector,
            Path dir,
            String bridgeExtra,
            String channelExtra,
            int messages,
            boolean settle,
            boolean graceful)
            throws Exception {
        try (Platforms platforms = new Platforms();
                Peer peer = emulatedPeer(connector)) {
            Bridge bridge = startBridge(dir.resolve("bridge"), peer.env(), bridgeExtra, "BRIDGE-LISTENING");
            try (ChildJvm bridgeJvm = bridge.jvm()) {
                peer.bridgeListening();
                long bridgeReady = bridgeJvm.awaitOutput("BRIDGE-READY", "bridge");
                long bridgeCpu = bridgeJvm.cpuNanos() / 1_000_000;
                SharedContainer container =
                        startSharedContainer(platforms, bridge.socket(), 3, channelExtra, dir.resolve("container"));
                try (ChildJvm containerJvm = container.jvm()) {
                    Thread.sleep(3000);
                    PodResidentMemory.Status[] idleStatus = {status(bridgeJvm), status(containerJvm)};
                    PodResidentMemory.Snapshot[] idlePages = {pages(bridgeJvm), pages(containerJvm)};
                    PodResidentMemory.Status[] settledStatus = idleStatus;
                    PodResidentMemory.Snapshot[] settledPages = idlePages;
                    if (settle) {
                        // What the pod costs while idle for good: the compiler's arena chunks of start-up go back to
                        // the JVM's pool after 5 s and to the OS at the next native-heap trim (every 2 s)
                        Thread.sleep(SETTLE_MILLIS);
                        settledStatus = new PodResidentMemory.Status[] {status(bridgeJvm), status(containerJvm)};
                        settledPages = new PodResidentMemory.Snapshot[] {pages(bridgeJvm), pages(containerJvm)};
                    }
                    long ms = messages > 0 ? drive(platforms, TYPES, messages) : 0;
                    Thread.sleep(2000);
                    PodResidentMemory.Status[] afterStatus = {status(bridgeJvm), status(containerJvm)};
                    PodResidentMemory.Snapshot[] afterPages = {pages(bridgeJvm), pages(containerJvm)};
                    double walCache =
                            messages > 0 ? pageCacheMib(dir.resolve("bridge").resolve("wal")) : -1;
                    if (graceful) {
                        containerJvm.stop(Duration.ofSeconds(180));
                        bridgeJvm.stop(Duration.ofSeconds(180));
                    }
                    return new PodRun(
                            bridge.listeningMs(),
                            bridgeReady,
                            container.readyMs(),
                            bridgeCpu,
                            container.cpuMsAtReady(),
                            idleStatus,
                            idlePages,
                            settledStatus,
                            settledPages,
                            afterStatus,
                            afterPages,
                            ms,
                            walCache);
                }
            }
        }
    }

    /** "pod resident 105.2 (anon 40.1 + 38.0, file 27.1 of which 20.3 in both)" for a live pair, MiB. */
    private static String podResident(PodResidentMemory.Snapshot[] pair) {
        if (pair[0] == null || pair[1] == null) return "pod resident not measured";
        PodResidentMemory.Union u = PodResidentMemory.union(List.of(pair));
        return String.format(
                "pod resident %6.1f (anon %5.1f + %5.1f, file pages %5.1f of which %5.1f mapped by both; swapped"
                        + " pages %d)",
                u.mib(),
                PodResidentMemory.mib(pair[0].anonFrames().length),
                PodResidentMemory.mib(pair[1].anonFrames().length),
                u.fileMib(),
                PodResidentMemory.mib(PodResidentMemory.sharedFileFrames(pair[0], pair[1])),
                u.swappedPages());
    }

    /**
     * The pod as it runs: each connector's bridge (emulated peer) and the shared container with three channels at the
     * same time; the sum of their VmRSS and the distinct frames the two map, idle and after 10,000 messages per
     * channel (30,000 through the bridge).
     */
    private static void livePod(String connector, Path dir) throws Exception {
        PodRun run = runPod(connector, dir, "", "", CHANNEL_MESSAGES, true, false);
        String name = connectorName(connector);
        String row = String.format(
                "pod %-18s + shared container (3 channels), live: bridge listening %5d ms, ready %5d ms (CPU %d ms);"
                        + " container ready %5d ms (CPU %d ms); %,d msgs/channel in %,d ms%n"
                        + "    idle:  %s%n"
                        + "    idle, settled (15 s after ready): %s%n"
                        + "    after: %s%n"
                        + "    page cache of the bridge's journal after the load (no process maps it: outside both"
                        + " figures, yet charged to the pod's cgroup, reclaimable): %.1f MiB",
                name,
                run.bridgeListeningMs(),
                run.bridgeReadyMs(),
                run.bridgeCpuMsAtReady(),
                run.containerReadyMs(),
                run.containerCpuMsAtReady(),
                CHANNEL_MESSAGES,
                run.loadMs(),
                pairLine(run.idleStatus(), run.idlePages()),
                pairLine(run.settledStatus(), run.settledPages()),
                pairLine(run.afterStatus(), run.afterPages()),
                run.walPageCacheMib());
        System.out.println(row);
        REPORT.add(row);
        if (run.idlePages()[0] != null && run.idlePages()[1] != null) {
            printShared(run.idlePages()[0], run.idlePages()[1], name + " pod, idle");
        }
        POD_BUDGET.add(budgetLine(
                name, "sum of RSS", rssMib(run.idleStatus()), rssMib(run.settledStatus()), rssMib(run.afterStatus())));
        if (run.idlePages()[0] != null
                && run.idlePages()[1] != null
                && run.afterPages()[0] != null
                && run.afterPages()[1] != null) {
            POD_BUDGET.add(budgetLine(
                    "",
                    "pod resident (pages once)",
                    PodResidentMemory.union(List.of(run.idlePages())).mib(),
                    PodResidentMemory.union(List.of(run.settledPages())).mib(),
                    PodResidentMemory.union(List.of(run.afterPages())).mib()));
        }
    }

    /** One measure of the live pod against the budget: idle, settled and after the load, each MET or MISS. */
    private static String budgetLine(String name, String measure, double idle, double settled, double after) {
        return String.format(
                "%-18s %-25s idle %6.1f [%s]   settled %6.1f [%s]   after %,d msgs/channel %6.1f [%s]",
                name,
                measure,
                idle,
                met(idle, BUDGET_IDLE),
                settled,
                met(settled, BUDGET_IDLE),
                CHANNEL_MESSAGES,
                after,
                met(after, BUDGET_LOAD));
    }

    /**
     * The start-up lever (-Dbench.pod.aot=true): JDK 25's AOT cache (JEP 483, one-step training with JEP 514) for
     * the bridge and the shared container of one pod. A training run ({@code -XX:AOTCacheOutput}: the pod started,
     * {@code bench.pod.aot.trainingMessages} messages per channel, both stopped — each JVM writes its cache at exit),
     * then {@code bench.pod.aot.rounds} interleaved pairs of pods without and with {@code -XX:AOTCache}: ready times,
     * RSS and pod resident idle.
     */
    private static void aotLever(String connector, Path dir) throws Exception {
        String name = connectorName(connector);
        Path bridgeCache = dir.resolve("bridge.aot");
        Path channelCache = dir.resolve("channels.aot");
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        runPod(
                connector,
                dir.resolve("training"),
                "-XX:AOTCacheOutput=" + bridgeCache,
                "-XX:AOTCacheOutput=" + channelCache,
                AOT_TRAINING_MESSAGES,
                false,
                true);
        long trainingMs = (System.nanoTime() - t0) / 1_000_000;
        if (!Files.isRegularFile(bridgeCache) || !Files.isRegularFile(channelCache)) {
            throw new IllegalStateException("the training run wrote no AOT cache: " + bridgeCache + " "
                    + Files.exists(bridgeCache) + ", " + channelCache + " " + Files.exists(channelCache));
        }
        String header = String.format(
                "aot %-18s AOT cache trained on %d msgs/channel (training run with cache creation %,d ms): bridge cache"
                        + " %.1f MB, container cache %.1f MB",
                name, AOT_TRAINING_MESSAGES, trainingMs, Files.size(bridgeCache) / 1e6, Files.size(channelCache) / 1e6);
        System.out.println(header);
        REPORT.add(header);
        // per variant (default CDS, AOT cache): bridge ready, bridge CPU at ready, container ready, its CPU, sum of
        // RSS, pod resident
        List<List<double[]>> figures = List.of(new ArrayList<>(), new ArrayList<>());
        for (int round = 1; round <= AOT_ROUNDS; round++) {
            for (boolean aot : new boolean[] {false, true}) {
                PodRun run = runPod(
                        connector,
                        dir.resolve("round-" + round + (aot ? "-aot" : "-cds")),
                        // AOTMode=on: a cache the JVM cannot use stops it, instead of a silent fall-back
                        aot ? "-XX:AOTMode=on -XX:AOTCache=" + bridgeCache : "",
                        aot ? "-XX:AOTMode=on -XX:AOTCache=" + channelCache : "",
                        0,
                        false,
                        false);
                double podResident = run.idlePages()[0] == null || run.idlePages()[1] == null
                        ? Double.NaN
                        : PodResidentMemory.union(List.of(run.idlePages())).mib();
                figures.get(aot ? 1 : 0).add(new double[] {
                    run.bridgeReadyMs(),
                    run.bridgeCpuMsAtReady(),
                    run.containerReadyMs(),
                    run.containerCpuMsAtReady(),
                    rssMib(run.idleStatus()),
                    podResident
                });
                String row = String.format(
                        "aot %-18s %-17s bridge listening %5d ms, ready %5d ms (CPU %5d ms); container ready %5d ms"
                                + " (CPU %5d ms); idle RSS %5.1f + %5.1f = %6.1f (bridge %s; container %s); %s  [load"
                                + " %s]",
                        name,
                        aot ? "with AOT cache" : "default CDS",
                        run.bridgeListeningMs(),
                        run.bridgeReadyMs(),
                        run.bridgeCpuMsAtReady(),
                        run.containerReadyMs(),
                        run.containerCpuMsAtReady(),
                        mib(run.idleStatus()[0].vmRssKiB()),
                        mib(run.idleStatus()[1].vmRssKiB()),
                        rssMib(run.idleStatus()),
                        split(run.idleStatus()[0]),
                        split(run.idleStatus()[1]),
                        podResident(run.idlePages()),
                        Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
                System.out.println(row);
                REPORT.add(row);
            }
        }
        for (int v = 0; v < 2; v++) {
            String row = String.format(
                    "aot %-18s %-17s median of %d: bridge ready %5.0f ms (CPU %5.0f ms); container ready %5.0f ms (CPU"
                            + " %5.0f ms); idle sum of RSS %6.1f, pod resident %6.1f",
                    name,
                    v == 0 ? "default CDS" : "with AOT cache",
                    figures.get(v).size(),
                    median(figures.get(v), 0),
                    median(figures.get(v), 1),
                    median(figures.get(v), 2),
                    median(figures.get(v), 3),
                    median(figures.get(v), 4),
                    median(figures.get(v), 5));
            System.out.println(row);
            REPORT.add(row);
        }
        // 30-40 MB each; the rest of the work directory (logs, journals) stays for a look afterwards
        Files.deleteIfExists(bridgeCache);
        Files.deleteIfExists(channelCache);
    }

    private static double median(List<double[]> rows, int column) {
        double[] xs = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        if (xs.length == 0) return Double.NaN;
        return xs.length % 2 == 1 ? xs[xs.length / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
    }

    /**
     * Drives n messages per channel through the given channels at once (a thread each): events into the platform
     * fake, at most 100 per channel awaiting their reply post; returns the milliseconds until the last reply was
     * posted.
     */
    private static long drive(Platforms platforms, List<String> types, int n) throws Exception {
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (String type : types) {
            IntConsumer inject = platforms.inject(type);
            IntSupplier replies = platforms.replies(type);
            threads.add(Thread.ofPlatform().name("drive-" + type).start(() -> {
                try {
                    int base = replies.getAsInt();
                    long lastProgress = System.nanoTime();
                    int seen = base;
                    for (int i = 0; i < n; i++) {
                        while (i - (replies.getAsInt() - base) >= 100) {
                            int now = replies.getAsInt();
                            if (now != seen) {
                                seen = now;
                                lastProgress = System.nanoTime();
                            } else if (System.nanoTime() - lastProgress
                                    > Duration.ofSeconds(60).toNanos()) {
                                throw new IllegalStateException(
                                        type + ": no reply posted for 60 s after " + (now - base) + " of " + n);
                            }
                            Thread.sleep(1);
                        }
                        inject.accept(i);
                    }
                    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                    while (replies.getAsInt() - base < n) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(
                                    type + ": " + (replies.getAsInt() - base) + " of " + n + " replies posted");
                        }
                        Thread.sleep(5);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (!failures.isEmpty()) throw new IllegalStateException("channel load failed: " + failures);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Polls {@code path} every 5 ms until 200; returns the milliseconds since the child started. */
    private static long awaitHttp(ChildJvm jvm, int port, String path) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2))
                .build();
        while (System.nanoTime() < deadline) {
            if (!jvm.isAlive()) throw new IllegalStateException("the channel JVM exited:\n" + jvm.output());
            try {
                if (HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200)
                    return jvm.millisSinceStart();
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException(path + " on port " + port + " not 200 within 120 s:\n" + jvm.output());
    }

    /** With -Dbench.pod.diagnostics=true: loaded classes, the heap's top classes and (with NMT on) native memory. */
    private static void diagnostics(ChildJvm jvm, String what) throws Exception {
        if (!DIAGNOSTICS) return;
        System.out.println(
                "---- " + what + " (pid " + jvm.pid() + ", RSS " + String.format("%.1f", mib(jvm.rssKiB())) + " MiB)");
        for (String line : jvm.jcmd("PerfCounter.print").split("\n")) {
            if (line.startsWith("java.cls.loadedClasses")
                    || line.startsWith("java.cls.unloadedClasses")
                    || line.startsWith("sun.cls.sharedLoadedClasses")
                    || line.startsWith("java.threads.live=")) {
                System.out.println("  " + line);
            }
        }
        Map<String, Integer> threads = new TreeMap<>();
        for (String line : jvm.jcmd("Thread.print").split("\n")) {
            if (line.startsWith("\""))
                threads.merge(line.substring(1, line.indexOf('"', 1)).replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
        System.out.println("  threads by name: " + threads);
        String histo = jvm.jcmd("GC.class_histogram");
        String[] lines = histo.split("\n");
        long tlsBytes = 0;
        int tlsClasses = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4
                    && (f[3].startsWith("sun.security.")
                            || f[3].startsWith("java.security.cert.")
                            || f[3].startsWith("javax.net.ssl.")
                            || f[3].startsWith("sun.security.ssl."))) {
                tlsClasses++;
                tlsBytes += Long.parseLong(f[2]);
            }
        }
        System.out.println("  TLS/PKI (sun.security.*, java.security.cert.*, javax.net.ssl.*) in the heap: "
                + tlsClasses + " classes with instances, " + tlsBytes + " bytes");
        for (int i = 0; i < Math.min(lines.length, 16); i++) System.out.println("  " + lines[i]);
        if (lines.length > 0) System.out.println("  " + lines[lines.length - 1]);
        String nmt = jvm.jcmd("VM.native_memory", "summary");
        if (!nmt.contains("not enabled")) {
            for (String line : nmt.split("\n")) {
                if (line.contains("committed=") && (line.startsWith("Total") || line.startsWith("-")))
                    System.out.println("  " + line.trim());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double mib(long kib) {
        return kib / 1024.0;
    }
}
