package io.k8s4claw.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The CRDs the build generates from the model ({@code target/classes/META-INF/fabric8/*.yml}), parsed and checked
 * by structure: names, scope, status subresource, printer columns, required fields, enums, defaults, patterns and
 * the CEL rules with their messages.
 */
class GeneratedCrdTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode crd(String file) throws IOException {
        try (InputStream in = GeneratedCrdTest.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
            assertThat(in).as("generated " + file).isNotNull();
            return YAML.readTree(in);
        }
    }

    private static JsonNode version(JsonNode crd) {
        assertThat(crd.path("spec").path("versions")).hasSize(1);
        return crd.path("spec").path("versions").get(0);
    }

    private static JsonNode spec(JsonNode crd) {
        return version(crd)
                .path("schema")
                .path("openAPIV3Schema")
                .path("properties")
                .path("spec");
    }

    /** Schema node at a dotted path of property names; {@code []} steps into list items. */
    private static JsonNode at(JsonNode schema, String path) {
        JsonNode node = schema;
        for (String step : path.split("\\.")) {
            if (step.equals("[]")) {
                node = node.path("items");
            } else {
                node = node.path("properties").path(step);
            }
            assertThat(node.isMissingNode())
                    .as("schema has " + path + " (at " + step + ")")
                    .isFalse();
        }
        return node;
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }

    private static Map<String, String> rules(JsonNode node) {
        Map<String, String> rules = new LinkedHashMap<>();
        node.path("x-kubernetes-validations")
                .forEach(r ->
                        rules.put(r.path("message").asText(), r.path("rule").asText()));
        return rules;
    }

    @Test
    void clawCrdNamesScopeAndStatusSubresource() throws IOException {
        JsonNode crd = crd("claws.claw.prismer.ai-v1.yml");
        assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
        assertThat(crd.path("metadata").path("name").asText()).isEqualTo("claws.claw.prismer.ai");
        assertThat(crd.path("spec").path("group").asText()).isEqualTo("claw.prismer.ai");
        assertThat(crd.path("spec").path("scope").asText()).isEqualTo("Namespaced");
        JsonNode names = crd.path("spec").path("names");
        assertThat(names.path("kind").asText()).isEqualTo("Claw");
        assertThat(names.path("plural").asText()).isEqualTo("claws");
        assertThat(names.path("singular").asText()).isEqualTo("claw");
        assertThat(texts(names.path("shortNames"))).containsExactly("claw");
        JsonNode v = version(crd);
        assertThat(v.path("name").asText()).isEqualTo("v1alpha1");
        assertThat(v.path("served").asBoolean()).isTrue();
        assertThat(v.path("storage").asBoolean()).isTrue();
        assertThat(v.path("subresources").has("status")).isTrue();
    }

    @Test
    void clawPrinterColumns() throws IOException {
        JsonNode columns = version(crd("claws.claw.prismer.ai-v1.yml")).path("additionalPrinterColumns");
        List<Map.Entry<String, String>> byName = new ArrayList<>();
        columns.forEach(c -> byName.add(entry(
                c.path("name").asText(),
                c.path("jsonPath").asText() + " " + c.path("type").asText())));
        assertThat(byName)
                .containsExactlyInAnyOrder(
                        entry("Runtime", ".spec.runtime string"),
                        entry("Phase", ".status.phase string"),
                        entry("Ready", ".status.conditions[?(@.type==\"Ready\")].status string"),
                        entry("Version", ".status.autoUpdate.currentVersion string"),
                        entry("Age", ".metadata.creationTimestamp date"));
    }

    @Test
    void clawSpecRequiredFieldsAndEnums() throws IOException {
        JsonNode spec = spec(crd("claws.claw.prismer.ai-v1.yml"));
        assertThat(texts(spec.path("required"))).containsExactly("runtime");
        assertThat(texts(at(spec, "runtime").path("enum")))
                .containsExactlyInAnyOrder(
                        "openclaw", "nanoclaw", "zeroclaw", "picoclaw", "ironclaw", "hermesclaw", "nanobot", "custom");
        assertThat(texts(at(spec, "channels.[].mode").path("enum")))
                .containsExactlyInAnyOrder("inbound", "outbound", "bidirectional");
        assertThat(texts(at(spec, "channels.[]").path("required"))).containsExactly("name");
        assertThat(texts(at(spec, "persistence.reclaimPolicy").path("enum")))
                .containsExactlyInAnyOrder("Retain", "Archive", "Delete");
        assertThat(texts(at(spec, "configMergeMode").path("enum")))
                .containsExactlyInAnyOrder("DeepMerge", "Overwrite", "Passthrough");
        assertThat(texts(at(spec, "bridge.protocol").path("enum")))
                .containsExactlyInAnyOrder("auto", "sse", "relay", "gateway");
        assertThat(texts(at(spec, "supervisor").path("enum"))).containsExactlyInAnyOrder("kubernetes", "s6");
        assertThat(texts(at(spec, "image.pullPolicy").path("enum")))
                .containsExactlyInAnyOrder("Always", "IfNotPresent", "Never");
        assertThat(texts(at(spec, "persistence.session").path("required"))).containsExactly("size");
        assertThat(texts(at(spec, "credentials.keys.[]").path("required")))
                .containsExactlyInAnyOrder("name", "secretKeyRef");
        assertThat(texts(at(spec, "credentials.keys.[].secretKeyRef").path("required")))
                .containsExactlyInAnyOrder("name", "key");
        assertThat(texts(at(spec, "skills.[]").path("required"))).containsExactly("name");
        assertThat(texts(at(spec, "database").path("required"))).containsExactly("secretRef");
        JsonNode status = version(crd("claws.claw.prismer.ai-v1.yml"))
                .path("schema")
                .path("openAPIV3Schema")
                .path("properties")
                .path("status");
        assertThat(texts(at(status, "phase").path("enum")))
                .containsExactlyInAnyOrder(
                        "Pending",
                        "Provisioning",
                        "Running",
                        "Degraded",
                        "Updating",
                        "Failed",
                        "Terminating",
                        "Suspended");
        assertThat(at(status, "conditions.[]").path("properties").has("observedGeneration"))
                .isTrue();
        assertThat(texts(at(status, "autoUpdate.versionHistory.[].status").path("enum")))
                .containsExactlyInAnyOrder("Healthy", "RolledBack");
    }

    @Test
    void clawDefaults() throws IOException {
        JsonNode spec = spec(crd("claws.claw.prismer.ai-v1.yml"));
        assertThat(at(spec, "channels.[].mode").path("default").asText()).isEqualTo("bidirectional");
        assertThat(at(spec, "persistence.reclaimPolicy").path("default").asText())
                .isEqualTo("Retain");
        for (String volume : List.of("session", "workspace", "output")) {
            assertThat(at(spec, "persistence." + volume + ".enabled")
                            .path("default")
                            .asBoolean())
                    .isTrue();
            assertThat(at(spec, "persistence." + volume + ".snapshot.retain")
                            .path("default")
                            .asInt())
                    .isEqualTo(5);
        }
        assertThat(at(spec, "persistence.cache.medium").path("default").asText())
                .isEqualTo("Memory");
        assertThat(at(spec, "autoUpdate.schedule").path("default").asText()).isEqualTo("0 3 * * *");
        assertThat(at(spec, "autoUpdate.healthTimeout").path("default").asText())
                .isEqualTo("10m");
        assertThat(at(spec, "autoUpdate.maxRollbacks").path("default").asInt()).isEqualTo(3);
        assertThat(at(spec, "configMergeMode").path("default").asText()).isEqualTo("DeepMerge");
        assertThat(at(spec, "supervisor").path("default").asText()).isEqualTo("kubernetes");
        assertThat(at(spec, "bridge.protocol").path("default").asText()).isEqualTo("auto");
        assertThat(at(spec, "security.networkPolicy.enabled").path("default").asBoolean())
                .isTrue();
        assertThat(at(spec, "observability.metrics").path("default").asBoolean())
                .isTrue();
        assertThat(at(spec, "observability.tracing").path("default").asBoolean())
                .isFalse();
    }

    @Test
    void clawPatternsAndBounds() throws IOException {
        JsonNode spec = spec(crd("claws.claw.prismer.ai-v1.yml"));
        for (String volume : List.of("session", "workspace", "output")) {
            assertThat(at(spec, "persistence." + volume + ".size")
                            .path("pattern")
                            .asText())
                    .isEqualTo(SchemaPatterns.QUANTITY);
            assertThat(at(spec, "persistence." + volume + ".maxSize")
                            .path("pattern")
                            .asText())
                    .isEqualTo(SchemaPatterns.QUANTITY);
            assertThat(at(spec, "persistence." + volume + ".snapshot.schedule")
                            .path("pattern")
                            .asText())
                    .isEqualTo(SchemaPatterns.CRON);
        }
        assertThat(at(spec, "persistence.cache.size").path("pattern").asText()).isEqualTo(SchemaPatterns.QUANTITY);
        assertThat(at(spec, "autoUpdate.schedule").path("pattern").asText()).isEqualTo(SchemaPatterns.CRON);
        assertThat(at(spec, "autoUpdate.versionConstraint").path("pattern").asText())
                .isEqualTo(SchemaPatterns.SEMVER_RANGE);
        assertThat(at(spec, "autoUpdate.healthTimeout").path("pattern").asText())
                .isEqualTo(SchemaPatterns.DURATION);
        assertThat(at(spec, "channels.[].name").path("pattern").asText()).isEqualTo(SchemaPatterns.DNS_LABEL);
        assertThat(at(spec, "channels").path("maxItems").asInt()).isEqualTo(32);
        assertThat(at(spec, "autoUpdate.maxRollbacks").path("minimum").asInt()).isEqualTo(1);
        assertThat(at(spec, "custom.ports.[].containerPort").path("maximum").asInt())
                .isEqualTo(65535);
        assertThat(at(spec, "config")
                        .path("x-kubernetes-preserve-unknown-fields")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void clawCelRules() throws IOException {
        JsonNode spec = spec(crd("claws.claw.prismer.ai-v1.yml"));
        assertThat(rules(at(spec, "runtime"))).containsExactly(entry(ClawRules.RUNTIME_IMMUTABLE, "self == oldSelf"));
        assertThat(rules(at(spec, "credentials.externalSecret")))
                .containsExactly(entry(NotSupportedYet.EXTERNAL_SECRET, "false"));
        assertThat(rules(at(spec, "credentials")))
                .containsOnlyKeys(ClawRules.CREDENTIALS_EXCLUSIVE, ClawRules.CREDENTIALS_EMPTY);
        assertThat(rules(at(spec, "credentials")).get(ClawRules.CREDENTIALS_EXCLUSIVE))
                .isEqualTo("!(has(self.secretRef) && has(self.externalSecret))");
        for (String volume : List.of("session", "workspace", "output")) {
            assertThat(rules(at(spec, "persistence." + volume + ".size")).get(ClawRules.SIZE_NO_SHRINK))
                    .contains("quantity(self).compareTo(quantity(oldSelf)) >= 0");
            assertThat(rules(at(spec, "persistence." + volume + ".storageClass")))
                    .containsEntry(ClawRules.STORAGE_CLASS_IMMUTABLE, "self == oldSelf");
            assertThat(rules(at(spec, "persistence." + volume))).containsOnlyKeys(ClawRules.MAX_SIZE_BELOW_SIZE);
            assertThat(rules(at(spec, "persistence." + volume + ".maxSize")))
                    .containsExactly(entry(NotSupportedYet.MAX_SIZE, "false"));
            assertThat(rules(at(spec, "persistence." + volume + ".snapshot")))
                    .containsOnlyKeys(ClawRules.SNAPSHOT_SCHEDULE_REQUIRED);
        }
        assertThat(rules(at(spec, "skills.[]")))
                .containsEntry(ClawRules.SKILL_SOURCE_EXCLUSIVE, "has(self.configMapRef) != has(self.inline)");
        assertThat(rules(at(spec, "skills"))).containsOnlyKeys(ClawRules.SKILL_NAMES_UNIQUE);
        assertThat(rules(at(spec, "channels"))).containsOnlyKeys(ClawRules.CHANNEL_NAMES_UNIQUE);
        assertThat(rules(at(spec, "autoUpdate.healthTimeout")).get(ClawRules.HEALTH_TIMEOUT_RANGE))
                .contains("duration(self) >= duration('2m')")
                .contains("duration(self) <= duration('30m')");
        assertThat(at(spec, "security.networkPolicy.allowedEgressCIDRs.[]")
                        .path("pattern")
                        .asText())
                .isEqualTo(SchemaPatterns.CIDR);
        assertThat(at(spec, "security.networkPolicy.allowedIngressNamespaces.[]")
                        .path("pattern")
                        .asText())
                .isEqualTo(SchemaPatterns.DNS_LABEL);
        assertThat(rules(spec)).containsOnlyKeys(ClawRules.CUSTOM_RUNTIME_IMAGE);
    }

    @Test
    void clawChannelCrd() throws IOException {
        JsonNode crd = crd("clawchannels.claw.prismer.ai-v1.yml");
        assertThat(crd.path("spec").path("names").path("plural").asText()).isEqualTo("clawchannels");
        assertThat(crd.path("spec").path("names").path("kind").asText()).isEqualTo("ClawChannel");
        assertThat(crd.path("spec").path("scope").asText()).isEqualTo("Namespaced");
        assertThat(version(crd).path("subresources").has("status")).isTrue();
        JsonNode spec = spec(crd);
        assertThat(texts(spec.path("required"))).containsExactly("type");
        assertThat(texts(at(spec, "type").path("enum")))
                .containsExactlyInAnyOrder("slack", "telegram", "whatsapp", "discord", "matrix", "webhook", "custom");
        assertThat(at(spec, "mode").path("default").asText()).isEqualTo("bidirectional");
        assertThat(at(spec, "backpressure.bufferSize").path("default").asInt()).isEqualTo(1024);
        assertThat(at(spec, "backpressure.highWatermark").path("default").asText())
                .isEqualTo("0.8");
        assertThat(at(spec, "backpressure.lowWatermark").path("default").asText())
                .isEqualTo("0.3");
        assertThat(at(spec, "backpressure.lowWatermark").path("pattern").asText())
                .isEqualTo(SchemaPatterns.WATERMARK);
        assertThat(rules(at(spec, "backpressure"))).containsOnlyKeys(ClawRules.WATERMARK_ORDER);
        assertThat(rules(at(spec, "credentials")))
                .containsOnlyKeys(ClawRules.CREDENTIALS_EXCLUSIVE, ClawRules.CREDENTIALS_EMPTY);
        assertThat(rules(spec))
                .containsOnlyKeys(ClawRules.CUSTOM_CHANNEL_SIDECAR, NotSupportedYet.CHANNEL_TYPE_WITHOUT_BUILT_IN);
        assertThat(rules(at(spec, "credentials.externalSecret")))
                .containsExactly(entry(NotSupportedYet.EXTERNAL_SECRET, "false"));
        assertThat(at(spec, "config")
                        .path("x-kubernetes-preserve-unknown-fields")
                        .asBoolean())
                .isTrue();
        assertThat(texts(at(spec, "sidecar").path("required"))).containsExactly("image");
        JsonNode status = version(crd)
                .path("schema")
                .path("openAPIV3Schema")
                .path("properties")
                .path("status");
        assertThat(status.path("properties").fieldNames())
                .toIterable()
                .contains("conditions", "observedGeneration", "referenceCount", "referencingClaws");
    }

    @Test
    void patternsAcceptWhatUsersWriteAndRejectNearMisses() {
        matches(
                SchemaPatterns.QUANTITY,
                List.of("5Gi", "500Mi", "1.5Gi", "100", "1Ti", "10G"),
                List.of("5 Gb", "5GB", "-1Gi", "Gi", "5gi", ""));
        matches(
                SchemaPatterns.CRON,
                List.of("0 3 * * *", "*/15 * * * *", "0 2 * * MON-FRI", "@daily", "0 0 1,15 * *"),
                List.of("0 3 * *", "daily", "every night", "@sometimes", "0 3 * * * *"));
        matches(
                SchemaPatterns.SEMVER_RANGE,
                List.of(
                        "^2.0.0",
                        "~1.x",
                        ">=1.2.0 <2.0.0",
                        "1.2 - 1.4.5",
                        "^1.0 || ^2.0",
                        "*",
                        "v2026.9.6",
                        ">= 1.2, < 2"),
                List.of("latest", "stable", "", "^", "1.2.3.4.5"));
        matches(SchemaPatterns.DURATION, List.of("10m", "90s", "1h30m", "2.5m"), List.of("10", "10 minutes", "1d", ""));
        matches(
                SchemaPatterns.CIDR,
                List.of("10.0.0.0/8", "192.168.1.0/24", "fd00::/8", "2001:db8::/32"),
                List.of("10.0.0.0", "10.0.0.0/33", "internal"));
        matches(SchemaPatterns.WATERMARK, List.of("0.8", "0.3", "1", "0", "1.0"), List.of("80%", "1.5", ".8", "0,8"));
    }

    private static void matches(String regex, List<String> good, List<String> bad) {
        Pattern p = Pattern.compile(regex);
        assertThat(good).as(regex).allMatch(s -> p.matcher(s).matches());
        assertThat(bad).as(regex).noneMatch(s -> p.matcher(s).matches());
    }
}
