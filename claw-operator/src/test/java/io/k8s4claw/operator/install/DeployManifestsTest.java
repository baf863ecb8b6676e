package io.k8s4claw.operator.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.k8s4claw.operator.cli.Golden;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/crds} and the chart's {@code crds/} are the CRDs claw-api generates (read from the claw-api jar
 * on the class path); a model change without refreshing them fails here. Refresh:
 * {@code ./mvnw -pl claw-operator test -Dtest=DeployManifestsTest -Dgolden.update=true} (writes the copies and
 * fails, see {@link Golden}), then run again without the flag.
 */
class DeployManifestsTest {

    static final Path ROOT = RepoRoot.path();
    static final ObjectMapper YAML = new YAMLMapper();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "claws.claw.prismer.ai-v1.yml",
                "clawchannels.claw.prismer.ai-v1.yml",
                "clawselfconfigs.claw.prismer.ai-v1.yml"
            })
    void crdsMatchTheBuild(String name) throws IOException {
        String generated;
        try (InputStream in = DeployManifestsTest.class.getResourceAsStream("/META-INF/fabric8/" + name)) {
            assertThat(in)
                    .as("claw-api's generated CRD %s on the class path", name)
                    .isNotNull();
            generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Path> copies = List.of(
                ROOT.resolve("deploy/crds").resolve(name),
                ROOT.resolve("charts/claw-operator/crds").resolve(name));
        if (Golden.updating()) {
            // writes both copies, then fails: an update run must never pass
            Map<Path, String> files = new LinkedHashMap<>();
            for (Path copy : copies) {
                files.put(copy, generated);
            }
            Golden.rewriteAndFail(files);
        }
        for (Path copy : copies) {
            assertThat(copy)
                    .as("%s drifted from claw-api's generated CRD; refresh with -Dgolden.update=true", copy)
                    .exists();
            assertThat(Files.readString(copy))
                    .as("%s drifted from claw-api's generated CRD; refresh with -Dgolden.update=true", copy)
                    .isEqualTo(generated);
        }
    }

    @Test
    void operatorDeploymentIsHardened() throws IOException {
        for (String file : List.of("deploy/operator.yaml", "deploy/operator-single-namespace.yaml")) {
            Map<?, ?> deployment = YAML.readValue(ROOT.resolve(file).toFile(), Map.class);
            Map<?, ?> pod = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) deployment.get("spec")).get("template")).get("spec");
            assertThat(((Map<?, ?>) pod.get("securityContext")).get("runAsNonRoot"))
                    .isEqualTo(true);
            Map<?, ?> container = (Map<?, ?>) ((List<?>) pod.get("containers")).get(0);
            Map<?, ?> security = (Map<?, ?>) container.get("securityContext");
            assertThat(security.get("readOnlyRootFilesystem")).isEqualTo(true);
            assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);
            assertThat(container.keySet())
                    .map(Object::toString)
                    .contains("livenessProbe", "readinessProbe", "resources");
            assertThat(((Map<?, ?>) ((Map<?, ?>) container.get("livenessProbe")).get("httpGet")).get("path"))
                    .isEqualTo("/healthz");
            assertThat(((Map<?, ?>) ((Map<?, ?>) container.get("readinessProbe")).get("httpGet")).get("path"))
                    .isEqualTo("/readyz");
        }
    }

    @Test
    void singleNamespaceRbacGrantsNothingClusterWide() throws IOException {
        for (Object doc : HelmChartTest.docs(ROOT.resolve("deploy/rbac/single-namespace.yaml"))) {
            assertThat(((Map<?, ?>) doc).get("kind").toString()).doesNotStartWith("Cluster");
        }
    }

    @Test
    void rbacCoversEveryKindTheOperatorWrites() throws IOException {
        String rbac = Files.readString(ROOT.resolve("deploy/rbac/cluster-wide.yaml"));
        for (String resource : List.of(
                "statefulsets",
                "services",
                "configmaps",
                "secrets",
                "serviceaccounts",
                "networkpolicies",
                "ingresses",
                "poddisruptionbudgets",
                "persistentvolumeclaims",
                "events",
                "claws/status",
                "clawchannels/finalizers",
                "leases")) {
            assertThat(rbac).contains("\"" + resource + "\"");
        }
        // Least privilege: Secrets are never deleted by the operator, and nothing may escalate.
        assertThat(rbac).doesNotContain("\"*\"").doesNotContain("escalate").doesNotContain("impersonate");
    }
}
