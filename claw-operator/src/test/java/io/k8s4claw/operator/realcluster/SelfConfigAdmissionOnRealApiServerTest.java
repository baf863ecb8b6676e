package io.k8s4claw.operator.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSelfConfig;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigSpec;
import io.k8s4claw.api.v1alpha1.SelfConfigPhase;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.install.RepoRoot;
import io.k8s4claw.operator.selfconfig.SelfConfigAccessReconciler;
import io.k8s4claw.operator.selfconfig.SkillCatalog;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may ask for a Claw's change, enforced by the real kube-apiserver itself: the Role and RoleBinding the operator
 * writes (as the deployed operator, under {@code deploy/rbac/cluster-wide.yaml}) let a self-configuring Claw's
 * ServiceAccount create ClawSelfConfigs in its namespace, and the ValidatingAdmissionPolicy of
 * {@code deploy/admission/self-config-policy.yaml} refuses one that names another Claw. Every client here
 * authenticates with a token the apiserver issued for that ServiceAccount.
 */
class SelfConfigAdmissionOnRealApiServerTest {

    static RealCluster real;
    static KubernetesClient admin;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void install() {
        real = RealCluster.shared();
        admin = real.adminClient();
        RealCluster.apply(real.plane(), RepoRoot.path().resolve("deploy/admission/self-config-policy.yaml"));
    }

    @Test
    void theApiserverServesValidatingAdmissionPolicyAsGa() throws Exception {
        LocalControlPlane plane = real.plane();
        JsonNode version = JSON.readTree(plane.request("GET", "/version", null).body());
        assertThat(version.path("gitVersion").asText()).startsWith("v1.36.");
        JsonNode v1 = JSON.readTree(plane.request("GET", "/apis/admissionregistration.k8s.io/v1", null)
                .body());
        List<String> resources = new ArrayList<>();
        v1.path("resources").forEach(r -> resources.add(r.path("name").asText()));
        assertThat(resources).contains("validatingadmissionpolicies", "validatingadmissionpolicybindings");
    }

    @Test
    void onlyTheClawsOwnServiceAccountMayAskForIt() {
        String ns = real.newNamespace("selfconfig-admission");
        for (String name : List.of("alpha", "beta", "gamma")) {
            claw(ns, name, null, !name.equals("gamma"));
            serviceAccount(ns, name);
        }
        KubernetesClient operator = real.operatorClient();
        for (String name : List.of("alpha", "beta", "gamma")) {
            SelfConfigAccessReconciler.sync(
                    operator,
                    admin.resources(Claw.class).inNamespace(ns).withName(name).get());
        }
        assertThat(admin.rbac().roles().inNamespace(ns).list().getItems())
                .extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder("alpha-self-config", "beta-self-config");
        KubernetesClient alpha = as(ns, "alpha");
        KubernetesClient beta = as(ns, "beta");
        KubernetesClient gamma = as(ns, "gamma");

        // RBAC needs a moment to see a new binding (the authorizer's cache).
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> create(alpha, ns, "own", "alpha") != null);
        assertThat(admin.resources(ClawSelfConfig.class)
                        .inNamespace(ns)
                        .withName("own")
                        .get())
                .isNotNull();
        assertThat(create(beta, ns, "beta-own", "beta")).isNotNull();

        assertRefused(
                () -> create(alpha, ns, "for-beta", "beta"),
                403,
                "only a Claw may ask to change itself: system:serviceaccount:" + ns
                        + ":alpha is not the service account of Claw beta");
        assertRefused(
                () -> create(beta, ns, "for-alpha", "alpha"),
                403,
                "system:serviceaccount:" + ns + ":beta is not the service account of Claw alpha");
        // gamma does not allow self-configuration: no Role, so RBAC refuses before admission.
        assertRefused(() -> create(gamma, ns, "gamma-own", "gamma"), 403, "cannot create resource \"clawselfconfigs\"");
        // The Role grants create and reads only: a Claw cannot delete or rewrite a request, not even its own.
        assertRefused(
                () -> alpha.resources(ClawSelfConfig.class)
                        .inNamespace(ns)
                        .withName("own")
                        .delete(),
                403,
                "cannot delete");
        assertThat(admin.resources(ClawSelfConfig.class).inNamespace(ns).list().getItems())
                .extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder("own", "beta-own");

