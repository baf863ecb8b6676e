package io.k8s4claw.operator.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Helm chart renders the same objects as the plain manifests in {@code deploy/} (no helm binary needed). */
class HelmChartTest {

    static final Path ROOT = RepoRoot.path();
    static final Path CHART = ROOT.resolve("charts/claw-operator");
    static final ObjectMapper YAML = new YAMLMapper();

    @Test
    void defaultValuesRenderTheClusterWideInstall() throws IOException {
        List<Object> rendered = renderChart(Map.of());
        List<Object> expected = new ArrayList<>();
        expected.addAll(docs(ROOT.resolve("deploy/rbac/cluster-wide.yaml")));
        expected.addAll(docs(ROOT.resolve("deploy/operator.yaml")));
        assertThat(rendered).isEqualTo(expected);
    }

    @Test
    void watchNamespaceRendersTheSingleNamespaceInstall() throws IOException {
        List<Object> rendered = renderChart(Map.of("watchNamespace", "claws"));
        List<Object> expected = new ArrayList<>();
        expected.addAll(docs(ROOT.resolve("deploy/rbac/single-namespace.yaml")));
        expected.addAll(docs(ROOT.resolve("deploy/operator-single-namespace.yaml")));
        assertThat(rendered).isEqualTo(expected);
        assertThat(rendered).noneMatch(o -> ((Map<?, ?>) o).get("kind").toString().startsWith("Cluster"));
    }

    @Test
    void chartCrdsAreTheDeployCrds() throws IOException {
        try (var files = Files.list(ROOT.resolve("deploy/crds"))) {
            for (Path crd : files.toList()) {
                assertThat(CHART.resolve("crds").resolve(crd.getFileName())).hasSameTextualContentAs(crd);
            }
        }
        try (var files = Files.list(CHART.resolve("crds"))) {
            assertThat(files.count()).isEqualTo(Files.list(ROOT.resolve("deploy/crds")).count());
        }
    }

    @Test
    void chartVersionMatchesTheOperatorVersion() throws IOException {
        Map<?, ?> chart = YAML.readValue(CHART.resolve("Chart.yaml").toFile(), Map.class);
        assertThat(chart.get("appVersion")).isEqualTo(io.k8s4claw.operator.OperatorVersion.current().version());
    }

    @Test
    void miniHelmRejectsWhatItCannotRender() {
        MiniHelm helm = new MiniHelm(Map.of(), "ns", "1");
        assertThatThrownBy(() -> helm.render("{{ toYaml .Values }}")).hasMessageContaining("not supported");
        assertThatThrownBy(() -> helm.render("{{ .Values.x | nindent 2 }}")).hasMessageContaining("nindent");
        assertThatThrownBy(() -> helm.render("{{- if .Values.x }}a")).hasMessageContaining("inside an if");
        assertThat(helm.render("a\n{{- if .Values.x }}\nb\n{{- else }}\nc\n{{- end }}\nd")).isEqualTo("a\nc\nd");
    }

    @SuppressWarnings("unchecked")
    static List<Object> renderChart(Map<String, Object> overrides) throws IOException {
        Map<String, Object> values = YAML.readValue(CHART.resolve("values.yaml").toFile(), LinkedHashMap.class);
        values.putAll(overrides);
        Map<?, ?> chart = YAML.readValue(CHART.resolve("Chart.yaml").toFile(), Map.class);
        MiniHelm helm = new MiniHelm(values, "claw-system", String.valueOf(chart.get("appVersion")));
        List<Object> out = new ArrayList<>();
        for (String template : List.of("rbac.yaml", "deployment.yaml")) {
            out.addAll(parseDocs(helm.render(Files.readString(CHART.resolve("templates").resolve(template)))));
        }
        return out;
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
