package io.k8s4claw.testkit.prometheus;

import io.k8s4claw.testkit.install.GoModuleBuild;
import io.k8s4claw.testkit.install.GoModuleDownload;
import io.k8s4claw.testkit.install.PeerCache;
import java.nio.file.Path;
import java.util.List;

/**
 * The Prometheus Operator's CustomResourceDefinitions (ServiceMonitor, PodMonitor, PrometheusRule) as the operator's
 * release {@value #VERSION} ships them: its main Go module ({@value #MODULE}) carries them under
 * {@code example/prometheus-operator-crd/}. They are fetched with {@code go mod download -json} from the Go module
 * proxy, the module's hash checked against the pinned {@value #MODULE_SUM} (so a different file can never be taken for
 * it), and the three files copied into {@code <cache>/<version>/}: {@code $K8S4CLAW_PROMETHEUS_OPERATOR_CACHE} (or
 * system property {@code k8s4claw.prometheus-operator.cache}), default {@code ~/.cache/k8s4claw/prometheus-operator}.
 *
 * <p>Why {@value #VERSION}: the newest release whose module the proxy serves here (v0.95.x answers 403).
 */
public final class PrometheusOperatorCrds {

    public static final String MODULE = "github.com/prometheus-operator/prometheus-operator";
    public static final String VERSION = "v0.94.1";
    /** The go.sum hash of the module zip (h1: SHA-256 of its file list and contents). */
    public static final String MODULE_SUM = "h1:QEIb2wenPH+SdMN1xMf8l4Pmj00YYXXI6HlbLlQWkww=";

    public static final String CACHE_ENV = "K8S4CLAW_PROMETHEUS_OPERATOR_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.prometheus-operator.cache";
    /** The CRDs the claw-operator chart's monitoring objects need. */
    public static final List<String> FILES = List.of(
            "monitoring.coreos.com_servicemonitors.yaml",
            "monitoring.coreos.com_podmonitors.yaml",
            "monitoring.coreos.com_prometheusrules.yaml");

    private final PeerCache cache;
    private final String go;

    public PrometheusOperatorCrds(Path cacheDir, String go) {
        this.cache = new PeerCache(cacheDir.toAbsolutePath(), CACHE_ENV);
        this.go = go;
    }

    public static PrometheusOperatorCrds fromEnvironment() {
        return new PrometheusOperatorCrds(
                PeerCache.fromEnvironment(CACHE_PROPERTY, CACHE_ENV, "prometheus-operator")
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
                .copyFiles(
                        go,
                        cache,
                        "Prometheus Operator " + VERSION + " CRDs",
                        "example/prometheus-operator-crd",
                        FILES);
    }
}
