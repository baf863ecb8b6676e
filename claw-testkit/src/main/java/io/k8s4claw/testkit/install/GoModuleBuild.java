package io.k8s4claw.testkit.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Go peer built from a wrapper module committed as class-path resources ({@code go.mod} + {@code go.sum}, so every
 * module is hash-checked, and the Go files that name what to build), with the machine's Go and the Go module proxy.
 * Every build is static ({@code CGO_ENABLED=0}), {@code -trimpath}, and takes the module graph exactly as go.sum pins
 * it.
 *
 * @param resourceDir the class-path directory of the wrapper module, e.g. {@code /io/k8s4claw/testkit/helm/peer/}
 * @param files the wrapper module's files in that directory
 */
public record GoModuleBuild(String resourceDir, List<String> files) {

    public static final String GO_ENV = "K8S4CLAW_GO";

    /** Go is {@code $K8S4CLAW_GO} or {@code go} on {@code PATH}. */
    public static String goBinary() {
        String go = System.getenv(GO_ENV);
        return go == null || go.isBlank() ? "go" : go;
    }

    public byte[] file(String name) {
        try (InputStream in = GoModuleBuild.class.getResourceAsStream(resourceDir + name)) {
            if (in == null) {
                throw new IllegalStateException("claw-testkit is missing the resource " + resourceDir + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the wrapper module into {@code dir} and returns it. */
    public Path extractTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : files) {
            Files.write(dir.resolve(name), file(name));
        }
        return dir;
    }

    /** First 12 hex digits of SHA-256 over the modules' files and the given build settings (ldflags): a cache key. */
    public static String pinHash(List<GoModuleBuild> modules, String... settings) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (GoModuleBuild module : modules) {
                for (String name : module.files()) {
                    md.update(module.file(name));
                }
            }
            for (String s : settings) {
                md.update(s.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One {@code go build} of a peer install: {@code packages} of {@code module} (extracted to {@code src/<name>}),
     * built into {@code bin/<name>}, or into {@code bin/} when there are several packages (each binary named after
     * its package).
     *
     * @param what what is built, for messages, e.g. {@code "helm v4.3.2"}
     */
    public record Step(
            GoModuleBuild module, String name, List<String> packages, String ldflags, List<String> tags, String what) {

        public Step {
            packages = List.copyOf(packages);
            tags = List.copyOf(tags);
        }

        /** A single binary {@code name} from one package, without build tags. */
        public static Step binary(GoModuleBuild module, String name, String pkg, String ldflags, String what) {
            return new Step(module, name, List.of(pkg), ldflags, List.of(), what);
        }
    }

    /**
     * A peer's install, once per machine: {@code <cache>/<key>/bin/} filled by the steps' {@code go build}s ({@link
     * PeerCache}: staged, marked complete, under its lock; a complete one is reused), their output in {@code
     * <cache>/build.log}, reset for each install. The key names the versions and the pin hash, so a changed pin
     * builds afresh.
     *
     * @return the {@code bin/} directory of the install
     */
    public static Path install(PeerCache cache, String key, String what, String go, Duration timeout, Step... steps) {
        Path target = cache.dir().resolve(key);
        cache.ensure(target, what, staging -> {
            Path bin = staging.resolve("bin");
            Files.createDirectories(bin);
            Path log = cache.dir().resolve("build.log");
            Files.deleteIfExists(log);
            for (Step step : steps) {
                build(
                        go,
                        step.module().extractTo(staging.resolve("src").resolve(step.name())),
                        step.ldflags(),
                        step.tags(),
                        step.packages().size() == 1 ? bin.resolve(step.name()) : bin,
                        step.packages(),
                        log,
                        step.what(),
                        timeout);
            }
        });
        return target.resolve("bin");
    }

    /**
     * Runs {@code <go> build -trimpath -ldflags <ldflags> [-tags <tags>] -o <output> <packages>} in {@code moduleDir},
     * appending its output to {@code log}; a missing Go, a timeout or a failed build each say what to do in their
     * message.
     */
    private static void build(
            String go,
            Path moduleDir,
            String ldflags,
            List<String> tags,
            Path output,
            List<String> packages,
            Path log,
            String what,
            Duration timeout)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(go, "build", "-trimpath", "-ldflags", ldflags));
        if (!tags.isEmpty()) {
            command.addAll(List.of("-tags", String.join(",", tags)));
        }
        command.addAll(List.of("-o", output.toString()));
        command.addAll(packages);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(moduleDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("CGO_ENABLED", "0");
        env.put("GOFLAGS", "-mod=readonly -buildvcs=false");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run '" + go + "': Go 1.26 or newer is needed to build " + what
                            + " for the tests (install Go, or point $" + GO_ENV + " at a go binary)",
                    e);
        }
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + what, e);
        }
        if (!finished) {
            process.destroyForcibly();
            throw new IllegalStateException("building " + what + " did not finish within " + timeout + "; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("go build of " + what + " failed with exit code " + process.exitValue()
                    + " (is the Go module proxy reachable? GOPROXY="
                    + System.getenv().getOrDefault("GOPROXY", "default")
                    + "); last lines of " + log + ":\n" + CachedInstall.tail(log, 25));
        }
    }
}
