package io.k8s4claw.operator.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.k8s4claw.operator.OperatorVersion;
import io.k8s4claw.testkit.helm.Helm;
import io.k8s4claw.testkit.helm.HelmInstaller;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart is {@code deploy/}: rendered by the real Helm CLI (built from {@code helm.sh/helm/v4} by the testkit's
 * {@link HelmInstaller}; a missing Go or a failed build fails these tests), linted clean, and installed by it into the
 * real kube-apiserver ({@link LocalControlPlane#shared()}), where the objects are the ones {@code deploy/} describes.
 */
class HelmChartTest {

    static final Path ROOT = RepoRoot.path();
    static final Path CHART = ROOT.resolve("charts/claw-operator");
    static final ObjectMapper YAML = new YAMLMapper();
    static final String RELEASE = "claw-operator";

    static Helm helm;

    @BeforeAll
    static void buildHelm() {
        helm = HelmInstaller.ensureBuilt();
    }

    @Test
    void defaultValuesRenderTheClusterWideInstall() throws IOException {
        List<Object> rendered = template("claw-system");
        List<Object> expected = new ArrayList<>();
        expected.addAll(docs(ROOT.resolve("deploy/rbac/cluster-wide.yaml")));
        expected.addAll(docs(ROOT.resolve("deploy/operator.yaml")));
        expected.addAll(docs(ROOT.resolve("deploy/admission/self-config-policy.yaml")));
        assertThat(rendered).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void watchNamespaceRendersTheSingleNamespaceInstall() throws IOException {
        List<Object> rendered = template("claw-system", "--set", "watchNamespace=claws");
        List<Object> expected = new ArrayList<>();
        expected.addAll(docs(ROOT.resolve("deploy/rbac/single-namespace.yaml")));
        expected.addAll(docs(ROOT.resolve("deploy/operator-single-namespace.yaml")));
        assertThat(rendered).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(rendered).noneMatch(o -> kind(o).startsWith("Cluster"));
    }

    @Test
    void chartCrdsAreTheDeployCrds() throws IOException {
        try (var files = Files.list(ROOT.resolve("deploy/crds"))) {
            for (Path crd : files.toList()) {
                assertThat(CHART.resolve("crds").resolve(crd.getFileName())).hasSameTextualContentAs(crd);
            }
        }
        try (var chartCrds = Files.list(CHART.resolve("crds"));
                var deployCrds = Files.list(ROOT.resolve("deploy/crds"))) {
            assertThat(chartCrds.count()).isEqualTo(deployCrds.count());
        }
        // And Helm ships them as such: the CRDs it renders are those of deploy/crds.
        List<Object> renderedCrds = template("claw-system", "--include-crds").stream()
                .filter(o -> kind(o).equals("CustomResourceDefinition"))
                .toList();
        List<Object> expected = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve("deploy/crds"))) {
            for (Path crd : files.sorted().toList()) {
                expected.addAll(docs(crd));
            }
        }
        assertThat(expected).hasSize(3);
        assertThat(renderedCrds).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void chartVersionMatchesTheOperatorVersion() throws IOException {
        Map<?, ?> chart = YAML.readValue(CHART.resolve("Chart.yaml").toFile(), Map.class);
        assertThat(chart.get("appVersion")).isEqualTo(OperatorVersion.current().version());
        // What Helm itself reads from the chart.
        Map<?, ?> shown = YAML.readValue(
                helm.run("show", "chart", CHART.toString())
                        .orThrow("show chart")
                        .stdout(),
                Map.class);
        assertThat(shown.get("appVersion")).isEqualTo(OperatorVersion.current().version());
        assertThat(shown.get("name")).isEqualTo("claw-operator");
    }

    @Test
    void helmLintIsCleanForBothVariants() {
        for (List<String> values : List.of(List.<String>of(), List.of("--set", "watchNamespace=claws"))) {
            List<String> args = new ArrayList<>(List.of("lint", "--strict", CHART.toString()));
            args.addAll(values);
            Helm.Result lint = helm.run(args.toArray(String[]::new));
            assertThat(lint.ok())
                    .as("helm lint %s:\n%s%s", values, lint.stdout(), lint.stderr())
                    .isTrue();
            assertThat(lint.stdout())
                    .contains("1 chart(s) linted, 0 chart(s) failed")
                    .doesNotContain("[WARNING]")
                    .doesNotContain("[ERROR]");
            assertThat(lint.stderr()).doesNotContainIgnoringCase("warning");
        }
    }

    /**
     * {@code helm install} as the chart's README says, into the real apiserver: the release is deployed and every
     * object of {@code deploy/} exists there as written (the apiserver adds defaults, nothing differs). The
     * real-cluster suites of this JVM install the same objects from {@code deploy/} with kubectl (server-side apply)
     * into the shared apiserver; this test does the same first, so whatever the order of the test classes Helm meets
     * them: it takes them over ({@code --take-ownership}, and {@code --force-conflicts} for the fields kubectl's apply
     * owns — the values are the same, which is what this test checks). The release stays installed: those suites use
     * the objects.
     */
    @Test
    void helmInstallPutsTheClusterWideObjectsIntoTheApiserver() throws IOException {
        LocalControlPlane plane = LocalControlPlane.shared();
        for (String file : List.of("deploy/crds", "deploy/namespace.yaml", "deploy/rbac/cluster-wide.yaml")) {
            LocalControlPlane.CommandResult applied = plane.kubectl(
                    null,
                    "apply",
                    "--server-side",
                    "--force-conflicts",
                    "-f",
                    ROOT.resolve(file).toString());
            assertThat(applied.ok()).as(applied.stderr()).isTrue();
        }
        helm.run(
                        "install",
                        RELEASE,
                        CHART.toString(),
                        "--namespace",
                        "claw-system",
                        "--create-namespace",
                        "--take-ownership",
                        "--force-conflicts",
                        "--kubeconfig",
                        plane.adminKubeconfig().toString())
                .orThrow("install");

        assertThat(helm.run(
                                "status",
                                RELEASE,
                                "--namespace",
                                "claw-system",
                                "--kubeconfig",
                                plane.adminKubeconfig().toString())
                        .orThrow("status")
                        .stdout())
                .contains("STATUS: deployed");
        List<Object> expected = new ArrayList<>();
        expected.addAll(docs(ROOT.resolve("deploy/rbac/cluster-wide.yaml")));
        expected.addAll(docs(ROOT.resolve("deploy/operator.yaml")));
        expected.addAll(docs(ROOT.resolve("deploy/admission/self-config-policy.yaml")));
        List<Object> manifest = parseDocs(helm.run(
                        "get",
                        "manifest",
                        RELEASE,
                        "--namespace",
                        "claw-system",
                        "--kubeconfig",
                        plane.adminKubeconfig().toString())
                .orThrow("get manifest")
                .stdout());
        assertThat(manifest).containsExactlyInAnyOrderElementsOf(expected);
        for (Object object : expected) {
            assertLiveAsWritten(plane, object, "claw-system");
        }
        for (String crd :
                List.of("claws.claw.prismer.ai", "clawchannels.claw.prismer.ai", "clawselfconfigs.claw.prismer.ai")) {
            LocalControlPlane.CommandResult established =
                    plane.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s", "crd/" + crd);
            assertThat(established.ok()).as(established.stderr()).isTrue();
        }
    }

    /**
     * The single-namespace variant installed into namespaces of its own (the deploy/ manifests with their namespaces
     * changed, as their comments say): only namespaced objects, all as written; {@code helm uninstall} removes them
     * (not the CRDs: Helm never deletes those). The CRDs may be in the apiserver already, applied by kubectl or by the
     * other release, hence {@code --force-conflicts}.
     */
    @Test
    void helmInstallOfTheSingleNamespaceVariantAndUninstall() throws IOException {
        LocalControlPlane plane = LocalControlPlane.shared();
        String kubeconfig = plane.adminKubeconfig().toString();
        String operatorNamespace = "helm-claw-system";
        String watched = "helm-claws";
        LocalControlPlane.CommandResult created = plane.kubectl(null, "create", "namespace", watched);
        assertThat(created.ok()).as(created.stderr()).isTrue();
        String release = "claw-operator-single";
        helm.run(
                        "install",
                        release,
                        CHART.toString(),
                        "--namespace",
                        operatorNamespace,
                        "--create-namespace",
                        "--set",
                        "watchNamespace=" + watched,
                        "--force-conflicts",
                        "--kubeconfig",
                        kubeconfig)
                .orThrow("install");

        List<Object> expected = new ArrayList<>();
        for (String file : List.of("deploy/rbac/single-namespace.yaml", "deploy/operator-single-namespace.yaml")) {
            String text = Files.readString(ROOT.resolve(file))
                    .replace("namespace: claws", "namespace: " + watched)
                    .replace("value: \"claws\"", "value: \"" + watched + "\"")
                    .replace("namespace: claw-system", "namespace: " + operatorNamespace);
            expected.addAll(parseDocs(text));
        }
        List<Object> manifest = parseDocs(
                helm.run("get", "manifest", release, "--namespace", operatorNamespace, "--kubeconfig", kubeconfig)
                        .orThrow("get manifest")
                        .stdout());
        assertThat(manifest).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(manifest).noneMatch(o -> kind(o).startsWith("Cluster"));
        for (Object object : expected) {
            assertLiveAsWritten(plane, object, operatorNamespace);
        }

        helm.run("uninstall", release, "--namespace", operatorNamespace, "--kubeconfig", kubeconfig)
                .orThrow("uninstall");
        for (Object object : expected) {
            LocalControlPlane.CommandResult gone = plane.kubectl(
                    YAML.writeValueAsString(object), "get", "-f", "-", "--ignore-not-found", "-o", "name");
            assertThat(gone.ok()).as(gone.stderr()).isTrue();
            assertThat(gone.stdout())
                    .as("%s after helm uninstall", describe(object))
                    .isBlank();
        }
    }

    /** The live object holds every field of {@code expected} with its value, and Helm's ownership marks. */
    static void assertLiveAsWritten(LocalControlPlane plane, Object expected, String releaseNamespace)
            throws IOException {
        LocalControlPlane.CommandResult get =
                plane.kubectl(YAML.writeValueAsString(expected), "get", "-f", "-", "-o", "json");
        assertThat(get.ok())
                .as("%s is in the apiserver: %s", describe(expected), get.stderr())
                .isTrue();
        Map<?, ?> list = YAML.readValue(get.stdout(), Map.class);
        assertThat(list.get("kind")).isEqualTo("List");
        List<?> items = (List<?>) list.get("items");
        assertThat(items).as(describe(expected)).hasSize(1);
        Map<?, ?> live = (Map<?, ?>) items.get(0);
        assertContains(live, expected, describe(expected));
        Map<?, ?> metadata = (Map<?, ?>) live.get("metadata");
        assertThat(((Map<?, ?>) metadata.get("labels")).get("app.kubernetes.io/managed-by"))
                .as(describe(expected))
                .isEqualTo("Helm");
        assertThat(((Map<?, ?>) metadata.get("annotations")).get("meta.helm.sh/release-namespace"))
                .as(describe(expected))
                .isEqualTo(releaseNamespace);
    }

    /**
     * {@code actual} contains {@code expected}: every key of a map with a containing value, lists element by element
     * (same length). The apiserver adds defaults ({@code protocol: TCP}, {@code fieldRef.apiVersion}) and, as its JSON
     * omits empty strings, an expected {@code ""} matches an absent field.
     */
    static void assertContains(Object actual, Object expected, String path) {
        if (expected instanceof Map<?, ?> map) {
            if (!(actual instanceof Map<?, ?> actualMap)) {
                fail("%s: expected an object, found %s", path, actual);
                return;
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object value = actualMap.get(e.getKey());
                if (value == null && "".equals(e.getValue())) {
                    continue;
                }
                assertContains(value, e.getValue(), path + "." + e.getKey());
            }
        } else if (expected instanceof List<?> list) {
            if (!(actual instanceof List<?> actualList) || actualList.size() != list.size()) {
                fail("%s: expected %s, found %s", path, list, actual);
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                assertContains(actualList.get(i), list.get(i), path + "[" + i + "]");
            }
        } else if (!Objects.equals(String.valueOf(expected), String.valueOf(actual))) {
            fail("%s: expected %s, found %s", path, expected, actual);
        }
    }

    static String describe(Object object) {
        Map<?, ?> metadata = (Map<?, ?>) ((Map<?, ?>) object).get("metadata");
        Object namespace = metadata.get("namespace");
        return kind(object) + " " + (namespace == null ? "" : namespace + "/") + metadata.get("name");
    }

    static String kind(Object object) {
        return String.valueOf(((Map<?, ?>) object).get("kind"));
    }

    /** {@code helm template} of the chart as release {@value #RELEASE} in {@code namespace}, parsed. */
    static List<Object> template(String namespace, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(List.of("template", RELEASE, CHART.toString(), "--namespace", namespace));
        command.addAll(List.of(args));
        return parseDocs(
                helm.run(command.toArray(String[]::new)).orThrow("template").stdout());
    }

    static List<Object> docs(Path file) throws IOException {
        return parseDocs(Files.readString(file));
    }

    static List<Object> parseDocs(String yaml) throws IOException {
        List<Object> out = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, Object.class);
            while (it.hasNext()) {
                Object doc = it.next();
                if (doc != null) {
                    out.add(doc);
                }
            }
        }
        return out;
    }
}
