package io.k8s4claw.testkit.kubernetes;

import java.io.File;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds the real Kubernetes control plane — {@code kube-apiserver}, {@code kube-controller-manager}, {@code kubectl}
 * from {@code k8s.io/kubernetes} and {@code etcd} from {@code go.etcd.io/etcd/server/v3} — with the machine's Go from
 * the Go module proxy, once per machine, pinned by the wrapper modules committed as resources of this package
 * ({@code peer/kubernetes}, {@code peer/etcd}: go.mod and go.sum, so every module is hash-checked).
 *
 * <p>{@code k8s.io/kubernetes} refers to its staging modules ({@code k8s.io/api}, {@code k8s.io/apiserver}, …) as
 * {@code v0.0.0} replaced by paths inside its own repository; a module that requires it must replace each with its
 * published {@code v0.36.3}, which the wrapper's go.mod does. The version ldflags make {@code /version} and
 * {@code kubectl version} tell the truth ({@value #KUBERNETES_VERSION}).
 *
 * <p>Cache: {@code $K8S4CLAW_KUBERNETES_CACHE} (or system property {@code k8s4claw.kubernetes.cache}), default
 * {@code ~/.cache/k8s4claw/kubernetes}; binaries land in {@code <cache>/<version>-<hash of the wrapper files>/bin}, so
 * a changed pin builds afresh. Go's own build cache ({@code go env GOCACHE}) is shared with every other Go tool the
 * project builds, so a second tool reuses the compiled {@code k8s.io/*} packages. A staging directory is moved into
 * place only after every build succeeded; a file lock serialises parallel test JVMs. Go is {@code $K8S4CLAW_GO} or
 * {@code go} on {@code PATH}; its output goes to {@code <cache>/build.log}.
 */
public final class ControlPlaneInstaller {

    public static final String KUBERNETES_VERSION = "v1.36.3";
    public static final String ETCD_VERSION = "v3.6.16";
    public static final String CACHE_ENV = "K8S4CLAW_KUBERNETES_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.kubernetes.cache";
    public static final String GO_ENV = "K8S4CLAW_GO";

    private static final String RESOURCES = "/io/k8s4claw/testkit/kubernetes/peer/";
    private static final List<String> KUBERNETES_FILES = List.of("go.mod", "go.sum", "tools.go");
    private static final List<String> ETCD_FILES = List.of("go.mod", "go.sum", "main.go");
    private static final List<String> KUBERNETES_COMMANDS = List.of(
            "k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kube-controller-manager", "k8s.io/kubernetes/cmd/kubectl");
    private static final String COMPLETE_MARKER = ".k8s4claw-build-complete";
    /** A cold build of all four on two cores takes about ten minutes; this is the point where something is wrong. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(45);
    private static final Object JVM_LOCK = new Object();

    private final Path cacheDir;
    private final String go;

    public ControlPlaneInstaller(Path cacheDir, String go) {
        this.cacheDir = cacheDir.toAbsolutePath();
        this.go = go;
    }

    /** The installer configured from the environment (see class comment). */
    public static ControlPlaneInstaller fromEnvironment() {
        String dir = System.getProperty(CACHE_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(CACHE_ENV);
        }
        Path cache = dir == null || dir.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "k8s4claw", "kubernetes")
                : Path.of(dir);
        String go = System.getenv(GO_ENV);
        return new ControlPlaneInstaller(cache, go == null || go.isBlank() ? "go" : go);
    }

    /** Builds what is missing (nothing when the cache is complete) and returns the binaries. */
    public static ControlPlaneBinaries ensureBuilt() {
        return fromEnvironment().build();
    }

    /** Idempotent: reuses a complete build. */
    public ControlPlaneBinaries build() {
        Path target = cacheDir.resolve(KUBERNETES_VERSION + "-etcd-" + ETCD_VERSION + "-" + pinHash());
        ControlPlaneBinaries binaries = new ControlPlaneBinaries(target.resolve("bin"), KUBERNETES_VERSION, ETCD_VERSION);
        if (isComplete(target)) {
            return binaries;
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
                throw new UncheckedIOException("building the control plane into " + cacheDir + " failed: " + e.getMessage()
                        + " (relocate the cache with $" + CACHE_ENV + ")", e);
            }
        }
        return binaries;
    }

    private static boolean isComplete(Path target) {
        return Files.isRegularFile(target.resolve(COMPLETE_MARKER));
    }

    private void buildInto(Path target) throws IOException {
        Path staging = cacheDir.resolve(target.getFileName() + ".staging-" + ProcessHandle.current().pid());
        FileTrees.deleteRecursively(staging);
        FileTrees.deleteRecursively(target);
        Path bin = staging.resolve("bin");
        Files.createDirectories(bin);
        Path kubernetesModule = extract(staging.resolve("src/kubernetes"), "kubernetes", KUBERNETES_FILES);
        Path etcdModule = extract(staging.resolve("src/etcd"), "etcd", ETCD_FILES);
        Path log = cacheDir.resolve("build.log");
        Files.deleteIfExists(log);
        long started = System.nanoTime();

        List<String> kube = new ArrayList<>(List.of(go, "build", "-trimpath", "-ldflags", kubernetesLdflags(), "-o", bin + File.separator));
        kube.addAll(KUBERNETES_COMMANDS);
        run(kube, kubernetesModule, log, "kube-apiserver, kube-controller-manager and kubectl " + KUBERNETES_VERSION);
        run(List.of(go, "build", "-trimpath", "-ldflags", "-s -w", "-o", bin.resolve("etcd").toString(), "."),
                etcdModule, log, "etcd " + ETCD_VERSION);

        Files.writeString(staging.resolve(COMPLETE_MARKER), "Kubernetes " + KUBERNETES_VERSION + ", etcd " + ETCD_VERSION
                + " built in " + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s\n", StandardCharsets.UTF_8);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        }
    }

    /** The ldflags {@code hack/lib/version.sh} sets for a release build: the version packages of component-base and client-go. */
    static String kubernetesLdflags() {
        String[] parts = KUBERNETES_VERSION.substring(1).split("\\.");
        StringBuilder flags = new StringBuilder("-s -w");
        for (String pkg : List.of("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")) {
            flags.append(" -X ").append(pkg).append(".gitVersion=").append(KUBERNETES_VERSION)
                    .append(" -X ").append(pkg).append(".gitMajor=").append(parts[0])
                    .append(" -X ").append(pkg).append(".gitMinor=").append(parts[1])
                    .append(" -X ").append(pkg).append(".gitTreeState=clean");
        }
        return flags.toString();
    }

    private void run(List<String> command, Path dir, Path log, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        // Static binaries, and the module graph exactly as go.sum pins it.
        env.put("CGO_ENABLED", "0");
        env.put("GOFLAGS", "-mod=readonly -buildvcs=false");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run '" + go + "': Go 1.26 or newer is needed to build the test control plane"
                    + " (install Go, or point $" + GO_ENV + " at a go binary)", e);
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
                    + " (is the Go module proxy reachable? GOPROXY=" + System.getenv().getOrDefault("GOPROXY", "default") + "); last lines of "
                    + log + ":\n" + FileTrees.tail(log, 25));
        }
    }

    private static Path extract(Path dir, String module, List<String> files) throws IOException {
        Files.createDirectories(dir);
        for (String file : files) {
            Files.write(dir.resolve(file), resource(module + "/" + file));
        }
        return dir;
    }

    private static byte[] resource(String name) {
        try (InputStream in = ControlPlaneInstaller.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("claw-testkit is missing the resource " + RESOURCES + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** First 12 hex digits of SHA-256 over the wrapper modules' files and the ldflags. */
    static String pinHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String file : KUBERNETES_FILES) {
                md.update(resource("kubernetes/" + file));
            }
            for (String file : ETCD_FILES) {
                md.update(resource("etcd/" + file));
            }
            md.update(kubernetesLdflags().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
