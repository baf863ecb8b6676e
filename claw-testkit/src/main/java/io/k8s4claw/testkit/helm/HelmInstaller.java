package io.k8s4claw.testkit.helm;

import io.k8s4claw.testkit.kubernetes.ControlPlaneInstaller;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the real Helm CLI ({@code helm.sh/helm/v4/cmd/helm}, {@value #HELM_VERSION}) with the machine's Go from the
 * Go module proxy, once per machine, pinned by the wrapper module committed as a resource of this package
 * ({@code peer/}: go.mod, go.sum and tools.go, so every module is hash-checked).
 *
 * <p>The wrapper takes the module versions Helm's own go.mod names ({@code k8s.io/*} v0.37.2), so the binary is the
 * release build, not Helm forced down to the control plane's {@code k8s.io/*} v0.36.3. Go's build cache is shared with
 * {@link ControlPlaneInstaller} all the same, but it reuses a package only when its whole import closure is identical,
 * which the two graphs' different {@code golang.org/x/*} and protobuf versions rule out for nearly every package
 * (numbers in {@code claw-testkit/docs/helm-peer.md}). The
 * version ldflags are those of Helm's Makefile for a tagged build, so {@code helm version} reports
 * {@value #HELM_VERSION} (the git commit stays empty: the module proxy does not carry it).
 *
 * <p>Cache: {@code $K8S4CLAW_HELM_CACHE} (or system property {@code k8s4claw.helm.cache}), default
 * {@code ~/.cache/k8s4claw/helm}; the binary lands in {@code <cache>/<version>-<hash of the wrapper files>/bin/helm}, so
 * a changed pin builds afresh. A staging directory is moved into place only after the build succeeded (a marker file
 * records it); a file lock serialises parallel test JVMs. Go is {@code $K8S4CLAW_GO} or {@code go} on {@code PATH};
 * its output goes to {@code <cache>/build.log}.
 */
public final class HelmInstaller {

    public static final String HELM_VERSION = "v4.3.2";
    public static final String CACHE_ENV = "K8S4CLAW_HELM_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.helm.cache";
    public static final String GO_ENV = ControlPlaneInstaller.GO_ENV;

    private static final String RESOURCES = "/io/k8s4claw/testkit/helm/peer/";
    private static final List<String> FILES = List.of("go.mod", "go.sum", "tools.go");
    private static final String COMMAND = "helm.sh/helm/v4/cmd/helm";
    private static final String COMPLETE_MARKER = ".k8s4claw-build-complete";
    /** A cold build on two busy cores takes a few minutes; this is the point where something is wrong. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);
    private static final Object JVM_LOCK = new Object();

    private final Path cacheDir;
    private final String go;

    public HelmInstaller(Path cacheDir, String go) {
        this.cacheDir = cacheDir.toAbsolutePath();
        this.go = go;
    }

    /** The installer configured from the environment (see class comment). */
    public static HelmInstaller fromEnvironment() {
        String dir = System.getProperty(CACHE_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(CACHE_ENV);
        }
        Path cache = dir == null || dir.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "k8s4claw", "helm")
                : Path.of(dir);
        String go = System.getenv(GO_ENV);
        return new HelmInstaller(cache, go == null || go.isBlank() ? "go" : go);
    }

    /** Builds Helm if the cache lacks it and returns it. */
    public static Helm ensureBuilt() {
        return fromEnvironment().build();
    }

    /** Idempotent: reuses a complete build. */
    public Helm build() {
        Path target = cacheDir.resolve(HELM_VERSION + "-" + pinHash());
        Helm helm = new Helm(target.resolve("bin").resolve("helm"), HELM_VERSION);
        if (isComplete(target)) {
            return helm;
        }
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(cacheDir);
                try (FileChannel lockFile = FileChannel.open(cacheDir.resolve(".build.lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = lockFile.lock()) {
                    if (!isComplete(target)) {
                        buildInto(target);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("building helm into " + cacheDir + " failed: " + e.getMessage()
                        + " (relocate the cache with $" + CACHE_ENV + ")", e);
            }
        }
        return helm;
    }

    private static boolean isComplete(Path target) {
        return Files.isRegularFile(target.resolve(COMPLETE_MARKER));
    }

    private void buildInto(Path target) throws IOException {
        Path staging = cacheDir.resolve(target.getFileName() + ".staging-" + ProcessHandle.current().pid());
        deleteRecursively(staging);
        deleteRecursively(target);
        Path bin = staging.resolve("bin");
        Files.createDirectories(bin);
        Path module = staging.resolve("src");
        Files.createDirectories(module);
        for (String file : FILES) {
            Files.write(module.resolve(file), resource(file));
        }
        Path log = cacheDir.resolve("build.log");
        Files.deleteIfExists(log);
        long started = System.nanoTime();

        run(List.of(go, "build", "-trimpath", "-ldflags", ldflags(), "-o", bin.resolve("helm").toString(), COMMAND),
                module, log);

        Files.writeString(staging.resolve(COMPLETE_MARKER), "Helm " + HELM_VERSION + " built in "
                + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s\n", StandardCharsets.UTF_8);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        }
    }

    /** The ldflags of Helm's Makefile for a tagged release: stripped, the version, no build metadata, a clean tree. */
    static String ldflags() {
        return "-s -w -X helm.sh/helm/v4/internal/version.version=" + HELM_VERSION
                + " -X helm.sh/helm/v4/internal/version.metadata="
                + " -X helm.sh/helm/v4/internal/version.gitTreeState=clean";
    }

    private void run(List<String> command, Path dir, Path log) throws IOException {
        String what = "helm " + HELM_VERSION;
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        // A static binary, and the module graph exactly as go.sum pins it.
        env.put("CGO_ENABLED", "0");
        env.put("GOFLAGS", "-mod=readonly -buildvcs=false");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run '" + go + "': Go 1.26 or newer is needed to build " + what
                    + " for the tests (install Go, or point $" + GO_ENV + " at a go binary)", e);
        }
        boolean finished;
        try {
            finished = process.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + what, e);
        }
        if (!finished) {
            process.destroyForcibly();
            throw new IllegalStateException("building " + what + " did not finish within " + BUILD_TIMEOUT + "; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("go build of " + what + " failed with exit code " + process.exitValue()
                    + " (is the Go module proxy reachable? GOPROXY=" + System.getenv().getOrDefault("GOPROXY", "default")
                    + "); last lines of " + log + ":\n" + tail(log, 25));
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = HelmInstaller.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("claw-testkit is missing the resource " + RESOURCES + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** First 12 hex digits of SHA-256 over the wrapper module's files and the ldflags. */
    static String pinHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String file : FILES) {
                md.update(resource(file));
            }
            md.update(ldflags().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The last {@code lines} lines of a text file, or why it cannot be read. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
