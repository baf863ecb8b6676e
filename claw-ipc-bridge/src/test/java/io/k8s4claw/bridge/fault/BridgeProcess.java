package io.k8s4claw.bridge.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The bridge's main class in a child JVM, configured by environment like in its container. */
final class BridgeProcess implements AutoCloseable {

    /** Printed once the ports are bound (BRIDGE-READY follows when the runtime is reachable too). */
    private static final Pattern READY = Pattern.compile("BRIDGE-LISTENING bus-tcp-port=(\\d+) http-port=(\\d+)");

    private final Process process;
    private final Path log;
    private int httpPort;

    private BridgeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static BridgeProcess start(Path workDir, Map<String, String> env) throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(
                javaBin.toString(),
                "-XX:+UseSerialGC",
                "-Xss512k",
                "-XX:TieredStopAtLevel=1",
                "-Xmx96m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.k8s4claw.bridge.BridgeMain"));
        Files.createDirectories(workDir);
        Path log = Files.createTempFile(workDir, "bridge-", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CLAW_BRIDGE_HTTP_PORT", "0");
        pb.environment().putAll(env);
        BridgeProcess p = new BridgeProcess(pb.start(), log);
        p.awaitReady(Duration.ofSeconds(60));
        return p;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = READY.matcher(Files.readString(log));
            if (m.find()) {
                httpPort = Integer.parseInt(m.group(2));
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "bridge exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("bridge not ready within " + timeout + ":\n" + Files.readString(log));
    }

    int httpPort() {
        return httpPort;
    }

    long pid() {
        return process.pid();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no final fsync. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM; returns the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bridge did not exit within " + timeout + " after SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
