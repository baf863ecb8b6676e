package io.k8s4claw.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane.ApiResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRDs on a real kube-apiserver (built from {@code k8s.io/kubernetes}, see claw-testkit): they are
 * accepted as structural schemas with every CEL rule compiled within the cost budget, and the table of invalid
 * resources ({@link InvalidResourcesTest}) is rejected by the apiserver at exactly the field paths the Java
 * validators give — the in-process {@link CrdEvaluator} is only a fast stand-in for this.
 */
class RealApiServerValidationTest {

    static final String NS = "validation";
    static final String GROUP_PATH = "/apis/claw.prismer.ai/v1alpha1/namespaces/" + NS + "/";
    static LocalControlPlane plane;

    @BeforeAll
    static void installCrds() throws IOException {
        plane = LocalControlPlane.shared();
        for (String crd : List.of(
                "claws.claw.prismer.ai-v1.yml",
                "clawchannels.claw.prismer.ai-v1.yml",
                "clawselfconfigs.claw.prismer.ai-v1.yml")) {
            String yaml = generatedCrd(crd);
            JsonNode tree = Manifests.readYamlDocuments(yaml).get(0);
            String name = tree.path("metadata").path("name").asText();
            ApiResponse created = plane.request(
                    "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Manifests.toJson(tree));
            assertThat(created.status()).as(created.body()).isIn(201, 409);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> condition(name, "Established").equals("True"));
        }
        ApiResponse ns = plane.request(
                "POST",
                "/api/v1/namespaces",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS + "\"}}");
        assertThat(ns.status()).as(ns.body()).isIn(201, 409);
        // Established comes a moment before the group's discovery and REST mapping serve the kinds.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> plane.request("GET", GROUP_PATH + "claws", null).status() == 200
                        && plane.request("GET", GROUP_PATH + "clawchannels", null)
                                        .status()
                                == 200
                        && plane.request("GET", GROUP_PATH + "clawselfconfigs", null)
                                        .status()
                                == 200);
    }

    static String generatedCrd(String file) throws IOException {
        try (InputStream in = RealApiServerValidationTest.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
            assertThat(in).as("generated CRD " + file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String condition(String crd, String type) throws IOException {
        JsonNode body = Manifests.readYamlDocuments(
                        plane.request("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + crd, null)
                                .body())
                .get(0);
        for (JsonNode c : body.path("status").path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c.path("status").asText();
            }
        }
        return "";
    }

    @Test
    void theCrdsAreStructuralAndEveryCelRuleCompiles() throws IOException {
        for (String crd :
                List.of("claws.claw.prismer.ai", "clawchannels.claw.prismer.ai", "clawselfconfigs.claw.prismer.ai")) {
            assertThat(condition(crd, "NamesAccepted")).as(crd).isEqualTo("True");
            assertThat(condition(crd, "Established")).as(crd).isEqualTo("True");
            // A non-structural schema is accepted by older API versions only with this condition set.
            assertThat(condition(crd, "NonStructuralSchema")).as(crd).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.k8s4claw.api.validation.ExamplesTest#documents")
    void everyExampleIsAccepted(ExamplesTest.Doc example) {
        ApiResponse answer = create(example.tree(), true);
        assertThat(answer.status()).as(example + ": " + answer.body()).isEqualTo(201);
    }

    /** One rejection the apiserver gave: the field path and its message. */
    record Cause(String path, String message) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.k8s4claw.api.validation.InvalidResourcesTest#cases")
    void theApiserverRejectsEachInvalidCaseAtTheJavaValidatorsPaths(InvalidResourcesTest.Case c) throws IOException {
        String name = "case-" + c.file().substring(0, 2);
        ApiResponse answer;
        if (c.old() == null) {
            answer = create(renamed(c.resource(), name), true);
        } else {
            ApiResponse old = create(renamed(c.old(), name), false);
            assertThat(old.status())
                    .as("the old object of " + c.file() + ": " + old.body())
                    .isEqualTo(201);
            String resourceVersion = Manifests.readYamlDocuments(old.body())
                    .get(0)
                    .path("metadata")
                    .path("resourceVersion")
                    .asText();
            ObjectNode update = renamed(c.resource(), name);
            ((ObjectNode) update.path("metadata")).put("resourceVersion", resourceVersion);
            answer = plane.request(
                    "PUT",
                    GROUP_PATH + plural(update) + "/" + name + "?dryRun=All&fieldValidation=Strict",
                    Manifests.toJson(update));
            plane.request("DELETE", GROUP_PATH + plural(update) + "/" + name, null);
        }
        assertThat(answer.status())
                .as(c.file() + " was accepted: " + answer.body())
                .isIn(400, 422);
        List<Cause> causes = causes(answer.body());
        String report = c.file() + ": " + causes.stream().map(Object::toString).collect(Collectors.joining("\n"));
        assertThat(causes)
                .extracting(Cause::path)
                .as(report)
                .containsExactlyInAnyOrderElementsOf(c.expected().stream()
                        .map(InvalidResourcesTest.Expected::path)
                        .toList());
    }

    static ObjectNode renamed(JsonNode resource, String name) {
        ObjectNode copy = resource.deepCopy();
        ObjectNode metadata = copy.has("metadata") ? (ObjectNode) copy.get("metadata") : copy.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", NS);
        return copy;
    }

    static String plural(JsonNode resource) {
        return switch (resource.path("kind").asText()) {
            case "ClawChannel" -> "clawchannels";
            case "ClawSelfConfig" -> "clawselfconfigs";
            default -> "claws";
        };
    }

    static ApiResponse create(JsonNode resource, boolean dryRun) {
        JsonNode placed =
                renamed(resource, resource.path("metadata").path("name").asText("unnamed"));
        return plane.request(
                "POST",
                GROUP_PATH + plural(placed) + "?fieldValidation=Strict" + (dryRun ? "&dryRun=All" : ""),
                Manifests.toJson(placed));
    }

    /** Strict decoding's unknown fields come as one message ({@code unknown field "spec.x.y"}); the rest as causes. */
    static final Pattern UNKNOWN_FIELD = Pattern.compile("unknown field \"([^\"]+)\"");

    static List<Cause> causes(String statusBody) throws IOException {
        JsonNode status = Manifests.readYamlDocuments(statusBody).get(0);
        List<Cause> causes = new ArrayList<>();
        for (JsonNode cause : status.path("details").path("causes")) {
            String field = cause.path("field").asText();
            // Where the schema already failed, the apiserver skips the CEL rules and says so in a cause of its own
            // (field "<nil>"): the same blocking the in-process evaluator models, not a rejection of a field.
            if (field.isEmpty() || cause.path("message").asText().contains("some validation rules were not checked")) {
                continue;
            }
            causes.add(new Cause(field, cause.path("message").asText()));
        }
        if (causes.isEmpty()) {
            Matcher m = UNKNOWN_FIELD.matcher(status.path("message").asText());
            while (m.find()) {
                causes.add(new Cause(m.group(1), "unknown field"));
            }
        }
        return causes;
    }
}
