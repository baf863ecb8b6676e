package io.k8s4claw.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A child JVM with the container's JVM flags; reads its RSS from /proc. */
final class ChildJvm implements AutoCloseable {

    /**
     * The flags the operator renders into JAVA_TOOL_OPTIONS for the bridge and the channel containers (one set since
     * 2026-12-07: C1 only; until then the bridge ran C2 only, {@code -XX:-TieredCompilation -XX:CICompilerCount=1},
     * which {@code -Dbench.extraFlags="-XX:-TieredCompilation -XX:CICompilerCount=1"} restores for a comparison).
     */
    static final String CONTAINER_FLAGS = "-XX:+UseSerialGC -Xss512k -XX:MaxRAM=128m -Xmx32m -XX:TieredStopAtLevel=1"
            + " -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=64m -XX:C1MaxInlineSize=15"
            + " -XX:Tier3InvocationThreshold=2000 -XX:Tier3MinInvocationThreshold=1000 -XX:Tier3CompileThreshold=20000"
            + " -XX:Tier3BackEdgeThreshold=600000 -XX:TrimNativeHeapInterval=2000";

    private final Process process;
    private final Path log;
    private final long startNanos;
    private Thread sampler;
    private final AtomicLong peakRssKiB = new AtomicLong();
    private volatile boolean sampling;

    private ChildJvm(Process process, Path log, long startNanos) {
        this.startNanos = startNanos;
        this.process = process;
        this.log = log;
    }

    static ChildJvm start(
            String mainClass, List<String> args, Map<String, String> env, String readyMarker, Path workDir)
            throws IOException, InterruptedException {
        return start(
                System.getProperty("java.class.path"), CONTAINER_FLAGS, mainClass, args, env, readyMarker, workDir);
    }

    /**
     * A child on its own class path with the given container flags; waits for {@code readyMarker} in its output
     * (none when null).
     */
    static ChildJvm start(
            String classPath,
            String flags,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            String readyMarker,
            Path workDir)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        Path log = Files.createTempFile(workDir, "child-", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // bench.extraFlags: diagnostics only (e.g. -XX:NativeMemoryTracking=summary); not part of the measured setup
        pb.environment().put("JAVA_TOOL_OPTIONS", (flags + " " + System.getProperty("bench.extraFlags", "")).trim());
        pb.environment().put("CLAW_LOG_LEVEL", "WARN");
        pb.environment().put("MALLOC_ARENA_MAX", "2"); // as in the bridge image (Jib environment)
        pb.environment().putAll(env);
        long startNanos = System.nanoTime();
        ChildJvm c = new ChildJvm(pb.start(), log, startNanos);
        if (readyMarker != null) {
            c.awaitOutput(readyMarker, mainClass);
        }
        return c;
    }

    /** Waits up to 60 s for {@code marker} in the child's output; returns the milliseconds since the child started. */
    long awaitOutput(String marker, String what) throws IOException, InterruptedException {
        ChildJvm c = this;
        String mainClass = what;
        String readyMarker = marker;
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.readString(log).contains(readyMarker)) {
            if (!c.process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(mainClass + " did not start:\n" + Files.readString(log));
            }
            Thread.sleep(5);
        }
        return millisSinceStart();
    }

    long millisSinceStart() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Runs {@code jcmd <pid> <command...>} and returns its output (diagnostics: NMT, class counts, heap histogram). */
    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(process.pid()));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /**
     * CPU time the process has used so far (user + system, all its threads: event loop, GC, JIT), in nanoseconds;
     * from {@code /proc/<pid>/stat} in clock ticks of 10 ms (USER_HZ 100).
     */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time of the process's JIT compiler threads so far, in nanoseconds ({@code /proc/<pid>/task/*}/stat): a
     * measured pass that still compiles much is not at steady state.
     */
    long compilerCpuNanos() {
        long ticks = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (comm.startsWith("C2 Compiler") || comm.startsWith("C1 Compiler")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (IOException | RuntimeException gone) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * 10_000_000L;
    }

    long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Starts sampling RSS every 50 ms; {@link #stopSampling()} returns the peak. */
    void startSampling() {
        peakRssKiB.set(rssKiB());
        sampling = true;
        sampler = new Thread(
                () -> {
                    while (sampling) {
                        peakRssKiB.accumulateAndGet(rssKiB(), Math::max);
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    long stopSampling() throws InterruptedException {
        sampling = false;
        sampler.join();
        return peakRssKiB.get();
    }

    /** With bench.extraFlags=-XX:NativeMemoryTracking=summary: where the child's memory goes. */
    String nativeMemorySummary() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(process.pid()),
                        "VM.native_memory",
                        "summary")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /**
     * SIGTERM, then waits up to {@code timeout} for the JVM to exit on its own (an AOT training run writes its cache
     * at exit, which takes seconds); killed after that.
     */
    void stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
