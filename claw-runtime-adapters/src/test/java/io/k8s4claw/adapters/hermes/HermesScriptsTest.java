package io.k8s4claw.adapters.hermes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.k8s4claw.adapters.support.Scripts;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ConfigMergeMode;
import io.k8s4claw.api.v1alpha1.SecuritySpec;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs the scripts the Hermes adapter ships ({@code init.sh}, {@code merge_config.py}, {@code probe.py}) for real,
 * with the machine's {@code sh} and {@code python3} (+ PyYAML, which Hermes's own venv has), against a directory
 * layout like the pod's and against the Hermes API emulator of claw-testkit (its docs/hermes-api-emulator.md).
 */
class HermesScriptsTest {

    private static final String KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    private Path configDir;
    private Path home;
    private Path managed;
    private Path skillsSrc;

    private PodContribution render(Claw claw) {
        return new HermesClawAdapter().render(RenderContext.of(claw, List.of()));
    }

    private void layout(PodContribution pod, Map<String, String> skills) throws IOException {
        configDir = Files.createDirectories(tmp.resolve("config"));
        home = Files.createDirectories(tmp.resolve("data/memory"));
        managed = tmp.resolve("managed");
        skillsSrc = Files.createDirectories(tmp.resolve("skills-src"));
        for (ConfigFile f : pod.configFiles()) {
            Files.writeString(configDir.resolve(f.key()), f.content());
        }
        for (var e : skills.entrySet()) {
            Files.createDirectories(skillsSrc.resolve(e.getKey()));
            Files.writeString(skillsSrc.resolve(e.getKey()).resolve("SKILL.md"), e.getValue());
        }
    }

    private Result init(String mode, String apiKey) throws Exception {
        return init(mode, apiKey, List.of());
    }

    /** Runs init.sh, optionally behind a command prefix (e.g. setpriv to run as UID 10000). */
    private Result init(String mode, String apiKey, List<String> prefix) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("sh", configDir.resolve("init.sh").toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("HERMES_HOME", home.toString());
        env.put("HERMES_MANAGED_DIR", managed.toString());
        env.put("CLAW_CONFIG_DIR", configDir.toString());
        env.put("CLAW_MERGE_MODE", mode);
        env.put("CLAW_PYTHON", "python3");
        env.put("CLAW_HERMES_UID", "10000");
        env.put("CLAW_SKILLS_SRC", skillsSrc.toString());
        env.put("CLAW_SKILLS_DIR", home.resolve("skills").toString());
        if (apiKey != null) {
            env.put("API_SERVER_KEY", apiKey);
        }
        return run(pb);
    }

    record Result(int exitCode, String output) {}

