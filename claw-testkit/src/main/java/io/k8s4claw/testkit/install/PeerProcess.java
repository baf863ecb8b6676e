package io.k8s4claw.testkit.install;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One run of a peer's command-line tool (helm, promtool): a process whose output goes to files in a temporary
 * directory of its own (deleted afterwards), so a chatty command cannot block on a full pipe; at most
 * {@link #TIMEOUT}.
 */
public final class PeerProcess {

    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** What the command printed, and how it exited. */
    public record Output(int exitCode, String stdout, String stderr) {}

    private PeerProcess() {}

    /**
     * Runs {@code binary args…}.
     *
     * @param name the tool, for messages ({@code helm})
     * @param installer the class whose {@code ensureBuilt()} builds the binary, named when it is missing
     * @param stdin fed to the process, or {@code null} for an empty input
     * @param environment adjusts the process's environment; gets the run's temporary directory too
     */
    public static Output run(
            String name,
            Path binary,
            String installer,
            List<String> args,
            String stdin,
            BiConsumer<Map<String, String>, Path> environment) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing: build it with " + installer + ".ensureBuilt()"
                    + " (needs Go and the Go module proxy)");
        }
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(args);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("k8s4claw-" + name + "-");
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            environment.accept(pb.environment(), dir);
            Process process = pb.start();
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " " + String.join(" ", args) + " did not finish within "
                        + TIMEOUT.toMinutes() + " minutes");
            }
            return new Output(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + name, e);
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
}
