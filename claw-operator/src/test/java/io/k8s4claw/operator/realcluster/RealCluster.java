package io.k8s4claw.operator.realcluster;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.k8s4claw.operator.install.RepoRoot;
import io.k8s4claw.testkit.kubernetes.AuditLog;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real control plane ({@link LocalControlPlane}: kube-apiserver, etcd, kube-controller-manager) prepared the way
 * {@code deploy/README.md} installs the operator: the CRDs, the {@code claw-system} namespace and the cluster-wide
 * RBAC from {@code deploy/}, applied with the built kubectl; a default StorageClass that allows expansion (a
 * cluster's CSI driver would bring one). The operator's client authenticates as the {@code claw-operator}
 * ServiceAccount with a token the apiserver issues, so every request is held to the deployed roles.
 */
public final class RealCluster {

    public static final String OPERATOR_USER = "system:serviceaccount:claw-system:claw-operator";
    private static RealCluster shared;
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private final LocalControlPlane plane;
    private final String operatorToken;

    private RealCluster(LocalControlPlane plane, String operatorToken) {
        this.plane = plane;
        this.operatorToken = operatorToken;
    }

    public static synchronized RealCluster shared() {
        if (shared == null) {
            shared = prepare(LocalControlPlane.shared());
        }
        return shared;
    }

    /** Installs what {@code deploy/README.md} installs (and a default StorageClass) into a running control plane. */
    public static RealCluster prepare(LocalControlPlane plane) {
        Path deploy = RepoRoot.path().resolve("deploy");
        apply(plane, deploy.resolve("crds"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> plane.kubectl(
                                null,
                                "wait",
                                "--for=condition=Established",
                                "--timeout=5s",
                                "crd/claws.claw.prismer.ai",
                                "crd/clawchannels.claw.prismer.ai",
                                "crd/clawselfconfigs.claw.prismer.ai")
                        .ok());
        apply(plane, deploy.resolve("namespace.yaml"));
        apply(plane, deploy.resolve("rbac/cluster-wide.yaml"));
        LocalControlPlane.CommandResult storageClass = plane.kubectl("""
                apiVersion: storage.k8s.io/v1
                kind: StorageClass
                metadata:
                  name: standard
                  annotations:
                    storageclass.kubernetes.io/is-default-class: "true"
                provisioner: test.k8s4claw.io/stand-in
                allowVolumeExpansion: true
                volumeBindingMode: Immediate
                """, "apply", "--server-side", "-f", "-");
        check(storageClass, "the default StorageClass");
        return new RealCluster(plane, token(plane, "claw-system", "claw-operator"));
    }

    /** A kubeconfig file that is the deployed operator (for an operator run as its own process). */
    public Path operatorKubeconfig() {
        return plane.writeKubeconfig("claw-operator", operatorToken);
    }

    static void apply(LocalControlPlane plane, Path manifests) {
        check(
                plane.kubectl(null, "apply", "--server-side", "--force-conflicts", "-f", manifests.toString()),
                manifests.toString());
    }

    static LocalControlPlane.CommandResult check(LocalControlPlane.CommandResult result, String what) {
        if (!result.ok()) {
            throw new IllegalStateException("kubectl failed on " + what + ": " + result.stderr());
        }
        return result;
    }

    /** A bound token of a ServiceAccount, issued by the apiserver's TokenRequest API. */
    public static String token(LocalControlPlane plane, String namespace, String serviceAccount) {
        return check(
                        plane.kubectl(null, "-n", namespace, "create", "token", serviceAccount, "--duration=24h"),
                        "a token for " + namespace + "/" + serviceAccount)
                .stdout()
                .strip();
    }

    public LocalControlPlane plane() {
        return plane;
    }

    public AuditLog audit() {
        return plane.audit();
    }

    /**
     * A fresh namespace enforcing the {@code restricted} Pod Security Standard (unless {@code level} says otherwise).
     */
    public String newNamespace(String prefix, String level) {
        String name = prefix + "-" + NAMESPACES.incrementAndGet();
        check(plane.kubectl("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                  labels:
                    pod-security.kubernetes.io/enforce: %s
                    pod-security.kubernetes.io/enforce-version: latest
                """.formatted(name, level), "apply", "--server-side", "-f", "-"), "namespace " + name);
        return name;
    }

    public String newNamespace(String prefix) {
        return newNamespace(prefix, "restricted");
    }

    public KubernetesClient adminClient() {
        return client(plane.adminToken(), "k8s4claw-tests");
    }

    /** A client that is the deployed operator: its ServiceAccount's token, its user agent. */
    public KubernetesClient operatorClient() {
        return client(operatorToken, "claw-operator");
    }

    public KubernetesClient client(String token, String userAgent) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(plane.serverUrl())
                .withOauthToken(token)
                .withCaCertFile(plane.caCertificate().toString())
                .withUserAgent(userAgent)
                .withRequestTimeout(30_000)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The writes a user made in a namespace since {@code mark}, as "METHOD path". */
    public List<String> writes(long mark, String user, String namespace) {
        return audit().since(mark).stream()
                .filter(AuditLog.Request::isWrite)
                .filter(r -> r.username().equals(user))
                .filter(r -> r.path().contains("/namespaces/" + namespace + "/"))
                .map(AuditLog.Request::line)
                .toList();
    }

    /** Requests of {@code user} the apiserver refused (401/403) since {@code mark}. */
    public List<AuditLog.Request> refusals(long mark, String user) {
        return audit().since(mark).stream()
                .filter(r -> r.username().equals(user))
                .filter(r -> r.code() == 401 || r.code() == 403)
                .toList();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
