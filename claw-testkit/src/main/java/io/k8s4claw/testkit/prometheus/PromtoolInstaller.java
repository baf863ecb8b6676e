package io.k8s4claw.testkit.prometheus;

import io.k8s4claw.testkit.install.GoModuleBuild;
import io.k8s4claw.testkit.install.PeerCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds the real promtool ({@code github.com/prometheus/prometheus/cmd/promtool}, Prometheus
 * {@value #PROMETHEUS_VERSION}, Go module {@value #MODULE_VERSION}) with the machine's Go from the Go module proxy,
 * once per machine, pinned by the wrapper module committed as a resource of this package ({@code peer/}: go.mod, go.sum
 * and tools.go, so every module is hash-checked). Like every Go peer it shares Go's one build cache.
 *
 * <p>The build is the release's: all of Prometheus's service-discovery plugins included (promtool registers them for
 * {@code check config}), stripped, and the version ldflags of Prometheus's {@code .promu.yml}, so
 * {@code promtool --version} reports {@value #PROMETHEUS_VERSION} (the revision stays empty: the module proxy does not
 * carry it).
 *
 * <p>Cache: {@code $K8S4CLAW_PROMTOOL_CACHE} (or system property {@code k8s4claw.promtool.cache}), default
 * {@code ~/.cache/k8s4claw/promtool}; the binary lands in
 * {@code <cache>/<version>-<hash of the wrapper files>/bin/promtool} ({@link PeerCache}: staged, marked complete, under
 * a file lock). Go is {@code $K8S4CLAW_GO} or {@code go} on {@code PATH}; its output goes to {@code <cache>/build.log}.
 */
public final class PromtoolInstaller {

    public static final String PROMETHEUS_VERSION = "3.16.0";
    public static final String MODULE_VERSION = "v0.316.0";
    public static final String CACHE_ENV = "K8S4CLAW_PROMTOOL_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.promtool.cache";

    private static final GoModuleBuild MODULE =
            new GoModuleBuild("/io/k8s4claw/testkit/prometheus/peer/", List.of("go.mod", "go.sum", "tools.go"));
    private static final String COMMAND = "github.com/prometheus/prometheus/cmd/promtool";
    /** A cold build on two busy cores takes several minutes; this is the point where something is wrong. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(40);

    private final PeerCache cache;
    private final String go;

    public PromtoolInstaller(Path cacheDir, String go) {
        this.cache = new PeerCache(cacheDir.toAbsolutePath(), CACHE_ENV);
        this.go = go;
    }

    /** The installer configured from the environment (see class comment). */
    public static PromtoolInstaller fromEnvironment() {
        return new PromtoolInstaller(
                PeerCache.fromEnvironment(CACHE_PROPERTY, CACHE_ENV, "promtool").dir(), GoModuleBuild.goBinary());
    }

    /** Builds promtool if the cache lacks it and returns it. */
    public static Promtool ensureBuilt() {
        return fromEnvironment().build();
    }

    /** Idempotent: reuses a complete build. */
    public Promtool build() {
        String what = "promtool " + PROMETHEUS_VERSION;
        Path bin = GoModuleBuild.install(
                cache,
                MODULE_VERSION + "-" + pinHash(),
                what,
                go,
                BUILD_TIMEOUT,
                new GoModuleBuild.Step(MODULE, "promtool", List.of(COMMAND), ldflags(), BUILD_TAGS, what));
        return new Promtool(bin.resolve("promtool"), PROMETHEUS_VERSION);
    }

    /**
     * Prometheus's own tag for a build without service-discovery plugins ({@code plugins/plugin_*.go}): promtool checks
     * and unit-tests rules without them, and they are most of a cold build's compile time (the AWS EC2/ECS, Azure
     * compute and network, GCE, OpenStack, Scaleway… SDKs: 1,364 packages become 1,117, the slowest among the ones left
     * out).
     */
    static final List<String> BUILD_TAGS = List.of("remove_all_sd");

    /** The cache key: the wrapper module's files, the ldflags and the build tags. */
    static String pinHash() {
        return GoModuleBuild.pinHash(List.of(MODULE), ldflags(), "tags=" + String.join(",", BUILD_TAGS));
    }

    /** Stripped, with the version variables {@code .promu.yml} sets for a release (no revision: not in the module). */
    static String ldflags() {
        return "-s -w -X github.com/prometheus/common/version.Version=" + PROMETHEUS_VERSION
                + " -X github.com/prometheus/common/version.Branch=HEAD"
                + " -X github.com/prometheus/common/version.BuildUser=k8s4claw-testkit";
    }
}
