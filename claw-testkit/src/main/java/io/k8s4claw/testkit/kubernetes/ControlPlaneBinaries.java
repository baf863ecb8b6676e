package io.k8s4claw.testkit.kubernetes;

import java.nio.file.Path;

/**
 * The control-plane commands built by {@link ControlPlaneInstaller}, all in one directory.
 *
 * @param dir the directory holding the binaries
 * @param kubernetesVersion the Kubernetes release they were built from (what {@code /version} reports)
 * @param etcdVersion the etcd release
 */
public record ControlPlaneBinaries(Path dir, String kubernetesVersion, String etcdVersion) {

    public Path kubeApiserver() {
        return dir.resolve("kube-apiserver");
    }

    public Path kubeControllerManager() {
        return dir.resolve("kube-controller-manager");
    }

    public Path kubectl() {
        return dir.resolve("kubectl");
    }

    public Path etcd() {
        return dir.resolve("etcd");
    }
}
