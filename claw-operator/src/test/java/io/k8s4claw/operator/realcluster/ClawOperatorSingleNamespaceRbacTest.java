package io.k8s4claw.operator.realcluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8s4claw.operator.install.RepoRoot;

/**
 * The same scenarios with the operator held to {@code deploy/rbac/single-namespace.yaml}, installed the way its
 * comment says (every {@code namespace: claws} changed to the watched namespace): nothing cluster-scoped is granted,
 * and the operator, watching only that namespace, is never refused. Its ServiceAccount lives in a namespace of its
 * own here, so the cluster-wide binding of the other variant cannot lend it anything.
 */
class ClawOperatorSingleNamespaceRbacTest extends ClawOperatorOnRealApiServerTest {

    static final String OPERATOR_NAMESPACE = "claw-system-single";

    @Override
    protected KubernetesClient operatorClientFor(String namespace) {
        operatorUser = "system:serviceaccount:" + OPERATOR_NAMESPACE + ":claw-operator";
        var plane = real.plane();
        RealCluster.check(
                plane.kubectl(
                        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + OPERATOR_NAMESPACE + "\n",
                        "apply",
                        "--server-side",
                        "-f",
                        "-"),
                OPERATOR_NAMESPACE);
        String rbac = RealCluster.read(RepoRoot.path().resolve("deploy/rbac/single-namespace.yaml"))
                .replace("namespace: claws", "namespace: " + namespace)
                .replace("claw-system", OPERATOR_NAMESPACE);
        RealCluster.check(
                plane.kubectl(rbac, "apply", "--server-side", "-f", "-"),
                "deploy/rbac/single-namespace.yaml for " + namespace);
        return real.client(RealCluster.token(plane, OPERATOR_NAMESPACE, "claw-operator"), "claw-operator");
    }
}
