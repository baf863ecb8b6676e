package io.k8s4claw.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.DoubleStream;

/**
 * One run, on this machine: the raw Netty Unix-socket echo (the ceiling), the bridge relay without fsync,
 * the bridge with fsync (group commit), latency at a fixed 1k msg/s, the server's CPU time per message, and the
 * bridge's RSS idle and under load. Servers run in child JVMs with the container's JVM flags; the load generator runs
 * here. Prints numbers and ratios against the ceiling measured in the same run; asserts nothing.
 *
 * <p>The three lines run {@code bench.rounds} times, interleaved, and the targets are judged on medians: on a shared
 * 2-CPU machine one round alone moves by a third, and the ceiling by half. The relay's share of the ceiling is
 * therefore judged on same-window pairs: in each round the echo server and the relay bridge run side by side, and
 * their throughput passes alternate ({@code bench.pairs} of each, echo then relay), so that each relay pass is
 * compared with the ceiling measured seconds before it; the target is the median of those ratios (the ratio of the
 * two lines' medians is printed too).
 *
 * <p>The disk's own share of a durable message (two forced appends at the latency rate) is measured twice: on a
 * quiet machine before the lines, and in each round while an extra echo latency pass runs, which is the activity
 * the durable latency line itself brings to the 2 CPUs.
 *
 * <p>Servers run with the container's JIT settings (C2 only, one compiler thread), which take a few hundred
 * thousand messages to reach steady state: each line is warmed with {@code bench.warmup} messages first.
 *
 * <p>System properties: {@code bench.messages} (default 400000), {@code bench.warmup} (400000),
 * {@code bench.window} (1024),
 * {@code bench.latencyMessages} (5000), {@code bench.rate} (1000), {@code bench.rounds} (3), {@code bench.pairs} (3).
 */
public final class BenchmarkMain {

