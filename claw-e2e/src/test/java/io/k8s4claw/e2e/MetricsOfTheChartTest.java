package io.k8s4claw.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.BridgeConfig;
import io.k8s4claw.bridge.connect.RuntimeConnectors;
import io.k8s4claw.bridge.delivery.DeliveryPolicy;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.channel.ChannelHost;
import io.k8s4claw.channel.common.Secret;
import io.k8s4claw.channel.webhook.WebhookSignature;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.HealthServer;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.reconcile.WritePath;
import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric a rule of the chart's PrometheusRule or a panel of its Grafana dashboards uses exists, with the labels
 * the query uses, in what the real components export: the operator (run in-process against the real kube-apiserver,
 * reconciling a Claw, its {@code /metrics} served by its {@link HealthServer}), the bridge and a webhook channel
 * sidecar (started through their entry points, a message sent through them to the Hermes API emulator, a reply
 * refused once by the receiver and a message dead-lettered, so their counters have series). The names and labels come
 * from their {@code /metrics} over HTTP, not from a list kept here.
 *
 * <p>A label is accounted for when a scraped series of the metric carries it, or when Prometheus adds it to every
 * series of the target: {@code job}, {@code instance}, and the labels Prometheus Operator's monitors set
 * ({@code namespace}, {@code pod}, {@code container}, {@code endpoint}, {@code service}) or the chart's PodMonitor
 * relabels in ({@code claw}).
 */
class MetricsOfTheChartTest {

    static final Path ROOT = repoRoot();
    static final Path CHART = ROOT.resolve("charts/claw-operator");
    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> PROMETHEUS_TARGET_LABELS =
            Set.of("job", "instance", "namespace", "pod", "container", "endpoint", "service");
    static final String IN = "metrics-inbound-secret";

