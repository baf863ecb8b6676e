package io.k8s4claw.adapters.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TOML writer's output is read back by a real TOML 1.0 parser (Python's tomllib) and must equal the input. */
class TomlWriterTest {

    @TempDir
    Path tmp;

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> parseWithTomllib(String toml) throws Exception {
        Path file = tmp.resolve("in.toml");
        Files.writeString(file, toml);
        Process p = new ProcessBuilder(
                        "python3",
                        "-c",
                        "import json,sys,tomllib; print(json.dumps(tomllib.load(open(sys.argv[1],'rb'))))",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("tomllib rejected:\n%s\n%s", toml, out).isZero();
        return new ObjectMapper().readValue(out, LinkedHashMap.class);
    }

    @Test
    void nestedTablesArraysOfTablesAndEscapesRoundTrip() throws Exception {
        Map<String, Object> tree = map(
                "workspace_dir",
                "/zeroclaw-data/workspace",
                "default_temperature",
                0.4,
                "max",
                12,
                "flag",
                true,
                "quote",
                "say \"hi\"\\ \n\ttab \u0001",
                "list",
                List.of("a", "b"),
                "inline",
                List.of(map("x", 1), "not a table"),
                "gateway",
                map("port", 42617, "host", "[::]", "tls", map("enabled", false)),
                "only",
                map("sub", map("deep", "value")),
                "weird key",
                map("dotted.key", 1),
                "channels",
                List.of(map("name", "a", "opts", map("x", 1)), map("name", "b")),
                "dropped",
                null);

        String toml = TomlWriter.write(tree);
        Map<String, Object> parsed = parseWithTomllib(toml);

        Map<String, Object> expected = new LinkedHashMap<>(tree);
        expected.remove("dropped");
        JsonNode actualTree = new ObjectMapper().valueToTree(parsed);
        JsonNode expectedTree = new ObjectMapper().valueToTree(expected);
        assertThat(actualTree).isEqualTo(expectedTree);
        assertThat(toml)
                .startsWith("workspace_dir = \"/zeroclaw-data/workspace\"\n")
                .contains("[gateway]\n", "[[channels]]\n", "[\"weird key\"]\n");
    }

    @Test
    void nullsInsideArraysCannotBeWritten() {
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> TomlWriter.write(map("a", map("b", withNull)))).hasMessageContaining("a.b");
    }
}
