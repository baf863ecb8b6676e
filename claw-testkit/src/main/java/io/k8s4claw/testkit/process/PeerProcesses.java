package io.k8s4claw.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What every launcher of a real peer (control plane, Hermes, OpenClaw) needs: a port, a secret, a clean stop. */
public final class PeerProcesses {

    private static final SecureRandom RANDOM = new SecureRandom();

    private PeerProcesses() {}

    /** A loopback port free right now (a peer binding it later may still lose a race; launchers retry on a clash). */
    public static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** 32 random bytes as 64 hex digits: a token or API key long enough for every peer's minimum. */
    public static String randomHexSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops a process and everything it started: SIGTERM (or SIGKILL when {@code forcibly}, children first), SIGKILL
     * after {@code grace}, then any child still alive. Returns the exit code, or -1 when it could not be had.
     */
    public static int stopTree(Process process, boolean forcibly, Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        if (forcibly) {
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        for (ProcessHandle child : children) {
            child.onExit()
                    .orTimeout(10, TimeUnit.SECONDS)
                    .exceptionally(t -> null)
                    .join();
        }
        return process.isAlive() ? -1 : process.exitValue();
    }
}
