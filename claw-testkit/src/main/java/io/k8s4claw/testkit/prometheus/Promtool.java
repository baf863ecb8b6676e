package io.k8s4claw.testkit.prometheus;

import io.k8s4claw.testkit.install.PeerProcess;
import java.nio.file.Path;
import java.util.List;

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
        PeerProcess.Output output =
                PeerProcess.run("promtool", binary, "PromtoolInstaller", List.of(args), stdin, (env, dir) -> {});
        return new Result(output.exitCode(), output.stdout(), output.stderr());
    }

    /** {@code promtool args…} without input. */
    public Result run(String... args) {
        return runWithInput(null, args);
    }
}
