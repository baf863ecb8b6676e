package io.k8s4claw.testkit.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher against the real binaries: what it starts is a Kubernetes control plane that behaves as one. */
class LocalControlPlaneTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theApiserverReportsThePinnedReleaseToKubectl() throws Exception {
        LocalControlPlane plane = LocalControlPlane.shared();
        LocalControlPlane.CommandResult version = plane.kubectl(null, "version", "-o", "json");
        assertThat(version.ok()).as(version.stderr()).isTrue();
        JsonNode json = JSON.readTree(version.stdout());
        assertThat(json.path("serverVersion").path("gitVersion").asText())
                .isEqualTo(ControlPlaneInstaller.KUBERNETES_VERSION);
        assertThat(json.path("clientVersion").path("gitVersion").asText())
                .isEqualTo(ControlPlaneInstaller.KUBERNETES_VERSION);
    }

    @Test
    void theControllerManagerRunsItsControllers() {
        LocalControlPlane plane = LocalControlPlane.shared();
        assertThat(plane.kubectl(null, "create", "namespace", "kcm-check").ok()).isTrue();
        // The service-account controller gives every namespace its "default" account.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> plane.request("GET", "/api/v1/namespaces/kcm-check/serviceaccounts/default", null)
                                .status()
                        == 200);
        // The ReplicaSet controller creates the pods of a ReplicaSet (nothing runs them: there is no kubelet).
        String rs = """
                {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"two","namespace":"kcm-check"},
                 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"two"}},
                  "template":{"metadata":{"labels":{"app":"two"}},"spec":{"containers":[{"name":"c",\
                "image":"busybox"}]}}}}""";
        assertThat(plane.request("POST", "/apis/apps/v1/namespaces/kcm-check/replicasets", rs)
                        .status())
                .isEqualTo(201);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> JSON.readTree(plane.request("GET", "/api/v1/namespaces/kcm-check/pods", null)
                                        .body())
                                .path("items")
                                .size()
                        == 2);
    }

    @Test
    void rbacHoldsAServiceAccountToItsRolesAndTheAuditLogSaysWhoAsked() throws Exception {
        LocalControlPlane plane = LocalControlPlane.shared();
        plane.kubectl(null, "create", "namespace", "rbac-check");
        assertThat(plane.kubectl(null, "-n", "rbac-check", "create", "serviceaccount", "nobody")
                        .ok())
                .isTrue();
        LocalControlPlane.CommandResult token = plane.kubectl(null, "-n", "rbac-check", "create", "token", "nobody");
        assertThat(token.ok()).as(token.stderr()).isTrue();
        Path kubeconfig = plane.writeKubeconfig("nobody", token.stdout().strip());

        long mark = plane.audit().mark();
        LocalControlPlane.CommandResult refused =
                plane.kubectlAs(kubeconfig, null, "-n", "rbac-check", "get", "secrets");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.stderr()).contains("forbidden", "system:serviceaccount:rbac-check:nobody");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> plane.audit().since(mark).stream()
                        .anyMatch(r -> r.username().equals("system:serviceaccount:rbac-check:nobody")
                                && r.code() == 403
                                && r.line().equals("GET /api/v1/namespaces/rbac-check/secrets")));
    }

    @Test
    void missingBinariesSayHowToGetThem(@TempDir Path empty) throws Exception {
        Files.createDirectories(empty);
        assertThatThrownBy(() -> LocalControlPlane.start(
                        new ControlPlaneBinaries(empty, "v0", "v0"), LocalControlPlane.Options.defaults()))
                .hasMessageContaining("etcd is missing")
                .hasMessageContaining("ControlPlaneInstaller.ensureBuilt()");
    }
}
