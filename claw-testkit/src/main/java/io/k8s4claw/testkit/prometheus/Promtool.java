package io.k8s4claw.testkit.prometheus;

import io.k8s4claw.testkit.install.CachedInstall;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The promtool built by {@link PromtoolInstaller}: {@code check rules}, {@code test rules}, {@code check metrics} and
 * the rest, run as a process in a working directory of the caller's choice (rule test files name their rule files
 * relative to themselves).
 *
 * @param binary the {@code promtool} executable
 * @param version the Prometheus release it was built from
 */
public record Promtool(Path binary, String version) {

    /** What a {@code promtool} command printed. */
    public record Result(int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** This result, or an exception with promtool's output when the command failed. */
        public Result orThrow(String what) {
            if (!ok()) {
                throw new IllegalStateException("promtool " + what + " failed with exit code " + exitCode + ":\n"
                        + stdout.strip() + "\n" + stderr.strip());
            }
            return this;
        }
    }

    /**
     * Runs {@code promtool args…} (at most 5 minutes), optionally feeding {@code stdin}, and returns what it printed.
     */
    public Result runWithInput(String stdin, String... args) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing: build it with PromtoolInstaller.ensureBuilt()"
                    + " (needs Go and the Go module proxy)");
        }
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Path dir = null;
        try {
            dir = Files.createTempDirectory("k8s4claw-promtool-");
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process process = pb.start();
            if (stdin != null) {
                try (var in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        "promtool " + String.join(" ", args) + " did not finish within 5 minutes");
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running promtool", e);
        } finally {
            if (dir != null) {
                try {
                    CachedInstall.deleteRecursively(dir);
                } catch (IOException ignored) {
                    // a temporary directory left behind is harmless
                }
            }
        }
    }

    /** {@code promtool args…} without input. */
    public Result run(String... args) {
        return runWithInput(null, args);
    }
}
