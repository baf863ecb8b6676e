package io.k8s4claw.testkit.helm;

import io.k8s4claw.testkit.install.CachedInstall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Helm CLI built by {@link HelmInstaller}. Every run gets Helm homes of its own (config, cache and data under a
 * temporary directory), so the machine's repositories, plugins and registry logins never leak into a test, and no
 * {@code KUBECONFIG} from the environment: a command that talks to a cluster names {@code --kubeconfig}.
 *
 * @param binary the {@code helm} executable
 * @param version the Helm release it was built from (what {@code helm version} reports)
 */
public record Helm(Path binary, String version) {

    /** What a {@code helm} command printed. */
    public record Result(int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** This result, or an exception with Helm's stderr when the command failed. */
        public Result orThrow(String what) {
            if (!ok()) {
                throw new IllegalStateException(
                        "helm " + what + " failed with exit code " + exitCode + ": " + stderr.strip());
            }
            return this;
        }
    }

    /** Runs {@code helm args…} (at most 5 minutes) and returns its exit code and output, whatever they are. */
    public Result run(String... args) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing: build it with HelmInstaller.ensureBuilt()"
                    + " (needs Go and the Go module proxy)");
        }
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Path home = null;
        try {
            home = Files.createTempDirectory("k8s4claw-helm-");
            Path out = home.resolve("stdout");
            Path err = home.resolve("stderr");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(name -> name.startsWith("HELM_") || name.equals("KUBECONFIG"));
            env.put("HELM_CONFIG_HOME", home.resolve("config").toString());
            env.put("HELM_CACHE_HOME", home.resolve("cache").toString());
            env.put("HELM_DATA_HOME", home.resolve("data").toString());
            Process process = pb.start();
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("helm " + String.join(" ", args) + " did not finish within 5 minutes");
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running helm", e);
        } finally {
            if (home != null) {
                try {
                    CachedInstall.deleteRecursively(home);
                } catch (IOException ignored) {
                    // a temporary directory left behind is harmless
                }
            }
        }
    }
}
