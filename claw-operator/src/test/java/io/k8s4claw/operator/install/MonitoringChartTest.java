package io.k8s4claw.operator.install;

import static io.k8s4claw.operator.install.HelmChartTest.CHART;
import static io.k8s4claw.operator.install.HelmChartTest.YAML;
import static io.k8s4claw.operator.install.HelmChartTest.assertLiveAsWritten;
import static io.k8s4claw.operator.install.HelmChartTest.kind;
import static io.k8s4claw.operator.install.HelmChartTest.parseDocs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.testkit.helm.Helm;
import io.k8s4claw.testkit.helm.HelmInstaller;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import io.k8s4claw.testkit.prometheus.PrometheusOperatorCrds;
import io.k8s4claw.testkit.prometheus.Promtool;
import io.k8s4claw.testkit.prometheus.PromtoolInstaller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's monitoring: the PrometheusRule's alerts checked and unit-tested by the real promtool (built from the
 * Prometheus Go module by the testkit), the dashboards' queries parsed by it, the monitors rendered so they find the
 * operator and the bridge and channel sidecars of the pods the operator renders, and the chart with every monitoring
 * switch on installed by the real Helm into the real apiserver holding the Prometheus Operator's CRDs.
 * (That every metric and label of the queries is exported: claw-e2e's MetricsOfTheChartTest.)
 */
class MonitoringChartTest {

    static final Path RULES = CHART.resolve("files/prometheus/claw-alerts.yaml");
    static final Path DASHBOARDS = CHART.resolve("files/dashboards");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] ALL_ON = {
        "--set",
        "monitoring.serviceMonitor.enabled=true",
        "--set",
        "monitoring.podMonitor.enabled=true",
        "--set",
        "monitoring.prometheusRule.enabled=true",
        "--set",
        "monitoring.dashboards.enabled=true"
    };

    static Promtool promtool;
    static Helm helm;

    @BeforeAll
    static void buildPeers() {
        promtool = PromtoolInstaller.ensureBuilt();
        helm = HelmInstaller.ensureBuilt();
    }

    @Test
    void promtoolChecksTheAlertRules() {
        Promtool.Result check = promtool.run("check", "rules", RULES.toString()).orThrow("check rules");
        assertThat(check.stdout()).contains("SUCCESS: " + alertNames().size() + " rules found");
    }

    /**
     * {@code promtool test rules} with claw-alerts.test.yaml: each alert fires on its series, with its labels and
     * annotations, and stays quiet on the others. Every alert of the file has a case where it fires.
     */
    @Test
    void promtoolUnitTestsMakeEveryAlertFireAndStayQuiet(@TempDir Path dir) throws IOException {
        Files.copy(RULES, dir.resolve("claw-alerts.yaml"));
        Path tests = dir.resolve("claw-alerts.test.yaml");
        Files.copy(Path.of("src/test/resources/prometheus/claw-alerts.test.yaml"), tests);
        Promtool.Result result = promtool.run("test", "rules", tests.toString());
        assertThat(result.ok())
                .as("promtool test rules:\n%s%s", result.stdout(), result.stderr())
                .isTrue();
        assertThat(result.stdout()).contains("SUCCESS");

        Set<String> firing = new TreeSet<>();
        for (JsonNode test : YAML.readTree(tests.toFile()).path("tests")) {
            for (JsonNode evaluation : test.path("alert_rule_test")) {
                if (!evaluation.path("exp_alerts").isEmpty()) {
                    firing.add(evaluation.path("alertname").asText());
                }
            }
        }
        assertThat(firing).containsExactlyInAnyOrderElementsOf(alertNames());
    }

    @Test
    void promtoolRefusesABrokenRuleFile(@TempDir Path dir) throws IOException {
        // The check above can fail: an alert whose expression does not parse is refused.
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(
                broken,
                Files.readString(RULES).replace("claw_operator_claw_ready == 0", "claw_operator_claw_ready == == 0"));
        Promtool.Result check = promtool.run("check", "rules", broken.toString());
        assertThat(check.ok()).isFalse();
        assertThat(check.stdout() + check.stderr()).contains("ClawNotReady");
    }

    /** Each dashboard: unique uid, panels with ids, positions and queries; every query parses in promtool. */
    @Test
    void everyDashboardQueryParses(@TempDir Path dir) throws IOException {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        Set<String> uids = new HashSet<>();
        int queries = 0;
        List<Path> files;
        try (var list = Files.list(DASHBOARDS)) {
            files = list.sorted().toList();
        }
        assertThat(files)
                .extracting(p -> p.getFileName().toString())
                .containsExactly("claw-fleet.json", "claw-instance.json", "claw-operator.json");
        for (Path file : files) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            assertThat(uids.add(dashboard.path("uid").asText()))
                    .as("uid of %s is unique", file)
                    .isTrue();
            assertThat(dashboard.path("title").asText()).startsWith("k8s4claw / ");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : dashboard.path("panels")) {
                assertThat(ids.add(panel.path("id").asInt()))
                        .as("panel id %s in %s", panel.path("id"), file)
                        .isTrue();
                assertThat(panel.path("gridPos").path("w").asInt()).isPositive();
                assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                assertThat(panel.path("targets"))
                        .as("queries of panel %s", panel.path("title"))
                        .isNotEmpty();
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asText();
                    assertThat(expr).isNotBlank();
                    // Grafana's variables become plain values, so the rest is PromQL as Prometheus will run it.
                    String promql = expr.replace("$namespace", "agents").replace("$claw", "probe");
                    assertThat(promql).doesNotContain("$");
                    rules.append("      - record: dashboard:")
                            .append(dashboard.path("uid").asText().replace('-', '_'))
                            .append(":panel")
                            .append(panel.path("id").asInt())
                            .append('_')
                            .append(target.path("refId").asText())
                            .append("\n        expr: ")
                            .append(JSON.writeValueAsString(promql))
                            .append('\n');
                    queries++;
                }
            }
            assertThat(dashboard.path("templating").path("list"))
                    .anyMatch(v -> v.path("name").asText().equals("datasource"));
        }
        Path file = dir.resolve("dashboards.rules.yaml");
        Files.writeString(file, rules);
        Promtool.Result check = promtool.run("check", "rules", file.toString());
        assertThat(check.ok()).as("%s%s", check.stdout(), check.stderr()).isTrue();
        assertThat(check.stdout()).contains("SUCCESS: " + queries + " rules found");
    }

    @Test
    void helmLintIsCleanWithEveryMonitoringSwitchOn() {
        List<String> args = new ArrayList<>(List.of("lint", "--strict", CHART.toString()));
        args.addAll(List.of(ALL_ON));
        args.addAll(List.of(
                "--set",
                "monitoring.podMonitor.namespaces={agents,bots}",
                "--set",
                "monitoring.serviceMonitor.labels.release=kps"));
        Helm.Result lint = helm.run(args.toArray(String[]::new));
        assertThat(lint.ok())
                .as("helm lint:\n%s%s", lint.stdout(), lint.stderr())
                .isTrue();
        assertThat(lint.stdout())
                .contains("1 chart(s) linted, 0 chart(s) failed")
                .doesNotContain("[WARNING]")
                .doesNotContain("[ERROR]");
    }

    /** Off by default: the default install renders none of it (HelmChartTest compares it with deploy/). */
    @Test
    void everyMonitoringSwitchIsOffByDefault() throws IOException {
        assertThat(template("claw-system"))
                .noneMatch(o -> kind(o).endsWith("Monitor")
                        || kind(o).equals("PrometheusRule")
                        || HelmChartTest.describe(o).endsWith("/claw-operator-dashboards")
                        || HelmChartTest.describe(o).endsWith("/claw-operator-metrics"));
    }

    @Test
    void theMonitorsFindTheOperatorAndTheClawPodsSidecars() throws Exception {
        List<Object> rendered = template("claw-system", ALL_ON);
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        for (Object o : rendered) {
            String name = HelmChartTest.describe(o);
            if (!kind(o).equals("ConfigMap") || name.endsWith("/claw-operator-dashboards")) {
                byKind.putIfAbsent(kind(o), YAML.valueToTree(o));
            }
        }
        assertThat(byKind)
                .containsKeys("Service", "ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap", "Deployment");

        // ServiceMonitor -> Service (port http) -> the operator's pods and their port named http.
        JsonNode serviceMonitor = byKind.get("ServiceMonitor");
        JsonNode service = byKind.get("Service");
        JsonNode deployment = byKind.get("Deployment");
        assertThat(labelsMatch(serviceMonitor.at("/spec/selector/matchLabels"), service.at("/metadata/labels")))
                .isTrue();
        assertThat(labelsMatch(service.at("/spec/selector"), deployment.at("/spec/template/metadata/labels")))
                .isTrue();
        assertThat(serviceMonitor.at("/spec/endpoints/0/port").asText())
                .isEqualTo(service.at("/spec/ports/0/name").asText());
        assertThat(service.at("/spec/ports/0/targetPort").asText())
                .isEqualTo(deployment
                        .at("/spec/template/spec/containers/0/ports/0/name")
                        .asText());
        assertThat(serviceMonitor.at("/spec/endpoints/0/honorLabels").asBoolean())
                .isTrue();

        // PodMonitor -> the pod of a Claw with channels as the operator renders it: its bridge and every channel
        // sidecar.
        JsonNode podMonitor = byKind.get("PodMonitor");
        Pattern ports = Pattern.compile(
                podMonitor.at("/spec/podMetricsEndpoints/0/relabelings/0/regex").asText());
        assertThat(podMonitor
                        .at("/spec/podMetricsEndpoints/0/relabelings/0/action")
                        .asText())
                .isEqualTo("keep");
        StatefulSet sts = renderedStatefulSet();
        var template = sts.getSpec().getTemplate();
        assertThat(labelsMatch(
                        podMonitor.at("/spec/selector/matchLabels"),
                        YAML.valueToTree(template.getMetadata().getLabels())))
                .as("the PodMonitor selects the Claw's pod")
                .isTrue();
        List<Container> all = new ArrayList<>(template.getSpec().getInitContainers());
        all.addAll(template.getSpec().getContainers());
        List<String> scraped = new ArrayList<>();
        for (Container c : all) {
            // The bridge, a channel's own sidecar, or the shared channel container (one port per channel it hosts).
            boolean sidecar = c.getName().equals("claw-ipc-bridge")
                    || c.getName().startsWith("channel-")
                    || c.getName().equals("claw-channels");
            for (var port : c.getPorts()) {
                if (ports.matcher(port.getName()).matches()) {
                    scraped.add(c.getName());
                    assertThat(sidecar)
                            .as(
                                    "port %s of %s is scraped but is not a bridge or channel port",
                                    port.getName(), c.getName())
                            .isTrue();
                }
            }
            if (sidecar) {
                assertThat(scraped)
                        .as("%s serves /metrics on a port the PodMonitor keeps", c.getName())
                        .contains(c.getName());
            }
        }
        assertThat(scraped)
                .contains("claw-ipc-bridge")
                .anyMatch(n -> n.startsWith("channel-") || n.equals("claw-channels"));
        assertThat(podMonitor.at("/spec/podMetricsEndpoints/0/path").asText()).isEqualTo("/metrics");

        // The PrometheusRule is the tested rule file; the dashboards ConfigMap carries Grafana's sidecar label.
        JsonNode rule = byKind.get("PrometheusRule");
        assertThat(rule.path("spec")).isEqualTo(YAML.readTree(RULES.toFile()));
        JsonNode dashboards = byKind.get("ConfigMap");
        assertThat(dashboards.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        List<String> keys = new ArrayList<>();
        dashboards.path("data").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("claw-fleet.json", "claw-instance.json", "claw-operator.json");
        for (String key : keys) {
            assertThat(JSON.readTree(dashboards.path("data").path(key).asText()))
                    .isEqualTo(JSON.readTree(DASHBOARDS.resolve(key).toFile()));
        }
    }

    @Test
    void theRunbookAddressIsTheUsers() throws IOException {
        List<Object> rendered = template(
                "claw-system",
                "--set",
                "monitoring.prometheusRule.enabled=true",
                "--set",
                "monitoring.prometheusRule.runbookUrl=https://docs.example.org/claw/alerts");
        JsonNode rule = YAML.valueToTree(rendered.stream()
                .filter(o -> kind(o).equals("PrometheusRule"))
                .findFirst()
                .orElseThrow());
        for (JsonNode r : rule.at("/spec/groups/0/rules")) {
            assertThat(r.at("/annotations/runbook_url").asText())
                    .isEqualTo("https://docs.example.org/claw/alerts#"
                            + r.path("alert").asText().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * {@code helm install} with every monitoring switch on, into the real apiserver with the Prometheus Operator's CRDs
     * (its release {@value PrometheusOperatorCrds#VERSION}): installed, each object in the apiserver as written (so no
     * field was pruned or refused), then uninstalled. The single-namespace variant in namespaces of its own, so it
     * meets neither HelmChartTest's cluster-wide release nor its cluster-scoped objects.
     */
    @Test
    void theChartWithMonitoringInstallsIntoTheRealApiserverWithThePrometheusOperatorCrds() throws IOException {
        LocalControlPlane plane = LocalControlPlane.shared();
        for (Path crd : PrometheusOperatorCrds.ensureFetched()) {
            LocalControlPlane.CommandResult applied =
                    plane.kubectl(null, "apply", "--server-side", "--force-conflicts", "-f", crd.toString());
            assertThat(applied.ok()).as(applied.stderr()).isTrue();
        }
        LocalControlPlane.CommandResult established = plane.kubectl(
                null,
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                "crd/servicemonitors.monitoring.coreos.com",
                "crd/podmonitors.monitoring.coreos.com",
                "crd/prometheusrules.monitoring.coreos.com");
        assertThat(established.ok()).as(established.stderr()).isTrue();

        String kubeconfig = plane.adminKubeconfig().toString();
        String operatorNamespace = "monitoring-claw-system";
        String watched = "monitoring-claws";
        plane.kubectl(null, "create", "namespace", watched);
        String release = "claw-operator-monitored";
        List<String> args = new ArrayList<>(List.of(
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
                kubeconfig));
        args.addAll(List.of(ALL_ON));
        helm.run(args.toArray(String[]::new)).orThrow("install");
        try {
            List<Object> manifest = parseDocs(
                    helm.run("get", "manifest", release, "--namespace", operatorNamespace, "--kubeconfig", kubeconfig)
                            .orThrow("get manifest")
                            .stdout());
            Set<String> kinds = new TreeSet<>();
            for (Object object : manifest) {
                kinds.add(kind(object));
                assertLiveAsWritten(plane, object, operatorNamespace);
            }
            assertThat(kinds).contains("ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap", "Service");
        } finally {
            helm.run("uninstall", release, "--namespace", operatorNamespace, "--kubeconfig", kubeconfig)
                    .orThrow("uninstall");
        }
    }

    /** {@code helm template} of the chart (release claw-operator), parsed. */
    static List<Object> template(String namespace, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(List.of("template", HelmChartTest.RELEASE, CHART.toString(), "--namespace", namespace));
        command.addAll(List.of(args));
        return parseDocs(
                helm.run(command.toArray(String[]::new)).orThrow("template").stdout());
    }

    static List<String> alertNames() {
        try {
            List<String> names = new ArrayList<>();
            for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    names.add(rule.path("alert").asText());
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every label of {@code selector} is on {@code labels} with the same value. */
    static boolean labelsMatch(JsonNode selector, JsonNode labels) {
        assertThat(selector.isObject() && !selector.isEmpty())
                .as("a selector: %s", selector)
                .isTrue();
        var it = selector.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The StatefulSet the operator renders for a Claw with two channels (the planner's own path, as in the operator).
     */
    static StatefulSet renderedStatefulSet() {
        Claw claw = Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata: {name: agent, namespace: ns}
                spec:
                  runtime: hermesclaw
                  config: {model: nous-hermes-3}
                  credentials: {secretRef: {name: keys}}
                  channels: [{name: team-slack}, {name: ops-hook}]
                """, Claw.class);
        List<ClawChannel> channels =
                List.of(channel("team-slack", "slack", "{}"), channel("ops-hook", "webhook", "{}"));
        ClawPlanner.Plan plan = new ClawPlanner(RuntimeAdapters.load(), SidecarImages.defaults())
                .plan(
                        claw,
                        channels,
                        Map.of("keys", "sha256:aa", "team-slack-tokens", "sha256:bb", "ops-hook-tokens", "sha256:cc"));
        assertThat(plan).isInstanceOf(ClawPlanner.Plan.Ready.class);
        return ((ClawPlanner.Plan.Ready) plan).state().statefulSet();
    }

    static ClawChannel channel(String name, String type, String config) {
        return Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: ClawChannel
                metadata: {name: %s, namespace: ns}
                spec: {type: %s, credentials: {secretRef: {name: %s-tokens}}, config: %s}
                """.formatted(name, type, name, config), ClawChannel.class);
    }
}