    private static Result run(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readYaml(Path file) throws IOException {
        return YAML.readValue(file.toFile(), LinkedHashMap.class);
    }

    private static Claw claw(ConfigMergeMode mode) {
        Claw claw = HermesValidationTest.validClaw();
        claw.getSpec().setConfigMergeMode(mode);
        return claw;
    }

    @ParameterizedTest
    @EnumSource(ConfigMergeMode.class)
    void theVolumesConfigIsMergedExactlyAsMergeModeDefines(ConfigMergeMode specMode) throws Exception {
        PodContribution pod = render(claw(specMode));
        layout(pod, Map.of());
        String agentWritten = """
                _config_version: 7
                model:
                  default: old-model
                  provider: openrouter
                toolsets: [web, terminal, browser]
                memory:
                  memory_enabled: false
                display:
                  skin: ares
                """;
        Files.writeString(home.resolve("config.yaml"), agentWritten);

        Result r = init(MergeMode.of(specMode).specValue(), KEY);

        assertThat(r.exitCode()).as(r.output()).isZero();
        Map<String, Object> expected = MergeMode.of(specMode)
                .merge(YAML.readValue(agentWritten, LinkedHashMap.class), readYaml(configDir.resolve("config.yaml")));
        assertThat(readYaml(home.resolve("config.yaml"))).isEqualTo(expected);
        if (specMode == ConfigMergeMode.DEEP_MERGE) {
            assertThat(readYaml(home.resolve("config.yaml")))
                    .containsEntry("_config_version", 7)
                    .containsEntry("toolsets", List.of("web", "terminal", "browser"))
                    .containsEntry("display", Map.of("skin", "ares"));
            assertThat((Map<String, Object>)
                            readYaml(home.resolve("config.yaml")).get("model"))
                    .containsEntry("default", "nous-hermes-3")
                    .containsEntry("provider", "openrouter");
        }
    }

    @Test
    void managedScopeHoldsThePinnedValuesAndTheKeyWithoutPrintingIt() throws Exception {
        layout(render(HermesValidationTest.validClaw()), Map.of());

        Result r = init("DeepMerge", KEY);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain(KEY);
        String env = Files.readString(managed.resolve(".env"));
        assertThat(env)
                .contains(
                        "API_SERVER_HOST=127.0.0.1\n",
                        "API_SERVER_PORT=8642\n",
                        "API_SERVER_KEY=" + KEY + "\n",
                        "GATEWAY_RELAY_URL=\n");
        assertThat(Files.getPosixFilePermissions(managed.resolve(".env")))
                .containsExactly(PosixFilePermission.OWNER_READ);
        assertThat(readYaml(managed.resolve("config.yaml")))
                .isEqualTo(readYaml(configDir.resolve("managed-config.yaml")));
        assertThat(Files.exists(home.resolve("config.yaml")))
                .as("a fresh volume is seeded")
                .isTrue();
    }

    @Test
    void aMissingOrShortKeyStopsThePodWithAClearMessage() throws Exception {
        layout(render(HermesValidationTest.validClaw()), Map.of());
        Result missing = init("DeepMerge", null);
        assertThat(missing.exitCode()).isEqualTo(78);
        assertThat(missing.output()).contains("API_SERVER_KEY is empty");
        Result shortKey = init("DeepMerge", "abc");
        assertThat(shortKey.exitCode()).isEqualTo(78);
        assertThat(shortKey.output()).contains("shorter than 16").doesNotContain("=abc");
    }

    @Test
    void anInvalidConfigOnTheVolumeIsKeptAsideAndReplaced() throws Exception {
        layout(render(HermesValidationTest.validClaw()), Map.of());
        Files.writeString(home.resolve("config.yaml"), "model: [unclosed\n");

        Result r = init("DeepMerge", KEY);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(Files.readString(home.resolve("config.yaml.invalid"))).isEqualTo("model: [unclosed\n");
        assertThat(readYaml(home.resolve("config.yaml"))).isEqualTo(readYaml(configDir.resolve("config.yaml")));
    }

    @Test
    void skillsAreInstalledUpdatedWhileUntouchedAndNeverClobbered() throws Exception {
        Claw claw = HermesValidationTest.validClaw();
        SkillSpec deploy = new SkillSpec();
        deploy.setName("deploy");
        deploy.setInline("# deploy v1\n");
        claw.getSpec().setSkills(List.of(deploy));
        layout(
                render(claw),
                Map.of("deploy", "# deploy v1\n", "agent-notes", "# from the spec\n", "edited", "# edited v1\n"));
        Path skills = Files.createDirectories(home.resolve("skills"));
        Files.createDirectories(skills.resolve("agent-notes"));
        Files.writeString(skills.resolve("agent-notes/SKILL.md"), "# written by the agent\n");

        Result first = init("DeepMerge", KEY);
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(Files.readString(skills.resolve("deploy/SKILL.md"))).isEqualTo("# deploy v1\n");
        assertThat(Files.readString(skills.resolve("edited/SKILL.md"))).isEqualTo("# edited v1\n");
        assertThat(Files.readString(skills.resolve("agent-notes/SKILL.md")))
                .as("agent's skill of the same name")
                .isEqualTo("# written by the agent\n");
        assertThat(first.output()).contains("skill agent-notes: ", "not installed by k8s4claw");

        // the spec changes two skills; the agent has meanwhile edited one of them
        Files.writeString(skillsSrc.resolve("deploy/SKILL.md"), "# deploy v2\n");
        Files.writeString(skillsSrc.resolve("edited/SKILL.md"), "# edited v2\n");
        Files.writeString(skills.resolve("edited/SKILL.md"), "# edited by the agent\n");
        Result second = init("DeepMerge", KEY);

        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(Files.readString(skills.resolve("deploy/SKILL.md"))).isEqualTo("# deploy v2\n");
        assertThat(Files.readString(skills.resolve("edited/SKILL.md"))).isEqualTo("# edited by the agent\n");
        assertThat(second.output()).contains("skill deploy: updated", "skill edited: changed by the agent");
        assertThat(init("DeepMerge", KEY).output()).contains("skill deploy: up to date");
    }

    @Test
    void rootlessTheInitContainerRunsAsUid10000WithoutChown() throws Exception {
        Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to switch to UID 10000");
        Claw claw = HermesValidationTest.validClaw();
        SecuritySpec security = new SecuritySpec();
        security.setRootless(true);
        claw.getSpec().setSecurity(security);
        layout(render(claw), Map.of("deploy", "# deploy\n"));
        // what fsGroup 10000 gives the pod's volumes: group 10000 may write
        try (var paths = Files.walk(tmp)) {
            for (Path p : paths.toList()) {
                Files.setAttribute(p, "unix:gid", 10000);
                p.toFile().setWritable(true, false);
                p.toFile().setReadable(true, false);
                p.toFile().setExecutable(true, false);
            }
        }

        Result r = init("DeepMerge", KEY, List.of("setpriv", "--reuid=10000", "--regid=10000", "--clear-groups"));

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(Files.getAttribute(managed.resolve(".env"), "unix:uid")).isEqualTo(10000);
        assertThat(Files.getAttribute(home.resolve("config.yaml"), "unix:uid")).isEqualTo(10000);
        assertThat(Files.readString(home.resolve("skills/deploy/SKILL.md"))).isEqualTo("# deploy\n");
    }

    // --- probe.py ---------------------------------------------------------------------------------------

    private Result probe(String mode, int port, String key) throws Exception {
        Path script = tmp.resolve("probe.py");
        Files.writeString(script, Scripts.load(HermesClawAdapter.class, "probe.py"));
        ProcessBuilder pb = new ProcessBuilder("python3", "-I", script.toString(), mode).redirectErrorStream(true);
        pb.environment().put("API_SERVER_PORT", Integer.toString(port));
        pb.environment().put("API_SERVER_KEY", key);
        return run(pb);
    }

    @Test
    void probesReadTheHealthBodiesOfTheApiServer() throws Exception {
        try (HermesApiEmulator hermes = HermesApiEmulator.builder().apiKey(KEY).start()) {
            assertThat(probe("live", hermes.port(), KEY).exitCode()).isZero();
            Result ready = probe("ready", hermes.port(), KEY);
            assertThat(ready.exitCode()).as(ready.output()).isZero();
            assertThat(ready.output()).doesNotContain(KEY);

            assertThat(probe("ready", hermes.port(), "wrong-key-wrong-key").exitCode())
                    .as("401 is not ready")
                    .isEqualTo(1);
            hermes.draining(true);
            assertThat(probe("ready", hermes.port(), KEY).exitCode())
                    .as("a draining gateway is not ready")
                    .isEqualTo(1);
            assertThat(probe("live", hermes.port(), KEY).exitCode())
                    .as("but it is alive")
                    .isZero();
            hermes.down();
            assertThat(probe("live", hermes.port(), KEY).exitCode()).isEqualTo(1);
        }
    }

    @Test
    void aCatchAll200IsNotHealth() throws Exception {
        try (MockWebServer catchAll = new MockWebServer()) {
            catchAll.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return new MockResponse()
                            .setResponseCode(200)
                            .setBody(
                                    request.getPath().contains("detailed")
                                            ? "{\"status\":\"ok\"}"
                                            : "<html>control ui</html>");
                }
            });
            catchAll.start(InetAddress.getByName("127.0.0.1"), 0);
            assertThat(probe("live", catchAll.getPort(), KEY).exitCode()).isEqualTo(1);
            assertThat(probe("ready", catchAll.getPort(), KEY).exitCode()).isEqualTo(1);
        }
    }
}
