package io.k8s4claw.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.validation.ClawChannelValidator;
import io.k8s4claw.api.validation.ClawValidator;
import io.k8s4claw.api.validation.FieldError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Claws, ClawChannels and Secrets in a set of (multi-document) YAML files, each remembered with where it
 * came from so messages can point at the file and document.
 */
record ManifestFiles(
        List<Located<Claw>> claws,
        List<Located<ClawChannel>> channels,
        List<Located<Secret>> secrets,
        List<String> problems) {

    record Located<T>(T object, Path file, int document, JsonNode source) {
        String where() {
            return file + " (document " + document + ")";
        }
    }

    private static final ObjectMapper YAML = new YAMLMapper();

    static ManifestFiles read(List<Path> files) {
        List<Located<Claw>> claws = new ArrayList<>();
        List<Located<ClawChannel>> channels = new ArrayList<>();
        List<Located<Secret>> secrets = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                problems.add(file + ": no such file");
                continue;
            }
            try (var parser = new YAMLFactory().createParser(file.toFile())) {
                var docs = YAML.readValues(parser, JsonNode.class);
                int index = 0;
                while (docs.hasNext()) {
                    JsonNode doc = docs.next();
                    index++;
                    if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
                        continue;
                    }
                    String apiVersion = doc.path("apiVersion").asText("");
                    String kind = doc.path("kind").asText("");
                    String where = file + " (document " + index + ")";
                    try {
                        if (ClawApi.API_VERSION.equals(apiVersion) && "Claw".equals(kind)) {
                            claws.add(new Located<>(YAML.treeToValue(doc, Claw.class), file, index, doc));
                        } else if (ClawApi.API_VERSION.equals(apiVersion) && "ClawChannel".equals(kind)) {
                            channels.add(new Located<>(YAML.treeToValue(doc, ClawChannel.class), file, index, doc));
                        } else if ("v1".equals(apiVersion) && "Secret".equals(kind)) {
                            secrets.add(new Located<>(YAML.treeToValue(doc, Secret.class), file, index, doc));
                        } else {
                            problems.add(where + ": "
                                    + (kind.isEmpty() ? "a document without kind" : apiVersion + " " + kind)
                                    + " is not a Claw, ClawChannel or Secret; claw only reads those");
                        }
                    } catch (IOException e) {
                        var errors = "Claw".equals(kind)
                                ? ClawValidator.validateManifest(doc).errors()
                                : "ClawChannel".equals(kind)
                                        ? ClawChannelValidator.validateManifest(doc)
                                                .errors()
                                        : List.<FieldError>of();
                        if (errors.isEmpty()) {
                            problems.add(where + ": " + kind + " cannot be read: "
                                    + e.getMessage().lines().findFirst().orElse(""));
                        } else {
                            errors.forEach(err -> problems.add(where + ": " + kind + " "
                                    + doc.path("metadata").path("name").asText("") + ": " + err));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // (Jackson reports errors past the first document lazily, as RuntimeJsonMappingException)
                problems.add(file + ": not valid YAML: "
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
        }
        return new ManifestFiles(claws, channels, secrets, problems);
    }
}