    private static final int MESSAGES = Integer.getInteger("bench.messages", 400_000);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 400_000);
    private static final int WINDOW = Integer.getInteger("bench.window", 1024);
    private static final int LATENCY_MESSAGES = Integer.getInteger("bench.latencyMessages", 5_000);
    private static final int RATE = Integer.getInteger("bench.rate", 1_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int PAIRS = Integer.getInteger("bench.pairs", 3);
    /** Relay throughput over the ceiling's, one per same-window pair (echo pass, then relay pass). */
    private static final List<Double> pairRatios = new ArrayList<>();

    /**
     * @param cpuNanosPerMessage the server process's CPU time per message of the throughput run (all threads)
     * @param jitShare           the share of that CPU time its JIT compiler threads took
     */
    record Result(
            String name,
            double msgPerSec,
            long p50Nanos,
            long p99Nanos,
            long idleRssKiB,
            long loadRssKiB,
            long cpuNanosPerMessage,
            double jitShare) {}

    /** The disk's share of a durable message measured while an echo latency pass ran (see {@link #echoLatency}). */
    private static final List<long[]> diskUnderLoad = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("claw-bench");
        System.out.printf(
                "claw bus benchmark: %d messages after %d to warm up (~256-byte frames), window %d,"
                        + " latency at %d msg/s x %d;"
                        + " servers in child JVMs with%n  JAVA_TOOL_OPTIONS=%s%n  %d CPUs, %s %s%n%n",
                MESSAGES,
                WARMUP,
                WINDOW,
                RATE,
                LATENCY_MESSAGES,
                ChildJvm.CONTAINER_FLAGS,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"));

        System.out.println("load average before: "
                + Files.readString(Path.of("/proc/loadavg")).trim()
                + "  (other processes share these CPUs; compare ratios, not absolutes)");
        long[] fsync = fsyncFloor(work);
        System.out.printf(
                "fsync floor of this disk (512-byte append + force, 200x): p50 %.3f ms, p99 %.3f ms"
                        + " — a durable ack cannot be faster than one of these%n",
                fsync[0] / 1e6, fsync[1] / 1e6);
        long[] disk = durablePathFloor(work);
        System.out.printf(
                "disk's own share of a durable message at %d msg/s (message record, then reply record,"
                        + " each appended and fdatasync'd before the next, %dx): p50 %.3f ms, p99 %.3f ms%n%n",
                RATE, LATENCY_MESSAGES, disk[0] / 1e6, disk[1] / 1e6);

        List<Result> raws = new ArrayList<>();
        List<Result> relays = new ArrayList<>();
        List<Result> durables = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            System.out.printf("round %d of %d%n", round, ROUNDS);
            Result[] side = ceilingAndRelay(work);
            Result raw = side[0];
            Result relay = side[1];
            print(raw, raw);
            print(relay, raw);
            Result durable = bridge(work, "bridge durable (fsync, group commit)", true);
            print(durable, raw);
            raws.add(raw);
            relays.add(relay);
            durables.add(durable);
        }
        Result raw = median(raws);
        Result relay = median(relays);
        Result durable = median(durables);
        long diskLoadedP50 = (long) median(diskUnderLoad.stream().mapToDouble(d -> d[0]));
        long diskLoadedP99 = (long) median(diskUnderLoad.stream().mapToDouble(d -> d[1]));
        System.out.printf("%nmedian of %d rounds (RSS: the highest seen)%n", ROUNDS);
        print(raw, raw);
        print(relay, raw);
        print(durable, raw);

        System.out.printf(
                "disk's own share of a durable message, measured while an echo latency pass ran (the same"
                        + " client and CPU activity, no fsync in the server): p50 %.3f ms, p99 %.3f ms (median of "
                        + "%d)%n",
                diskLoadedP50 / 1e6, diskLoadedP99 / 1e6, diskUnderLoad.size());
        System.out.println("load average after:  "
                + Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.println();
        double pairMedian = median(pairRatios.stream().mapToDouble(Double::doubleValue));
        System.out.printf(
                "relay / ceiling in the %d same-window pairs: %s; median %s (ratio of the lines' medians:" + " %s)%n",
                pairRatios.size(),
                pairRatios.stream().map(BenchmarkMain::pct).toList(),
                pct(pairMedian),
                pct(relay.msgPerSec / raw.msgPerSec));
        System.out.println();
        System.out.println("targets (medians):");
        target(
                "relay >= 40% of ceiling",
                pairMedian >= 0.40, pct(pairMedian) + " of ceiling (median of same-window pairs)");
        target("durable >= 50,000 msg/s", durable.msgPerSec >= 50_000, fmt(durable.msgPerSec) + " msg/s");
        long addedP99 = durable.p99Nanos - raw.p99Nanos;
        target(
                "added p99 <= 1 ms at " + RATE + " msg/s (durable)",
                addedP99 <= 1_000_000,
                String.format(
                        "%.3f ms (no fsync: %.3f ms; the disk's own p99: %.3f ms quiet, %.3f ms under the"
                                + " benchmark's load)",
                        addedP99 / 1e6, (relay.p99Nanos - raw.p99Nanos) / 1e6, disk[1] / 1e6, diskLoadedP99 / 1e6));
        long loadRss = Math.max(relay.loadRssKiB, durable.loadRssKiB);
        target("RSS <= 128 MiB under load", loadRss <= 128 * 1024, mib(loadRss));
        target("RSS <= 64 MiB idle", durable.idleRssKiB <= 64 * 1024, mib(durable.idleRssKiB));
    }

    /** Each figure's median over the rounds; RSS the highest any round saw. */
    private static Result median(List<Result> rounds) {
        return new Result(
                rounds.get(0).name,
                median(rounds.stream().mapToDouble(Result::msgPerSec)),
                (long) median(rounds.stream().mapToDouble(r -> r.p50Nanos)),
                (long) median(rounds.stream().mapToDouble(r -> r.p99Nanos)),
                rounds.stream().mapToLong(Result::idleRssKiB).max().orElseThrow(),
                rounds.stream().mapToLong(Result::loadRssKiB).max().orElseThrow(),
                (long) median(rounds.stream().mapToDouble(r -> r.cpuNanosPerMessage)),
                median(rounds.stream().mapToDouble(Result::jitShare)));
    }

    /** The median (of an even count, the mean of the middle two). */
    private static double median(DoubleStream values) {
        double[] v = values.sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * What the disk alone costs a durable message at the latency line's rate: the bridge must have the message
     * on disk before it acks (and delivers), and the reply on disk before it sends it, so with an instant
     * runtime each message waits for two appends, each forced before the next. Measured the same way here,
     * single-threaded, at the same pace and timed from when each was due; the bridge's latency beyond this is its
     * own.
     */
    private static long[] durablePathFloor(Path work) throws Exception {
        long[] t = new long[LATENCY_MESSAGES];
        long period = 1_000_000_000L / RATE;
        Files.deleteIfExists(work.resolve("disk-probe"));
        try (FileChannel ch =
                FileChannel.open(work.resolve("disk-probe"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer message = ByteBuffer.allocateDirect(300);
            ByteBuffer reply = ByteBuffer.allocateDirect(250);
            long start = System.nanoTime();
            for (int i = 0; i < t.length; i++) {
                long due = start + i * period;
                while (System.nanoTime() < due) {
                    Thread.sleep(0, 100_000);
                }
                ch.write(message.clear());
                ch.force(false);
                ch.write(reply.clear());
                ch.force(false);
                // From the time it was due, as the latency lines measure (their client sends on a fixed schedule
                // whatever the answers): a slow sync delays the messages due behind it too, and timing each from
                // its own late start would hide that (coordinated omission).
                t[i] = System.nanoTime() - due;
            }
        }
        Files.delete(work.resolve("disk-probe"));
        return new long[] {pctl(t, 50), pctl(t, 99)};
    }

    /** p50/p99 of one small append + fsync on the benchmark's temp directory (where the WAL lives). */
    private static long[] fsyncFloor(Path work) throws Exception {
        long[] t = new long[200];
        try (FileChannel ch =
                FileChannel.open(work.resolve("fsync-probe"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(512);
            for (int i = 0; i < t.length; i++) {
                b.clear();
                long t0 = System.nanoTime();
                ch.write(b);
                ch.force(false);
                t[i] = System.nanoTime() - t0;
            }
        }
        return new long[] {pctl(t, 50), pctl(t, 99)};
    }

    /**
     * The ceiling and the relay side by side: both servers started (an idle one uses no CPU), both warmed, then
     * {@link #PAIRS} throughput passes of each, alternating echo and relay, each relay pass paired with the echo
     * pass just before it; then the latency passes of each. A line's rate and CPU per message are the medians of its
     * passes.
     */
    private static Result[] ceilingAndRelay(Path work) throws Exception {
        Path echoSock = work.resolve("echo.sock");
        Path relaySock = work.resolve("relay.sock");
        try (ChildJvm echo = ChildJvm.start(
                        RawEchoServer.class.getName(), List.of(echoSock.toString()), Map.of(), "ECHO-READY", work);
                ChildJvm relay = ChildJvm.start(
                        "io.k8s4claw.bridge.BridgeMain",
                        List.of(),
                        bridgeEnv(work, relaySock, "relay", false),
                        "BRIDGE-LISTENING",
                        work)) {
            Thread.sleep(2000);
            long echoIdle = echo.rssKiB();
            long relayIdle = relay.rssKiB();
            Pass[] echoPasses = new Pass[PAIRS];
            Pass[] relayPasses = new Pass[PAIRS];
            // One connection per server for the warm-up and every pass, as a sidecar keeps its connection: a new
            // connection's first messages take code paths (and compilations) of their own.
            try (BusLoadClient echoClient = new BusLoadClient(echoSock, BusLoadClient.Mode.ECHO, "tput");
                    BusLoadClient relayClient = new BusLoadClient(relaySock, BusLoadClient.Mode.BRIDGE, "relaytput")) {
                echoClient.throughput(WARMUP, WINDOW);
                relayClient.throughput(WARMUP, WINDOW);
                echo.startSampling();
                relay.startSampling();
                for (int i = 0; i < PAIRS; i++) {
                    Pass e = pass(echo, echoClient);
                    Pass r = pass(relay, relayClient);
                    echoPasses[i] = e;
                    relayPasses[i] = r;
                    pairRatios.add(r.rate / e.rate);
                    System.out.printf(
                            "  pair %d: ceiling %s msg/s, relay %s msg/s: %s%n",
                            i + 1, fmt(e.rate), fmt(r.rate), pct(r.rate / e.rate));
                }
            }
            long[] echoLat = echoLatency(echoSock, work);
            long[] relayLat = bridgeLatency(relaySock, "relay");
            long echoLoad = echo.stopSampling();
            long relayLoad = relay.stopSampling();
            reportErrors(relay);
            return new Result[] {
                passes("raw Netty UDS echo (ceiling)", echoPasses, echoLat, echoIdle, echoLoad),
                passes("bridge relay (no fsync)", relayPasses, relayLat, relayIdle, relayLoad)
            };
        } finally {
            quietDisk(work.resolve("wal-relay"));
        }
    }

    /** One throughput pass: its rate, the server's CPU per message and the JIT's share of that CPU. */
    private record Pass(double rate, long cpuNanosPerMessage, double jitShare) {}

    private static Pass pass(ChildJvm server, BusLoadClient client) throws InterruptedException {
        long cpu0 = server.cpuNanos();
        long jit0 = server.compilerCpuNanos();
        double rate = client.throughput(MESSAGES, WINDOW);
        long cpu = server.cpuNanos() - cpu0;
        long jit = server.compilerCpuNanos() - jit0;
        return new Pass(rate, cpu / MESSAGES, cpu > 0 ? (double) jit / cpu : 0);
    }

    /** A line from its passes: the medians of their rates, CPU per message and JIT shares. */
    private static Result passes(String name, Pass[] passes, long[] lat, long idleRss, long loadRss) {
        return new Result(
                name,
                median(Arrays.stream(passes).mapToDouble(Pass::rate)),
                pctl(lat, 50),
                pctl(lat, 99),
                idleRss,
                loadRss,
                (long) median(Arrays.stream(passes).mapToDouble(Pass::cpuNanosPerMessage)),
                median(Arrays.stream(passes).mapToDouble(Pass::jitShare)));
    }

    /** The echo's latency pass, and the disk probe under a second one (see {@link #durablePathFloor}). */
    private static long[] echoLatency(Path sock, Path work) throws Exception {
        long[] lat;
        try (BusLoadClient c = new BusLoadClient(sock, BusLoadClient.Mode.ECHO, "latwarm")) {
            c.latency(RATE, LATENCY_MESSAGES / 5); // the one-message-at-a-time paths, warmed like the others
        }
        try (BusLoadClient c = new BusLoadClient(sock, BusLoadClient.Mode.ECHO, "lat")) {
            lat = c.latency(RATE, LATENCY_MESSAGES);
        }
        // The disk's share again, now under the activity a latency line brings (client, server, their
        // wake-ups): on a 2-CPU VM a sync's completion waits for a CPU like everything else. This extra pass's
        // own latencies are not used.
        CompletableFuture<long[]> disk = CompletableFuture.supplyAsync(() -> {
            try {
                return durablePathFloor(work);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try (BusLoadClient c = new BusLoadClient(sock, BusLoadClient.Mode.ECHO, "latdisk")) {
            c.latency(RATE, LATENCY_MESSAGES);
        }
        diskUnderLoad.add(disk.get());
        return lat;
    }

    private static long[] bridgeLatency(Path sock, String tag) throws Exception {
        try (BusLoadClient c = new BusLoadClient(sock, BusLoadClient.Mode.BRIDGE, tag + "latwarm")) {
            c.latency(RATE, LATENCY_MESSAGES / 5); // the one-message-at-a-time paths, warmed like the others
        }
        try (BusLoadClient c = new BusLoadClient(sock, BusLoadClient.Mode.BRIDGE, tag + "lat")) {
            return c.latency(RATE, LATENCY_MESSAGES);
        }
    }

    private static Map<String, String> bridgeEnv(Path work, Path sock, String tag, boolean fsync) {
        Map<String, String> env = new HashMap<>();
        env.put("CLAW_BUS_SOCKET", sock.toString());
        env.put("CLAW_BRIDGE_DATA_DIR", work.resolve("wal-" + tag).toString());
        env.put("CLAW_BRIDGE_HTTP_PORT", "0");
        env.put("CLAW_RUNTIME_PROTOCOL", "echo");
        env.put("CLAW_BRIDGE_FSYNC", Boolean.toString(fsync));
        env.put("CLAW_MAX_CONCURRENT_RUNS", "1024");
        env.put("CLAW_BUS_WINDOW", Integer.toString(WINDOW));
        return env;
    }

    private static void reportErrors(ChildJvm bridge) throws Exception {
        if (System.getProperty("bench.extraFlags", "").contains("NativeMemoryTracking")) {
            System.out.println(bridge.nativeMemorySummary());
        }
        String out = bridge.output();
        if (out.contains("ERROR")) {
            System.out.println("  (bridge logged errors:)\n" + out);
        }
    }

    private static Result bridge(Path work, String name, boolean fsync) throws Exception {
        String tag = fsync ? "durable" : "relay";
        Path sock = work.resolve(tag + ".sock");
        try (ChildJvm bridge = ChildJvm.start(
                "io.k8s4claw.bridge.BridgeMain",
                List.of(),
                bridgeEnv(work, sock, tag, fsync),
                "BRIDGE-LISTENING",
                work)) {
            Thread.sleep(2000);
            long idle = bridge.rssKiB();
            Pass p;
            try (BusLoadClient c = new BusLoadClient(sock, BusLoadClient.Mode.BRIDGE, tag + "tput")) {
                c.throughput(WARMUP, WINDOW);
                bridge.startSampling();
                p = pass(bridge, c);
            }
            long[] lat = bridgeLatency(sock, tag);
            long load = bridge.stopSampling();
            reportErrors(bridge);
            return new Result(name, p.rate, pctl(lat, 50), pctl(lat, 99), idle, load, p.cpuNanosPerMessage, p.jitShare);
        } finally {
            quietDisk(work.resolve("wal-" + tag));
        }
    }

    /**
     * Deletes a finished run's log and flushes the page cache, so the next line's fsyncs do not queue behind
     * the write-back of the previous line's hundreds of megabytes (the relay run writes without fsync).
     */
    private static void quietDisk(Path wal) throws Exception {
        if (Files.isDirectory(wal)) {
            try (var files = Files.walk(wal)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    private static void print(Result r, Result ceiling) {
        System.out.printf(
                "%-40s %12s msg/s  %6s of ceiling  server CPU %5.2f us/msg (JIT %4.1f%%)   p50 %7.3f ms"
                        + "  p99 %7.3f ms  (added p50 %+.3f / p99 %+.3f ms)   RSS idle %s, under load %s%n",
                r.name,
                fmt(r.msgPerSec),
                pct(r.msgPerSec / ceiling.msgPerSec),
                r.cpuNanosPerMessage / 1e3,
                r.jitShare * 100,
                r.p50Nanos / 1e6,
                r.p99Nanos / 1e6,
                (r.p50Nanos - ceiling.p50Nanos) / 1e6,
                (r.p99Nanos - ceiling.p99Nanos) / 1e6,
                mib(r.idleRssKiB),
                mib(r.loadRssKiB));
    }

    private static void target(String what, boolean met, String measured) {
        System.out.printf("  [%s] %-45s measured %s%n", met ? "MET " : "MISS", what, measured);
    }

    private static long pctl(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private static String fmt(double v) {
        return String.format("%,.0f", v);
    }

    private static String pct(double ratio) {
        return String.format("%.1f%%", ratio * 100);
    }

    private static String mib(long kib) {
        return String.format("%.1f MiB", kib / 1024.0);
    }
}