    static final Pattern SELECTOR = Pattern.compile("\\b(claw_[a-z0-9_]+)\\s*(\\{([^}]*)\\})?");
    static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    static final Pattern TEMPLATE_LABEL = Pattern.compile("\\$labels\\.([a-zA-Z_][a-zA-Z0-9_]*)");
    static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\}\\}");
    static final Pattern LABEL_VALUES =
            Pattern.compile("label_values\\((claw_[a-z0-9_]+)(\\{[^}]*\\})?\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)");

    @TempDir
    Path dir;

    /** One query of a rule or a panel, with the labels its annotations or legend name. */
    record Query(String where, String expr, Set<String> outputLabels) {}

    @Test
    void everyMetricAndLabelOfTheRulesAndDashboardsIsExported() throws Exception {
        Map<String, Set<String>> exported = new TreeMap<>();
        scrapeBridgeAndSidecar(exported);
        scrapeOperator(exported);

        Set<String> added = new TreeSet<>(PROMETHEUS_TARGET_LABELS);
        added.addAll(podMonitorTargetLabels());
        List<Query> queries = queries();
        assertThat(queries).hasSizeGreaterThan(30);
        List<String> problems = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (Query q : queries) {
            Matcher m = SELECTOR.matcher(q.expr());
            Set<String> available = new TreeSet<>(added);
            boolean any = false;
            while (m.find()) {
                String metric = m.group(1);
                any = true;
                used.add(metric);
                Set<String> labels = exported.get(metric);
                if (labels == null) {
                    problems.add(
                            q.where() + ": " + metric + " is exported by none of operator, bridge, channel sidecar");
                    continue;
                }
                available.addAll(labels);
                if (m.group(3) != null) {
                    Matcher l = MATCHER_LABEL.matcher(m.group(3));
                    while (l.find()) {
                        if (!labels.contains(l.group(1)) && !added.contains(l.group(1))) {
                            problems.add(q.where() + ": " + metric + " has no label " + l.group(1) + " (it has "
                                    + labels + ")");
                        }
                    }
                }
            }
            assertThat(any)
                    .as("%s names no claw_ metric: %s", q.where(), q.expr())
                    .isTrue();
            Set<String> needed = new LinkedHashSet<>(q.outputLabels());
            Matcher g = GROUPING.matcher(q.expr());
            while (g.find()) {
                for (String label : g.group(2).split(",")) {
                    if (!label.isBlank()) {
                        needed.add(label.strip());
                    }
                }
            }
            for (String label : needed) {
                if (!available.contains(label)) {
                    problems.add(q.where() + ": label " + label + " is on none of its metrics (" + available + ")");
                }
            }
        }
        assertThat(problems)
                .as("metrics and labels the chart's queries use but nothing exports")
                .isEmpty();
        // The queries cover all three components.
        assertThat(used)
                .anyMatch(n -> n.startsWith("claw_operator_"))
                .anyMatch(n -> n.startsWith("claw_bridge_"))
                .anyMatch(n -> n.startsWith("claw_channel_"));
    }

    /** A Claw pod in this JVM: bridge and webhook sidecar, scraped after traffic that fills their counters. */
    private void scrapeBridgeAndSidecar(Map<String, Set<String>> exported) throws Exception {
        MockWebServer receiver = new MockWebServer();
        receiver.start();
        // The first reply is refused (the sidecar reports it retryable, the bridge retries it), then all are taken.
        receiver.enqueue(new MockResponse().setResponseCode(500));
        for (int i = 0; i < 10; i++) {
            receiver.enqueue(new MockResponse().setResponseCode(200).setBody("{\"message_id\":\"ext-" + i + "\"}"));
        }
        HermesApiEmulator hermes =
                HermesApiEmulator.builder().apiKey(Pod.HERMES_KEY).start();
        Path socket = dir.resolve("bus.sock");
        // Two attempts, quickly: a message the runtime cannot take is dead-lettered within a second.
        DeliveryPolicy policy =
                new DeliveryPolicy(10, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofHours(1), 2);
        BridgeConfig config = new BridgeConfig(
                socket,
                0,
                dir.resolve("wal"),
                0,
                "hermes-sse",
                hermes.baseUrl(),
                Pod.HERMES_KEY,
                Set.of("ops-hook"),
                Set.of(),
                policy,
                true,
                16 << 20,
                1L << 30,
                100_000,
                20_000,
                1 << 20,
                10_000,
                256,
                Duration.ofSeconds(5));
        Bridge bridge = Bridge.start(
                config,
                RuntimeConnectors.create("hermes-sse", hermes.baseUrl(), Pod.HERMES_KEY, Map.of()),
                FileStore.DEFAULT);
        Map<String, String> env =
                new HashMap<>(Map.of("WEBHOOK_SECRET", IN, "WEBHOOK_OUTBOUND_SECRET", "metrics-outbound-secret"));
        env.put("CHANNEL_NAME", "ops-hook");
        env.put("CHANNEL_TYPE", "webhook");
        env.put("CHANNEL_CONFIG", "{\"outboundUrl\":\"" + receiver.url("/replies") + "\",\"outboundMaxAttempts\":1}");
        env.put("CLAW_BUS_SOCKET", socket.toString());
        env.put("CHANNEL_HTTP_PORT", "0");
        env.put("CHANNEL_HTTP_BIND", "127.0.0.1");
        ChannelHost sidecar = ChannelHost.fromEnvironment(env);
        try {
            sidecar.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> sidecar.bus().isConnected());
            assertThat(deliver(sidecar.httpPort(), "m-1", "hello").statusCode()).isEqualTo(202);
            assertThat(receiver.takeRequest(30, TimeUnit.SECONDS))
                    .as("the refused reply")
                    .isNotNull();
            assertThat(receiver.takeRequest(30, TimeUnit.SECONDS))
                    .as("the reply, retried")
                    .isNotNull();
            // The runtime goes away: the next message cannot be delivered and is dead-lettered.
            hermes.close();
            assertThat(deliver(sidecar.httpPort(), "m-2", "anyone there?").statusCode())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> scrape(bridge.httpPort()).containsKey("claw_bridge_dead_letters_total"));

            Map<String, Set<String>> fromBridge = scrape(bridge.httpPort());
            Map<String, Set<String>> fromSidecar = scrape(sidecar.httpPort());
            assertThat(fromBridge).containsKeys("claw_bridge_messages_in_total", "claw_bridge_reply_retries_total");
            assertThat(fromSidecar).containsKeys("claw_channel_errors_total", "claw_channel_platform_connected");
            merge(exported, fromBridge);
            merge(exported, fromSidecar);
        } finally {
            sidecar.close(Duration.ofSeconds(2));
            bridge.shutdown();
            hermes.close();
            receiver.shutdown();
        }
    }

    /** The operator reconciling a Claw in the real apiserver, its /metrics scraped. */
    private void scrapeOperator(Map<String, Set<String>> exported) throws Exception {
        LocalControlPlane plane = LocalControlPlane.shared();
        LocalControlPlane.CommandResult crds = plane.kubectl(
                null,
                "apply",
                "--server-side",
                "--force-conflicts",
                "-f",
                ROOT.resolve("deploy/crds").toString());
        assertThat(crds.ok()).as(crds.stderr()).isTrue();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> plane.kubectl(
                                null,
                                "wait",
                                "--for=condition=Established",
                                "--timeout=5s",
                                "crd/claws.claw.prismer.ai",
                                "crd/clawchannels.claw.prismer.ai")
                        .ok());
        String ns = "metrics-" + Long.toHexString(System.nanoTime());
        assertThat(plane.kubectl(null, "create", "namespace", ns).ok()).isTrue();
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(plane.serverUrl())
                .withOauthToken(plane.adminToken())
                .withCaCertFile(plane.caCertificate().toString())
                .withRequestTimeout(30_000)
                .build();
        OperatorMetrics metrics = new OperatorMetrics();
        try (KubernetesClient client = metrics.timingApiRequests(new KubernetesClientBuilder().withConfig(config))
                .build()) {
            ClawOperator operator = new ClawOperator(
                    new ClawOperator.Settings(
                            client,
                            RuntimeAdapters.load(),
                            SidecarImages.defaults(),
                            Set.of(ns),
                            Optional.empty(),
                            Optional.of(Duration.ofMillis(500)),
                            2,
                            WritePath.SERVER_SIDE_APPLY),
                    metrics);
            try (HealthServer health = new HealthServer(
                    new InetSocketAddress("127.0.0.1", 0), operator::alive, operator::ready, metrics)) {
                operator.start();
                // A valid Claw, so that the operator creates its children (and counts those writes).
                LocalControlPlane.CommandResult claw = plane.kubectl("""
                        apiVersion: v1
                        kind: Secret
                        metadata:
                          name: probe-keys
                          namespace: %1$s
                        stringData:
                          OPENAI_API_KEY: sk-metrics-probe
                        ---
                        apiVersion: claw.prismer.ai/v1alpha1
                        kind: Claw
                        metadata:
                          name: metrics-probe
                          namespace: %1$s
                        spec:
                          runtime: openclaw
                          credentials:
                            secretRef:
                              name: probe-keys
                        """.formatted(ns), "apply", "-f", "-");
                assertThat(claw.ok()).as(claw.stderr()).isTrue();
                // The first reconciliation has ended (its counters are written after the status) and written children.
                List<String> awaited = List.of(
                        "claw_operator_claw_ready",
                        "claw_operator_reconciliations_total",
                        "claw_operator_child_writes_total");
                Map<String, Set<String>> fromOperator = scrape(health.port());
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!fromOperator.keySet().containsAll(awaited) && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    fromOperator = scrape(health.port());
                }
                assertThat(fromOperator.keySet())
                        .as(
                                "the operator's series after reconciling the Claw; the Claw: %s",
                                plane.kubectl(null, "get", "claw", "metrics-probe", "-n", ns, "-o", "yaml")
                                        .stdout())
                        .containsAll(awaited);
                assertThat(fromOperator).containsKeys("claw_operator_reconciliations_total", "claw_operator_claw_info");
                merge(exported, fromOperator);
            } finally {
                operator.close();
                plane.kubectl(null, "delete", "namespace", ns, "--wait=false");
            }
        }
    }

    private static HttpResponse<String> deliver(int port, String deliveryId, String text) throws Exception {
        String body = "{\"conversation_id\":\"c-1\",\"text\":\"" + text + "\",\"sender\":{\"id\":\"probe\"}}";
        String ts = String.valueOf(System.currentTimeMillis() / 1000);
        String sig = WebhookSignature.sign(new Secret("in", IN), ts, body.getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook"))
                                .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                                .header(WebhookSignature.SIGNATURE_HEADER, sig)
                                .header(WebhookSignature.DELIVERY_HEADER, deliveryId)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** GET /metrics (Prometheus text format): each sample's metric name with the label names its series carry. */
    static Map<String, Set<String>> scrape(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Set<String>> out = new TreeMap<>();
        Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+\\S+.*$");
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = sample.matcher(line);
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            Set<String> labels = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            if (m.group(3) != null) {
                Matcher l = label.matcher(m.group(3));
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
        }
        return out;
    }

    private static void merge(Map<String, Set<String>> into, Map<String, Set<String>> from) {
        from.forEach((k, v) -> into.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
    }

    /** Every query of the PrometheusRule's rule file and of the dashboards (panels and variables). */
    static List<Query> queries() throws Exception {
        List<Query> out = new ArrayList<>();
        JsonNode rules =
                YAML.readTree(CHART.resolve("files/prometheus/claw-alerts.yaml").toFile());
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                Set<String> labels = new TreeSet<>();
                rule.path("annotations").forEach(a -> {
                    Matcher m = TEMPLATE_LABEL.matcher(a.asText());
                    while (m.find()) {
                        labels.add(m.group(1));
                    }
                });
                out.add(new Query(
                        "alert " + rule.path("alert").asText(rule.path("record").asText()),
                        rule.path("expr").asText(),
                        labels));
            }
        }
        try (var files = Files.list(CHART.resolve("files/dashboards"))) {
            for (Path file : files.sorted().toList()) {
                JsonNode dashboard = JSON.readTree(file.toFile());
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        Set<String> labels = new TreeSet<>();
                        Matcher m =
                                LEGEND_LABEL.matcher(target.path("legendFormat").asText());
                        while (m.find()) {
                            labels.add(m.group(1));
                        }
                        out.add(new Query(
                                file.getFileName() + " panel '"
                                        + panel.path("title").asText() + "' "
                                        + target.path("refId").asText(),
                                target.path("expr").asText(),
                                labels));
                    }
                }
                for (JsonNode variable : dashboard.path("templating").path("list")) {
                    if ("query".equals(variable.path("type").asText())) {
                        Matcher m = LABEL_VALUES.matcher(
                                variable.path("query").path("query").asText());
                        assertThat(m.matches())
                                .as("variable %s of %s is a label_values query", variable.path("name"), file)
                                .isTrue();
                        out.add(new Query(
                                file.getFileName() + " variable "
                                        + variable.path("name").asText(),
                                m.group(1) + (m.group(2) == null ? "" : m.group(2)),
                                Set.of(m.group(3))));
                    }
                }
            }
        }
        return out;
    }

    /** The labels the chart's PodMonitor writes with its relabelings ({@code targetLabel: ...}). */
    static Set<String> podMonitorTargetLabels() throws Exception {
        Set<String> labels = new TreeSet<>();
        Matcher m = Pattern.compile("targetLabel:\\s*([a-zA-Z_][a-zA-Z0-9_]*)")
                .matcher(Files.readString(CHART.resolve("templates/monitoring.yaml")));
        while (m.find()) {
            labels.add(m.group(1));
        }
        assertThat(labels).contains("claw");
        return labels;
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("charts/claw-operator"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("run from inside the repository: charts/claw-operator not found above "
                    + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
