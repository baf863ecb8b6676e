package io.k8s4claw.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Golden files under {@code src/test/resources/golden/}. Regenerate with
 * {@code ./mvnw -pl claw-runtime-adapters test -Dgolden.update=true}, review the diff, then run again without the flag.
 *
 * <p>Update mode writes the files and then fails, naming what it rewrote: a run that rewrote its expectations
 * has checked nothing, so it must never be green. It is refused when the {@code CI} environment variable is set
 * (the build refuses it up front too: the root pom's {@code refuse-golden-update-in-ci} profile).
 */
public final class Golden {

    private static final Path ROOT = Paths.get("src/test/resources/golden");
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .build())
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private Golden() {}

    /** Whether this run rewrites golden files ({@code -Dgolden.update=true}); throws under CI, where it is refused. */
    public static boolean updating() {
        if (!Boolean.getBoolean("golden.update")) {
            return false;
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("-Dgolden.update=true is refused when CI is set: golden files are reviewed "
                    + "changes, a CI run only checks them");
        }
        return true;
    }

    /** Compares {@code actual} with the golden file; with {@code -Dgolden.update=true} rewrites it and fails. */
    public static void assertMatches(String relative, String actual) {
        assertAllMatch(Map.of(relative, actual));
    }

    /**
     * Compares each file (relative path to expected content) with its golden file; in update mode writes them
     * all first, then fails listing each one as changed or unchanged.
     */
    private static void assertAllMatch(Map<String, String> files) {
        try {
            if (updating()) {
                List<String> written = new ArrayList<>();
                for (Map.Entry<String, String> e : files.entrySet()) {
                    Path file = ROOT.resolve(e.getKey());
                    boolean changed = !Files.exists(file)
                            || !Files.readString(file, StandardCharsets.UTF_8).equals(e.getValue());
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
                    written.add(file + (changed ? " (changed)" : " (unchanged)"));
                }
                throw new AssertionError("golden.update rewrote " + String.join(", ", written)
                        + ". An update run checks nothing: review the diff with git, then re-run without "
                        + "-Dgolden.update");
            }
            for (Map.Entry<String, String> e : files.entrySet()) {
                Path file = ROOT.resolve(e.getKey());
                assertThat(file)
                        .as("golden file %s missing; run with -Dgolden.update=true and review it", file)
                        .exists();
                assertThat(e.getValue())
                        .as(
                                "rendered output differs from %s (regenerate with -Dgolden.update=true after "
                                        + "reviewing)",
                                file)
                        .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Golden files of a whole contribution: {@code <dir>/pod.yaml} plus one file per rendered config file. */
    public static void assertContribution(String dir, PodContribution pod) {
        // all of them in one call, so that update mode writes every file of the contribution before it fails
        Map<String, String> files = new LinkedHashMap<>();
        files.put(dir + "/pod.yaml", yaml(pod));
        for (ConfigFile f : pod.configFiles()) {
            files.put(dir + "/files/" + f.key(), f.content());
        }
        assertAllMatch(files);
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
        doc.put(
                "configFiles",
                pod.configFiles().stream()
                        .map(f -> Map.of(
                                "key",
                                f.key(),
                                "mountPath",
                                f.mountPath(),
                                "format",
                                f.format().name(),
                                "secret",
                                f.secret()))
                        .map(Golden::sorted)
                        .toList());
        doc.put(
                "generatedSecrets",
                pod.generatedSecrets().stream().map(Golden::secret).toList());
        Map<String, Object> bridge = new LinkedHashMap<>();
        bridge.put(
                "protocol", pod.bridgeTarget().protocol().map(Object::toString).orElse("none"));
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
        m.put(
                "keys",
                s.keys().stream()
                        .map(k -> Map.of(
                                "key",
                                k.key(),
                                "randomBytes",
                                k.randomBytes(),
                                "encoding",
                                k.encoding().name()))
                        .map(Golden::sorted)
                        .toList());
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
