package io.k8s4claw.testkit.kubernetes;

import io.k8s4claw.testkit.install.GoModuleBuild;
import io.k8s4claw.testkit.install.PeerCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds the real Kubernetes control plane — {@code kube-apiserver}, {@code kube-controller-manager}, {@code kubectl}
 * from {@code k8s.io/kubernetes} and {@code etcd} from {@code go.etcd.io/etcd/server/v3} — with the machine's Go from
 * the Go module proxy, once per machine, pinned by the wrapper modules committed as resources of this package
 * ({@code peer/kubernetes}, {@code peer/etcd}: go.mod and go.sum, so every module is hash-checked).
 *
 * <p>{@code k8s.io/kubernetes} refers to its staging modules ({@code k8s.io/api}, {@code k8s.io/apiserver}, …) as
 * {@code v0.0.0} replaced by paths inside its own repository; a module that requires it must replace each with its
 * published {@code v0.36.3}, which the wrapper's go.mod does. The version ldflags make {@code /version} and
 * {@code kubectl version} tell the truth ({@value #KUBERNETES_VERSION}).
 *
 * <p>Cache: {@code $K8S4CLAW_KUBERNETES_CACHE} (or system property {@code k8s4claw.kubernetes.cache}), default
 * {@code ~/.cache/k8s4claw/kubernetes}; binaries land in {@code <cache>/<version>-<hash of the wrapper files>/bin}, so
 * a changed pin builds afresh ({@link PeerCache}: staged, marked complete, under a file lock). Go's own build cache
 * ({@code go env GOCACHE}) is the machine's. Go is {@code $K8S4CLAW_GO} or {@code go} on {@code PATH}; its output goes
 * to {@code <cache>/build.log}.
 */
public final class ControlPlaneInstaller {

    public static final String KUBERNETES_VERSION = "v1.36.3";
    public static final String ETCD_VERSION = "v3.6.16";
    public static final String CACHE_ENV = "K8S4CLAW_KUBERNETES_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.kubernetes.cache";
    public static final String GO_ENV = GoModuleBuild.GO_ENV;

    private static final GoModuleBuild KUBERNETES = new GoModuleBuild(
            "/io/k8s4claw/testkit/kubernetes/peer/kubernetes/", List.of("go.mod", "go.sum", "tools.go"));
    private static final GoModuleBuild ETCD =
            new GoModuleBuild("/io/k8s4claw/testkit/kubernetes/peer/etcd/", List.of("go.mod", "go.sum", "main.go"));
    private static final List<String> KUBERNETES_COMMANDS = List.of(
            "k8s.io/kubernetes/cmd/kube-apiserver",
            "k8s.io/kubernetes/cmd/kube-controller-manager",
            "k8s.io/kubernetes/cmd/kubectl");
    /**
     * A cold build of all four on two busy cores takes some ten minutes; this is the point where something is wrong.
     */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(45);

    private final PeerCache cache;
    private final String go;

    public ControlPlaneInstaller(Path cacheDir, String go) {
        this.cache = new PeerCache(cacheDir.toAbsolutePath(), CACHE_ENV);
        this.go = go;
    }

    /** The installer configured from the environment (see class comment). */
    public static ControlPlaneInstaller fromEnvironment() {
        return new ControlPlaneInstaller(
                PeerCache.fromEnvironment(CACHE_PROPERTY, CACHE_ENV, "kubernetes")
                        .dir(),
                GoModuleBuild.goBinary());
    }

    /** Builds what is missing (nothing when the cache is complete) and returns the binaries. */
    public static ControlPlaneBinaries ensureBuilt() {
        return fromEnvironment().build();
    }

    /** Idempotent: reuses a complete build. */
    public ControlPlaneBinaries build() {
        Path bin = GoModuleBuild.install(
                cache,
                KUBERNETES_VERSION + "-etcd-" + ETCD_VERSION + "-"
                        + GoModuleBuild.pinHash(List.of(KUBERNETES, ETCD), kubernetesLdflags()),
                "Kubernetes " + KUBERNETES_VERSION + " and etcd " + ETCD_VERSION,
                go,
                BUILD_TIMEOUT,
                new GoModuleBuild.Step(
                        KUBERNETES,
                        "kubernetes",
                        KUBERNETES_COMMANDS,
                        kubernetesLdflags(),
                        List.of(),
                        "kube-apiserver, kube-controller-manager and kubectl " + KUBERNETES_VERSION),
                GoModuleBuild.Step.binary(ETCD, "etcd", ".", "-s -w", "etcd " + ETCD_VERSION));
        return new ControlPlaneBinaries(bin, KUBERNETES_VERSION, ETCD_VERSION);
    }

    /**
     * The ldflags {@code hack/lib/version.sh} sets for a release build: the version packages of component-base and
     * client-go.
     */
    static String kubernetesLdflags() {
        String[] parts = KUBERNETES_VERSION.substring(1).split("\\.");
        StringBuilder flags = new StringBuilder("-s -w");
        for (String pkg : List.of("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")) {
            flags.append(" -X ")
                    .append(pkg)
                    .append(".gitVersion=")
                    .append(KUBERNETES_VERSION)
                    .append(" -X ")
                    .append(pkg)
                    .append(".gitMajor=")
                    .append(parts[0])
                    .append(" -X ")
                    .append(pkg)
                    .append(".gitMinor=")
                    .append(parts[1])
                    .append(" -X ")
                    .append(pkg)
                    .append(".gitTreeState=clean");
        }
        return flags.toString();
    }
}
