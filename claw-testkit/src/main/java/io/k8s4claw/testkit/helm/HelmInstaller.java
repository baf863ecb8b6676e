package io.k8s4claw.testkit.helm;

import io.k8s4claw.testkit.install.GoModuleBuild;
import io.k8s4claw.testkit.install.PeerCache;
import io.k8s4claw.testkit.kubernetes.ControlPlaneInstaller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds the real Helm CLI ({@code helm.sh/helm/v4/cmd/helm}, {@value #HELM_VERSION}) with the machine's Go from the
 * Go module proxy, once per machine, pinned by the wrapper module committed as a resource of this package
 * ({@code peer/}: go.mod, go.sum and tools.go, so every module is hash-checked).
 *
 * <p>The wrapper takes the module versions Helm's own go.mod names ({@code k8s.io/*} v0.37.2), so the binary is the
 * release build, not Helm forced down to the control plane's {@code k8s.io/*} v0.36.3. Go's build cache is shared with
 * {@link ControlPlaneInstaller} all the same, but it reuses a package only when its whole import closure is identical,
 * which the two graphs' different {@code golang.org/x/*} and protobuf versions rule out for nearly every package
 * (numbers in {@code claw-testkit/docs/helm-peer.md}). The
 * version ldflags are those of Helm's Makefile for a tagged build, so {@code helm version} reports
 * {@value #HELM_VERSION} (the git commit stays empty: the module proxy does not carry it).
 *
 * <p>Cache: {@code $K8S4CLAW_HELM_CACHE} (or system property {@code k8s4claw.helm.cache}), default
 * {@code ~/.cache/k8s4claw/helm}; the binary lands in {@code <cache>/<version>-<hash of the wrapper files>/bin/helm},
 * so a changed pin builds afresh ({@link PeerCache}: staged, marked complete, under a file lock). Go is
 * {@code $K8S4CLAW_GO} or {@code go} on {@code PATH}; its output goes to {@code <cache>/build.log}.
 */
public final class HelmInstaller {

    public static final String HELM_VERSION = "v4.3.2";
    public static final String CACHE_ENV = "K8S4CLAW_HELM_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.helm.cache";
    public static final String GO_ENV = GoModuleBuild.GO_ENV;

    private static final GoModuleBuild MODULE =
            new GoModuleBuild("/io/k8s4claw/testkit/helm/peer/", List.of("go.mod", "go.sum", "tools.go"));
    private static final String COMMAND = "helm.sh/helm/v4/cmd/helm";
    /** A cold build on two busy cores takes a few minutes; this is the point where something is wrong. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);

    private final PeerCache cache;
    private final String go;

    public HelmInstaller(Path cacheDir, String go) {
        this.cache = new PeerCache(cacheDir.toAbsolutePath(), CACHE_ENV);
        this.go = go;
    }

    /** The installer configured from the environment (see class comment). */
    public static HelmInstaller fromEnvironment() {
        return new HelmInstaller(
                PeerCache.fromEnvironment(CACHE_PROPERTY, CACHE_ENV, "helm").dir(), GoModuleBuild.goBinary());
    }

    /** Builds Helm if the cache lacks it and returns it. */
    public static Helm ensureBuilt() {
        return fromEnvironment().build();
    }

    /** Idempotent: reuses a complete build. */
    public Helm build() {
        String what = "helm " + HELM_VERSION;
        Path bin = GoModuleBuild.install(
                cache,
                HELM_VERSION + "-" + pinHash(),
                what,
                go,
                BUILD_TIMEOUT,
                GoModuleBuild.Step.binary(MODULE, "helm", COMMAND, ldflags(), what));
        return new Helm(bin.resolve("helm"), HELM_VERSION);
    }

    /** The cache key: the wrapper module's files and the ldflags. */
    static String pinHash() {
        return GoModuleBuild.pinHash(List.of(MODULE), ldflags());
    }

    /** The ldflags of Helm's Makefile for a tagged release: stripped, the version, no build metadata, a clean tree. */
    static String ldflags() {
        return "-s -w -X helm.sh/helm/v4/internal/version.version=" + HELM_VERSION
                + " -X helm.sh/helm/v4/internal/version.metadata="
                + " -X helm.sh/helm/v4/internal/version.gitTreeState=clean";
    }
}
