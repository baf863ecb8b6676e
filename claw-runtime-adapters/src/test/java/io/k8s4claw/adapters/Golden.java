package io.k8s4claw.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.GeneratedSecret;
import io.k8s4claw.api.runtime.PodContribution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Golden files under {@code src/test/resources/golden/}. Regenerate with
 * {@code ./mvnw -pl claw-runtime-adapters test -Dgolden.update=true} and review the diff before committing.
 */
public final class Golden {

    private static final Path ROOT = Paths.get("src/test/resources/golden");
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build())
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    private Golden() {
    }

    public static boolean updating() {
        return Boolean.getBoolean("golden.update");
    }

    /** Compares {@code actual} with the golden file, or rewrites it with {@code -Dgolden.update=true}. */
    public static void assertMatches(String relative, String actual) {
        Path file = ROOT.resolve(relative);
        try {
            if (updating()) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            assertThat(file).as("golden file %s missing; run with -Dgolden.update=true and review it", file).exists();
            assertThat(actual).as("rendered output differs from %s (regenerate with -Dgolden.update=true after reviewing)", file)
                    .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Golden files of a whole contribution: {@code <dir>/pod.yaml} plus one file per rendered config file. */
    public static void assertContribution(String dir, PodContribution pod) {
        assertMatches(dir + "/pod.yaml", yaml(pod));
        for (ConfigFile f : pod.configFiles()) {
            assertMatches(dir + "/files/" + f.key(), f.content());
        }
    }

    /** The contribution as YAML, in the order the operator consumes it (config file contents are separate files). */
    public static String yaml(PodContribution pod) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("terminationGracePeriodSeconds", pod.terminationGracePeriodSeconds());
        doc.put("podSecurityContext", pod.podSecurityContext());
        doc.put("initContainers", pod.initContainers());
        doc.put("runtimeContainer", pod.runtimeContainer());
        doc.put("volumes", pod.volumes());
        doc.put("dataMounts", pod.dataMounts());
        doc.put("configFiles", pod.configFiles().stream().map(f -> Map.of("key", f.key(), "mountPath", f.mountPath(),
                "format", f.format().name(), "secret", f.secret())).map(Golden::sorted).toList());
        doc.put("generatedSecrets", pod.generatedSecrets().stream().map(Golden::secret).toList());
        Map<String, Object> bridge = new LinkedHashMap<>();
        bridge.put("protocol", pod.bridgeTarget().protocol().map(Object::toString).orElse("none"));
        bridge.put("target", pod.bridgeTarget().getClass().getSimpleName());
        bridge.put("bridgeEnv", pod.bridgeTarget().bridgeEnv());
        doc.put("bridge", bridge);
        doc.put("exposedPorts", pod.exposedPorts());
        try {
            return YAML.writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> secret(GeneratedSecret s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nameSuffix", s.nameSuffix());
        m.put("purpose", s.purpose());
        m.put("keys", s.keys().stream().map(k -> Map.of("key", k.key(), "randomBytes", k.randomBytes(), "encoding", k.encoding().name()))
                .map(Golden::sorted).toList());
        return m;
    }

    private static Map<String, Object> sorted(Map<String, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.keySet().stream().sorted().forEach(k -> out.put(k, m.get(k)));
        return out;
    }

    public static List<String> lines(String s) {
        return s.lines().toList();
    }
}
