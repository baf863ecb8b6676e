package io.k8s4claw.testkit.s3;

import io.k8s4claw.testkit.install.GoModuleBuild;
import io.k8s4claw.testkit.install.PeerCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds SeaweedFS's {@code weed} ({@value #COMMAND} at {@value #MODULE_VERSION}, the pseudo-version the Go module
 * proxy serves here) from the wrapper module in {@code /io/k8s4claw/testkit/seaweedfs/peer/} (go.sum pins the whole
 * graph) into {@code <cache>/<version>-<pin>/bin/weed}: {@code $K8S4CLAW_SEAWEEDFS_CACHE} (or system property
 * {@code k8s4claw.seaweedfs.cache}), default {@code ~/.cache/k8s4claw/seaweedfs}. Go is {@code $K8S4CLAW_GO} or
 * {@code go} on {@code PATH}.
 *
 * <p>Why SeaweedFS: a real S3-compatible server (SigV4 checked against configured identities, multipart uploads,
 * path-style addressing) that the proxy serves and that runs as one process on loopback. MinIO's server module is
 * not among the served ones; gofakes3 does not check signatures, so wrong credentials could not be shown with it.
 */
public final class SeaweedFsInstaller {

    public static final String MODULE_VERSION = "v0.0.0-20261109003541-7506e5f91cd6";
    public static final String CACHE_ENV = "K8S4CLAW_SEAWEEDFS_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.seaweedfs.cache";
    static final String COMMAND = "github.com/seaweedfs/seaweedfs/weed";
    private static final GoModuleBuild MODULE =
            new GoModuleBuild("/io/k8s4claw/testkit/seaweedfs/peer/", List.of("go.mod", "go.sum", "tools.go"));
    /** SeaweedFS pulls ~1,300 modules; a cold build on two busy cores takes tens of minutes. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(90);

    private static final String LDFLAGS = "-s -w";

    private final PeerCache cache;
    private final String go;

    public SeaweedFsInstaller(Path cacheDir, String go) {
        this.cache = new PeerCache(cacheDir.toAbsolutePath(), CACHE_ENV);
        this.go = go;
    }

    public static SeaweedFsInstaller fromEnvironment() {
        return new SeaweedFsInstaller(
                PeerCache.fromEnvironment(CACHE_PROPERTY, CACHE_ENV, "seaweedfs")
                        .dir(),
                GoModuleBuild.goBinary());
    }

    /** The {@code weed} binary, built into the cache if it lacks one. */
    public static Path ensureBuilt() {
        return fromEnvironment().build();
    }

    public Path build() {
        String what = "SeaweedFS " + MODULE_VERSION;
        return GoModuleBuild.install(
                        cache,
                        MODULE_VERSION + "-" + GoModuleBuild.pinHash(List.of(MODULE), LDFLAGS),
                        what,
                        go,
                        BUILD_TIMEOUT,
                        GoModuleBuild.Step.binary(MODULE, "weed", COMMAND, LDFLAGS, what))
                .resolve("weed");
    }
}