        // The operator records outcomes on requests of any Claw's namespace, its own included: an update that leaves
        // the
        // spec alone is not held to the policy (the policy matches every service account of the request's namespace).
        RealCluster.check(
                real.plane().kubectl(null, "-n", ns, "create", "serviceaccount", "recorder"),
                "serviceaccount recorder");
        RealCluster.check(
                real.plane().kubectl("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: recorder, namespace: %s}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: claw-operator}
                subjects: [{kind: ServiceAccount, name: recorder, namespace: %s}]
                """.formatted(ns, ns), "apply", "--server-side", "-f", "-"),
                "rolebinding recorder");
        KubernetesClient recorder = as(ns, "recorder");
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> recorder.resources(ClawSelfConfig.class)
                                .inNamespace(ns)
                                .withName("own")
                                .edit(r -> {
                                    r.getMetadata().setLabels(Map.of("recorded", "yes"));
                                    return r;
                                })
                        != null);
        assertRefused(
                () -> recorder.resources(ClawSelfConfig.class)
                        .inNamespace(ns)
                        .withName("own")
                        .edit(r -> {
                            r.getSpec().setAddSkills(List.of("something-else"));
                            return r;
                        }),
                403,
                "system:serviceaccount:" + ns + ":recorder is not the service account of Claw alpha");

        // Turning self-configuration off takes the Role away again.
        Claw off = admin.resources(Claw.class).inNamespace(ns).withName("alpha").edit(c -> {
            c.getSpec().getSelfConfigure().setEnabled(false);
            return c;
        });
        assertThat(SelfConfigAccessReconciler.sync(operator, off))
                .containsExactly("delete rolebinding alpha-self-config", "delete role alpha-self-config");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertRefused(
                        () -> create(alpha, ns, "after-off", "alpha"),
                        403,
                        "cannot create resource \"clawselfconfigs\""));
    }

    @Test
    void aServiceAccountOfAnotherNameIsKnownByItsTokenBoundToTheClawsPod() {
        String ns = real.newNamespace("selfconfig-bound", "privileged");
        claw(ns, "delta", "delta-runner", true);
        serviceAccount(ns, "delta-runner");
        SelfConfigAccessReconciler.sync(
                real.operatorClient(),
                admin.resources(Claw.class).inNamespace(ns).withName("delta").get());
        RealCluster.check(real.plane().kubectl("""
                apiVersion: v1
                kind: Pod
                metadata: {name: delta-0, namespace: %s}
                spec:
                  serviceAccountName: delta-runner
                  containers: [{name: runtime, image: registry.example.com/agent:1}]
                """.formatted(ns), "apply", "--server-side", "-f", "-"), "pod delta-0");
        String bound = RealCluster.check(
                        real.plane()
                                .kubectl(
                                        null,
                                        "-n",
                                        ns,
                                        "create",
                                        "token",
                                        "delta-runner",
                                        "--bound-object-kind=Pod",
                                        "--bound-object-name=delta-0",
                                        "--duration=1h"),
                        "a pod-bound token")
                .stdout()
                .strip();
        KubernetesClient pod = real.client(bound, "agent");
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> create(pod, ns, "from-pod", "delta") != null);
        // The same ServiceAccount without the pod binding is not recognisably the Claw's.
        KubernetesClient unbound = as(ns, "delta-runner");
        assertRefused(
                () -> create(unbound, ns, "unbound", "delta"),
                403,
                "system:serviceaccount:" + ns + ":delta-runner is not the service account of Claw delta");
    }

    @Test
    void theDeployedOperatorAppliesWhatTheClawsOwnServiceAccountAsked() {
        String ns = real.newNamespace("selfconfig-e2e");
        long mark = real.audit().mark();
        admin.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("llm")
                        .withNamespace(ns)
                        .endMetadata()
                        .withStringData(Map.of("OPENAI_API_KEY", "sk-test"))
                        .build())
                .create();
        admin.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("team-skills")
                        .withNamespace(ns)
                        .withLabels(Map.of(SkillCatalog.LABEL, "true"))
                        .endMetadata()
                        .withData(Map.of("release-notes", "---\nname: release-notes\n---\n# Release notes\n"))
                        .build())
                .create();
        RealCluster.check(real.plane().kubectl("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata: {name: agent, namespace: %s}
                spec:
                  runtime: hermesclaw
                  config: {model: nous-hermes-3}
                  credentials:
                    keys:
                      - name: OPENAI_API_KEY
                        secretKeyRef: {name: llm, key: OPENAI_API_KEY}
                  selfConfigure: {enabled: true, allowedActions: [skills]}
                """.formatted(ns), "apply", "--server-side", "-f", "-"), "Claw agent");
        KubernetesClient operatorClient = real.operatorClient();
        try (var operator = new ClawOperator(
                new ClawOperator.Settings(
                        operatorClient,
                        RuntimeAdapters.load(),
                        SidecarImages.defaults(),
                        Set.of(ns),
                        Optional.empty(),
                        Optional.empty(),
                        2),
                new OperatorMetrics())) {
            operator.start();
            // The operator made the Claw's ServiceAccount (with its token mounted) and the Role/RoleBinding for it.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> admin.serviceAccounts()
                                            .inNamespace(ns)
                                            .withName("agent")
                                            .get()
                                    != null
                            && admin.rbac()
                                            .roleBindings()
                                            .inNamespace(ns)
                                            .withName("agent-self-config")
                                            .get()
                                    != null);
            // Someone deletes the RoleBinding: the operator's informer sees it and makes it again.
            String uid = admin.rbac()
                    .roleBindings()
                    .inNamespace(ns)
                    .withName("agent-self-config")
                    .get()
                    .getMetadata()
                    .getUid();
            admin.rbac()
                    .roleBindings()
                    .inNamespace(ns)
                    .withName("agent-self-config")
                    .delete();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                var binding = admin.rbac()
                        .roleBindings()
                        .inNamespace(ns)
                        .withName("agent-self-config")
                        .get();
                return binding != null && !binding.getMetadata().getUid().equals(uid);
            });
            KubernetesClient agent = as(ns, "agent");
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> create(agent, ns, "more-skills", "agent") != null);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                ClawSelfConfig r = agent.resources(ClawSelfConfig.class)
                        .inNamespace(ns)
                        .withName("more-skills")
                        .get();
                return r.getStatus() != null && r.getStatus().getPhase() == SelfConfigPhase.APPLIED;
            });
            assertThat(admin.resources(Claw.class)
                            .inNamespace(ns)
                            .withName("agent")
                            .get()
                            .getSpec()
                            .getSkills())
                    .extracting(SkillSpec::getName)
                    .containsExactly("release-notes");
            // ... and the pod it renders installs the skill from the catalog ConfigMap.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> admin.apps()
                                            .statefulSets()
                                            .inNamespace(ns)
                                            .withName("agent")
                                            .get()
                                    != null
                            && Serialization.asJson(admin.apps()
                                            .statefulSets()
                                            .inNamespace(ns)
                                            .withName("agent")
                                            .get())
                                    .contains("team-skills"));
            // The owner takes the skill out again: the running operator notices (its Claw informer) and says so. (A
            // removed
            // field has no manager left in managedFields, so here the message cannot name who removed it.)
            RealCluster.check(
                    real.plane()
                            .kubectl(
                                    null,
                                    "-n",
                                    ns,
                                    "patch",
                                    "claw",
                                    "agent",
                                    "--type=merge",
                                    "--field-manager=gitops",
                                    "-p",
                                    "{\"spec\":{\"skills\":null}}"),
                    "the owner's change");
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                ClawSelfConfig r = admin.resources(ClawSelfConfig.class)
                        .inNamespace(ns)
                        .withName("more-skills")
                        .get();
                return r.getStatus().getConditions() != null
                        && r.getStatus().getConditions().stream()
                                .anyMatch(c -> "Overridden".equals(c.getType())
                                        && "True".equals(c.getStatus())
                                        && c.getMessage().contains("skill release-notes is no longer installed"));
            });
        } finally {
            operatorClient.close();
        }
        // The deployed RBAC is enough for all of it.
        assertThat(real.refusals(mark, RealCluster.OPERATOR_USER)).isEmpty();
    }

    static void claw(String ns, String name, String serviceAccount, boolean selfConfigure) {
        RealCluster.check(
                real.plane()
                        .kubectl(
                                """
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata: {name: %s, namespace: %s}
                spec:
                  runtime: hermesclaw
                  selfConfigure: {enabled: %s, allowedActions: [skills]}
                %s""".formatted(
                                                name,
                                                ns,
                                                selfConfigure,
                                                serviceAccount == null
                                                        ? ""
                                                        : "  serviceAccount: {name: " + serviceAccount + "}\n"),
                                "apply",
                                "--server-side",
                                "-f",
                                "-"),
                name);
    }

    static void serviceAccount(String ns, String name) {
        RealCluster.check(
                real.plane().kubectl(null, "-n", ns, "create", "serviceaccount", name), "serviceaccount " + name);
    }

    static KubernetesClient as(String ns, String serviceAccount) {
        return real.client(RealCluster.token(real.plane(), ns, serviceAccount), "agent");
    }

    static ClawSelfConfig create(KubernetesClient client, String ns, String name, String clawRef) {
        ClawSelfConfigSpec spec = new ClawSelfConfigSpec();
        spec.setClawRef(clawRef);
        spec.setAddSkills(List.of("release-notes"));
        ClawSelfConfig request = ClawSelfConfig.of(name, spec);
        request.getMetadata().setNamespace(ns);
        return client.resource(request).create();
    }

    static void assertRefused(Runnable call, int code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).as(e.getMessage()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
