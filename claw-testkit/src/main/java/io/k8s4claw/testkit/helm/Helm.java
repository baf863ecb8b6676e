package io.k8s4claw.testkit.helm;

import io.k8s4claw.testkit.install.PeerProcess;
import java.nio.file.Path;
import java.util.List;

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
        PeerProcess.Output output =
                PeerProcess.run("helm", binary, "HelmInstaller", List.of(args), null, (env, home) -> {
                    env.keySet().removeIf(name -> name.startsWith("HELM_") || name.equals("KUBECONFIG"));
                    env.put("HELM_CONFIG_HOME", home.resolve("config").toString());
                    env.put("HELM_CACHE_HOME", home.resolve("cache").toString());
                    env.put("HELM_DATA_HOME", home.resolve("data").toString());
                });
        return new Result(output.exitCode(), output.stdout(), output.stderr());
    }
}
