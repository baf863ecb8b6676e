package io.k8s4claw.testkit.registry;

import io.k8s4claw.testkit.install.GoModuleBuild;
import io.k8s4claw.testkit.install.PeerCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds the real CNCF distribution registry ({@code github.com/distribution/distribution/v3/cmd/registry},
 * {@value #REGISTRY_VERSION}) and go-containerregistry's {@code crane} ({@value #CRANE_VERSION}), which pushes test
 * images into it, with the machine's Go from the Go module proxy, once per machine. Each is pinned by its own wrapper
 * module committed as a resource of this package ({@code peer/} and {@code crane/}: go.mod, go.sum and tools.go, so
 * every module is hash-checked) with the versions its own go.mod names — two modules, not one, so neither is built
 * against the other's dependency versions. Both go through {@link PeerCache} and {@link GoModuleBuild} like the
 * control plane and Helm; Go's build cache is shared with them.
 *
 * <p>Cache: {@code $K8S4CLAW_REGISTRY_CACHE} (or system property {@code k8s4claw.registry.cache}), default
 * {@code ~/.cache/k8s4claw/registry}; binaries land in {@code <cache>/<versions>-<hash of the wrapper files>/bin/}.
 * Go is {@code $K8S4CLAW_GO} or {@code go} on {@code PATH}; its output goes to {@code <cache>/build.log}.
 */
public final class RegistryInstaller {

    public static final String REGISTRY_VERSION = "v3.0.0";
    public static final String CRANE_VERSION = "v0.22.1";
    public static final String CACHE_ENV = "K8S4CLAW_REGISTRY_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.registry.cache";

    private static final GoModuleBuild REGISTRY =
            new GoModuleBuild("/io/k8s4claw/testkit/registry/peer/", List.of("go.mod", "go.sum", "tools.go"));
    private static final GoModuleBuild CRANE =
            new GoModuleBuild("/io/k8s4claw/testkit/registry/crane/", List.of("go.mod", "go.sum", "tools.go"));
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);

    /** The two binaries. */
    public record Binaries(Path registry, Path crane) {}

    private final PeerCache cache;
    private final String go;

    public RegistryInstaller(Path cacheDir, String go) {
        this.cache = new PeerCache(cacheDir.toAbsolutePath(), CACHE_ENV);
        this.go = go;
    }

    public static RegistryInstaller fromEnvironment() {
        return new RegistryInstaller(
                PeerCache.fromEnvironment(CACHE_PROPERTY, CACHE_ENV, "registry").dir(), GoModuleBuild.goBinary());
    }

    /** Builds both if the cache lacks them. */
    public static Binaries ensureBuilt() {
        return fromEnvironment().build();
    }

    /** Idempotent: reuses a complete build. */
    public Binaries build() {
        Path bin = GoModuleBuild.install(
                cache,
                "registry-" + REGISTRY_VERSION + "-crane-" + CRANE_VERSION + "-" + pinHash(),
                "registry " + REGISTRY_VERSION + " and crane " + CRANE_VERSION,
                go,
                BUILD_TIMEOUT,
                GoModuleBuild.Step.binary(
                        REGISTRY,
                        "registry",
                        "github.com/distribution/distribution/v3/cmd/registry",
                        registryLdflags(),
                        "registry " + REGISTRY_VERSION),
                GoModuleBuild.Step.binary(
                        CRANE,
                        "crane",
                        "github.com/google/go-containerregistry/cmd/crane",
                        craneLdflags(),
                        "crane " + CRANE_VERSION));
        return new Binaries(bin.resolve("registry"), bin.resolve("crane"));
    }

    static String pinHash() {
        return GoModuleBuild.pinHash(List.of(REGISTRY, CRANE), registryLdflags(), craneLdflags());
    }

    /** As the distribution Makefile stamps a release: the version (the revision stays empty: the proxy lacks it). */
    static String registryLdflags() {
        return "-s -w -X github.com/distribution/distribution/v3/version.version=" + REGISTRY_VERSION;
    }

    /** As crane's release build stamps its version. */
    static String craneLdflags() {
        return "-s -w -X github.com/google/go-containerregistry/cmd/crane/cmd.Version=" + CRANE_VERSION;
    }
}
