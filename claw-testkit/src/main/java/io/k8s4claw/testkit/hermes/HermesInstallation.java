package io.k8s4claw.testkit.hermes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A finished install of the real Hermes Agent: a virtual environment holding {@code hermes-agent} and its locked
 * dependencies. Hermes is run as {@code <venv>/bin/python -m hermes_cli.main ...} rather than through the
 * {@code bin/hermes} console script, because that script's first line names the staging directory the venv was
 * built in, which no longer exists once the install was moved into place.
 */
public record HermesInstallation(Path venv, String version) {

    public Path python() {
        return venv.resolve("bin").resolve("python");
    }

    /** The command line of {@code hermes ARGS...}. */
    public List<String> hermesCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of(python().toString(), "-m", "hermes_cli.main"));
        command.addAll(args);
        return List.copyOf(command);
    }
}
