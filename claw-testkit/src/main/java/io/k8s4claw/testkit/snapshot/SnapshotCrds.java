package io.k8s4claw.testkit.snapshot;

import io.k8s4claw.testkit.install.GoModuleBuild;
import io.k8s4claw.testkit.install.GoModuleDownload;
import io.k8s4claw.testkit.install.PeerCache;
import java.nio.file.Path;
import java.util.List;

/**
 * The CSI external-snapshotter's CustomResourceDefinitions of {@code snapshot.storage.k8s.io/v1} (VolumeSnapshot,
 * VolumeSnapshotContent, VolumeSnapshotClass) as its client module {@value #MODULE} {@value #VERSION} carries them
 * under {@code config/crd/} — the definitions a cluster installs before its CSI snapshot controller. Fetched with
 * {@link GoModuleDownload} (hash pinned) into {@code <cache>/<version>/}: {@code $K8S4CLAW_SNAPSHOTTER_CACHE} (or
 * system property {@code k8s4claw.snapshotter.cache}), default {@code ~/.cache/k8s4claw/snapshotter}.
 *
 * <p>Only the definitions: the snapshot controller that cuts snapshots and marks them ready needs a CSI driver
 * and nodes, which the tests' control plane has not; tests play that part and say so.
 */
public final class SnapshotCrds {

    public static final String MODULE = "github.com/kubernetes-csi/external-snapshotter/client/v8";
    public static final String VERSION = "v8.7.0";
    public static final String MODULE_SUM = "h1:HVaSUeRRHPu49aSiL8eXOjS9Re9G6pM0NzdTGI7mM14=";
    public static final String CACHE_ENV = "K8S4CLAW_SNAPSHOTTER_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.snapshotter.cache";
    public static final List<String> FILES = List.of(
            "snapshot.storage.k8s.io_volumesnapshotclasses.yaml",
            "snapshot.storage.k8s.io_volumesnapshotcontents.yaml",
            "snapshot.storage.k8s.io_volumesnapshots.yaml");

    private final PeerCache cache;
    private final String go;

    public SnapshotCrds(Path cacheDir, String go) {
        this.cache = new PeerCache(cacheDir.toAbsolutePath(), CACHE_ENV);
        this.go = go;
    }

    public static SnapshotCrds fromEnvironment() {
        return new SnapshotCrds(
                PeerCache.fromEnvironment(CACHE_PROPERTY, CACHE_ENV, "snapshotter")
                        .dir(),
                GoModuleBuild.goBinary());
    }

    /** The CRD files ({@link #FILES}), fetched into the cache if it lacks them. */
    public static List<Path> ensureFetched() {
        return fromEnvironment().fetch();
    }

    /** Idempotent: reuses a complete fetch. */
    public List<Path> fetch() {
        return new GoModuleDownload(MODULE, VERSION, MODULE_SUM)
                .copyFiles(go, cache, "external-snapshotter " + VERSION + " CRDs", "config/crd", FILES);
    }
}
