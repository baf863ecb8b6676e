package io.k8s4claw.api.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading and writing Claw/ClawChannel manifests as YAML or JSON trees and binding them to the model.
 * Unknown fields do not fail binding: {@link ClawValidator#validateManifest(JsonNode)} reports them with their
 * path instead.
 */
public final class Manifests {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    // without this, the string "8080" would be written as 8080 and read back as a number
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Manifests() {}

    /**
     * Every non-empty document of a (multi-document) YAML text, as trees.
     *
     * @throws IllegalArgumentException with the parser's line and column when the YAML is malformed
     */
    public static List<JsonNode> readYamlDocuments(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage(), e);
        }
        return docs;
    }

    /** Binds a tree to a model class ({@code Claw}, {@code ClawChannel}, ...). */
    public static <T> T bind(JsonNode tree, Class<T> type) {
        try {
            return JSON.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    /** The JSON tree of a model object (fields left unset are absent). */
    public static JsonNode toTree(Object model) {
        return JSON.valueToTree(model);
    }

    /** YAML text of a model object or tree. */
    public static String toYaml(Object modelOrTree) {
        try {
            return YAML.writeValueAsString(modelOrTree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compact JSON text of a model object or tree. */
    public static String toJson(Object modelOrTree) {
        try {
            return JSON.writeValueAsString(modelOrTree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
