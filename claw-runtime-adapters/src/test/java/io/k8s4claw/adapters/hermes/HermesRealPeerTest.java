package io.k8s4claw.adapters.hermes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8s4claw.adapters.Examples;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.testkit.hermes.RealHermes;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hermesclaw adapter's rendered pod against the real Hermes Agent (hermes-agent 0.19.0 from PyPI, installed
 * by the testkit): the rendered init script prepares {@code HERMES_HOME} and the managed scope, Hermes starts with
 * the rendered arguments and environment, and the rendered probes, key, managed scope, skills and config merge are
 * checked against what Hermes itself does.
 */
class HermesRealPeerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final String KEY = "6b1f0c4e9a2d7b3c8e5f1a0d4c7b2e9f6a3d8c1b5e0f7a2d9c4b6e1f3a8d0c5b";
    private static final String BASE = "http://127.0.0.1:" + HermesClawAdapter.API_PORT;

    private static FakeOpenAiServer model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startModel() {
        model = FakeOpenAiServer.start();
    }

    @AfterAll
    static void stopModel() {
        model.close();
    }

    /** The validation test's Claw with its model pointed at the fake model server, in Hermes's native keys. */
    private static Claw claw() {
        Claw claw = HermesValidationTest.validClaw();
        ObjectNode config = JSON.createObjectNode();
        config.putObject("model")
                .put("provider", "custom")
                .put("default", "echo-1")
                .put("base_url", model.baseUrl().toString())
                .put("api_key", "k8s4claw-fake-model-key")
                .put("context_length", 128000);
        config.putObject("auxiliary").putObject("title_generation").put("enabled", false);
        config.put("learningEnabled", true);
        claw.getSpec().setConfig(config);
        return claw;
    }

    @Test
    void renderedProbesPassAgainstHermesAndFailWhenItsApiServerIsDown() throws Exception {
        try (RenderedHermesPod pod = new RenderedHermesPod(claw(), tmp, KEY)) {
            RenderedHermesPod.Exec init = pod.init();
            assertThat(init.exitCode()).as(init.output()).isZero();
            RealHermes hermes = pod.start();

            assertThat(pod.probe(false).exitCode()).as("liveness while up").isZero();
            RenderedHermesPod.Exec ready = pod.probe(true);
            assertThat(ready.exitCode()).as(ready.output()).isZero();
            assertThat(ready.output()).contains("gateway check 'ok' (state 'running')");
            String text = "probe-test " + System.nanoTime();
            assertThat(runOutput(KEY, text)).isEqualTo("echo: " + text);

            hermes.stop();
            RenderedHermesPod.Exec live = pod.probe(false);
            assertThat(live.exitCode()).as(live.output()).isEqualTo(1);
            assertThat(live.output()).contains("Connection refused");
            assertThat(pod.probe(true).exitCode()).isEqualTo(1);
        }
    }

    @Test
    void theApiServerDoesNotStartWithoutItsKeyAndRefusesOtherKeys() throws Exception {
        try (RenderedHermesPod pod = new RenderedHermesPod(claw(), tmp, KEY)) {
            assertThat(pod.init().exitCode()).isZero();
            // the key lines the init script wrote into the managed scope would supply it: leave the scope out
            RealHermes keyless = pod.builder()
                    .env("API_SERVER_KEY", null)
                    .env("HERMES_MANAGED_DIR", null)
                    .build();
            pod.adopt(keyless);
            keyless.startGateway();
            assertThat(Files.readString(keyless.logFile())).contains("Refusing to start: API_SERVER_KEY is required");
            assertThat(pod.probe(false).exitCode())
                    .as("no API server, not live")
                    .isEqualTo(1);
            keyless.stop();

            RealHermes hermes = pod.start();
            assertThat(get("/health/detailed", KEY).statusCode()).isEqualTo(200);
            HttpResponse<String> wrong = get("/health/detailed", "f".repeat(64));
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(wrong.body()).path("error").path("code").asText())
                    .isEqualTo("invalid_api_key");
            assertThat(hermes.isRunning()).isTrue();
        }
    }

    @Test
    void aDotEnvLeftOnTheVolumeCannotOverrideWhatTheOperatorInjects() throws Exception {
        try (RenderedHermesPod pod = new RenderedHermesPod(claw(), tmp, KEY)) {
            String planted = "0".repeat(8) + "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6";
            Files.createDirectories(pod.home());
            Files.writeString(
                    pod.home().resolve(".env"),
                    "API_SERVER_KEY=" + planted + "\nAPI_SERVER_HOST=0.0.0.0\n"
                            + "API_SERVER_PORT=18649\nHERMES_YOLO_MODE=1\n");
            assertThat(pod.init().exitCode()).isZero();
            RealHermes hermes = pod.start();

            assertThat(get("/health/detailed", KEY).statusCode())
                    .as("the injected key works")
                    .isEqualTo(200);
            assertThat(get("/health/detailed", planted).statusCode())
                    .as("the planted key does not")
                    .isEqualTo(401);
            assertThat(listening(18649)).as("nothing on the planted port").isFalse();
            hermes.stop();

            // control: without the managed scope the volume's .env does beat the injected environment
            RealHermes unmanaged = pod.builder().env("HERMES_MANAGED_DIR", null).build();
            pod.adopt(unmanaged);
            unmanaged.startGateway();
            awaitTrue(
                    Duration.ofMinutes(1),
                    () -> listening(18649),
                    "Hermes listens on the port the volume's .env names");
            assertThat(listening(HermesClawAdapter.API_PORT))
                    .as("the injected port is not used")
                    .isFalse();
        }
    }

    @Test
    void operatorSkillsAreSeenByHermesAndNeverClobberTheAgentsOwn() throws Exception {
        Claw claw = claw();
        SkillSpec cite = new SkillSpec();
        cite.setName("cite-sources");
        cite.setInline("---\nname: cite-sources\ndescription: Cite a source for every claim (operator v1)\n---\n# Cite "
                + "sources\n");
        SkillSpec notes = new SkillSpec();
        notes.setName("meeting-notes");
        notes.setInline("---\nname: meeting-notes\ndescription: operator's meeting notes skill\n---\n# Notes\n");
        claw.getSpec().setSkills(List.of(cite, notes));
        try (RenderedHermesPod pod = new RenderedHermesPod(claw, tmp, KEY)) {
            // the agent already wrote a skill of the same name as one the operator ships
            Path agentsOwn = pod.home().resolve("skills/meeting-notes/SKILL.md");
            Files.createDirectories(agentsOwn.getParent());
            String agentText =
                    "---\nname: meeting-notes\ndescription: the agent's own meeting notes skill\n---\n# Mine\n";
            Files.writeString(agentsOwn, agentText);
            assertThat(pod.init().exitCode()).isZero();
            RealHermes hermes = pod.start();

            Map<String, String> seen = skills();
            assertThat(seen).containsEntry("cite-sources", "Cite a source for every claim (operator v1)");
            assertThat(seen).containsEntry("meeting-notes", "the agent's own meeting notes skill");
            assertThat(Files.readString(agentsOwn)).isEqualTo(agentText);

            // the agent then changes the skill the operator installed; a pod restart (init again) keeps its version
            Path installed = pod.home().resolve("skills/cite-sources/SKILL.md");
            String changed = Files.readString(installed).replace("operator v1", "improved by the agent");
            Files.writeString(installed, changed);
            hermes.stop();
            assertThat(pod.init().exitCode()).isZero();
            pod.start();
            assertThat(skills())
                    .containsEntry("cite-sources", "Cite a source for every claim (improved by the agent)")
                    .containsEntry("meeting-notes", "the agent's own meeting notes skill");
        }
    }

    @Test
    void managedSettingsSurviveHermesWritingItsOwnConfig() throws Exception {
        try (RenderedHermesPod pod = new RenderedHermesPod(claw(), tmp, KEY)) {
            assertThat(pod.init().exitCode()).isZero();
            RealHermes hermes = pod.start();
            Path config = pod.home().resolve("config.yaml");

            // Hermes's own config writer: a managed key is refused, another key is written into the volume's file
            RenderedHermesPod.Exec pinned = hermesCli(pod, "config", "set", "gateway.api_server.port", "9999");
            assertThat(pinned.exitCode()).as(pinned.output()).isNotZero();
            assertThat(pinned.output()).containsIgnoringCase("managed");
            RenderedHermesPod.Exec own = hermesCli(pod, "config", "set", "display.personality", "kawaii");
            assertThat(own.exitCode()).as(own.output()).isZero();
            assertThat(Files.readString(config)).contains("personality: kawaii");

            // pod restart: the init script merges the rendered config again; Hermes's own key stays, the API
            // server is where the managed scope pins it
            hermes.stop();
            assertThat(pod.init().exitCode()).isZero();
            String merged = Files.readString(config);
            assertThat(merged).contains("personality: kawaii").contains("base_url: " + model.baseUrl());
            pod.start();
            assertThat(get("/health/detailed", KEY).statusCode()).isEqualTo(200);
        }
    }

    private static RenderedHermesPod.Exec hermesCli(RenderedHermesPod pod, String... args) throws Exception {
        RealHermes h = pod.builder().build();
        List<String> command = h.installation().hermesCommand(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(pod.env(pod.pod().runtimeContainer()));
        pb.environment().put("HOME", pod.home().resolveSibling("user-home").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return new RenderedHermesPod.Exec(p.exitValue(), out);
    }

    /** name → description of every skill {@code GET /v1/skills} lists. */
    private static Map<String, String> skills() throws Exception {
        HttpResponse<String> r = get("/v1/skills", KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, String> out = new TreeMap<>();
        for (JsonNode s : JSON.readTree(r.body()).path("data")) {
            out.put(s.path("name").asText(), s.path("description").asText());
        }
        return out;
    }

    private static void awaitTrue(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static HttpResponse<String> get(String path, String key) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(BASE + path))
                        .header("Authorization", "Bearer " + key)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One run over /v1/runs: the {@code output} of its {@code run.completed} event. */
    private static String runOutput(String key, String text) throws Exception {
        HttpResponse<String> created = HTTP.send(
                HttpRequest.newBuilder(URI.create(BASE + "/v1/runs"))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.createObjectNode().put("input", text).toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String runId = JSON.readTree(created.body()).path("run_id").asText();
        HttpResponse<InputStream> events = HTTP.send(
                HttpRequest.newBuilder(URI.create(BASE + "/v1/runs/" + runId + "/events"))
                        .header("Authorization", "Bearer " + key)
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<JsonNode> seen = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    seen.add(JSON.readTree(line.substring(6)));
                }
            }
        }
        JsonNode last = seen.get(seen.size() - 1);
        assertThat(last.path("event").asText()).as(seen.toString()).isEqualTo("run.completed");
        return last.path("output").asText();
    }

    /** Platform tokens someone put into the LLM credentials Secret (envFrom) and onto the volume's .env. */
    private static final Map<String, String> CREDENTIALS_WITH_PLATFORM_TOKENS = Map.of(
            "SLACK_BOT_TOKEN", "xoxb-0000000000-0000000000000-planted", "SLACK_APP_TOKEN", "xapp-1-A000-0000-planted");

    /** Lines of Hermes's agent log that mention Slack, once the gateway logged that it runs. */
    private static List<String> slackLines(RealHermes hermes) throws Exception {
        Path log = hermes.home().resolve("logs/agent.log");
        awaitTrue(
                Duration.ofMinutes(1),
                () -> {
                    try {
                        return Files.exists(log) && Files.readString(log).contains("Gateway running with");
                    } catch (IOException e) {
                        return false;
                    }
                },
                "the gateway logs that it runs");
        return Files.readAllLines(log).stream()
                .filter(l -> l.toLowerCase().contains("slack"))
                .toList();
    }

    @Test
    void optionBKeepsEveryPlatformTokenOutOfHermesAndOptionAHandsThemOver() throws Exception {
        var example = Examples.load("hermes-assistant.yaml", "slack-team-channel.yaml");
        Claw withChannels = example.claw();
        withChannels.getSpec().setConfig(claw().getSpec().getConfig());
        try (RenderedHermesPod pod = new RenderedHermesPod(
                withChannels, Examples.channelsOf(withChannels, example.channels()), tmp.resolve("b"), KEY)) {
            Files.createDirectories(pod.home());
            Files.writeString(
                    pod.home().resolve(".env"),
                    "SLACK_BOT_TOKEN=xoxb-volume-planted\nSLACK_APP_TOKEN=xapp-volume-planted\n");
            assertThat(pod.init().exitCode()).isZero();
            RealHermes hermes = pod.builder(CREDENTIALS_WITH_PLATFORM_TOKENS).start();
            pod.adopt(hermes);
            assertThat(slackLines(hermes))
                    .as("Option B: Hermes never sees a Slack token")
                    .isEmpty();
        }

        // control, Option A (no channels): the same tokens reach Hermes, which tries to start its own Slack
        // platform (this venv lacks the slack extra, so it says so instead of connecting)
        try (RenderedHermesPod pod = new RenderedHermesPod(claw(), tmp.resolve("a"), KEY)) {
            assertThat(pod.init().exitCode()).isZero();
            RealHermes hermes = pod.builder(CREDENTIALS_WITH_PLATFORM_TOKENS).start();
            pod.adopt(hermes);
            assertThat(slackLines(hermes)).anySatisfy(l -> assertThat(l).contains("Platform 'slack' is registered"));
        }
    }

    @Test
    void aModelOnACustomEndpointGetsTheKeyFromTheCredentialsSecret() throws Exception {
        Claw claw = HermesValidationTest.validClaw();
        ObjectNode config = JSON.createObjectNode();
        // no api_key: the operator's credentials Secret holds it (OPENAI_API_KEY)
        config.putObject("model")
                .put("provider", "custom")
                .put("default", "echo-1")
                .put("base_url", model.baseUrl().toString())
                .put("context_length", 128000);
        config.putObject("auxiliary").putObject("title_generation").put("enabled", false);
        claw.getSpec().setConfig(config);
        String key = "sk-k8s4claw-" + System.nanoTime();
        try (RenderedHermesPod pod = new RenderedHermesPod(claw, tmp, KEY)) {
            assertThat(pod.init().exitCode()).isZero();
            assertThat(Files.readString(pod.home().resolve("config.yaml")))
                    .contains("api_key: ${OPENAI_API_KEY}")
                    .doesNotContain(key);
            pod.adopt(pod.builder(Map.of("OPENAI_API_KEY", key)).start());
            String text = "custom endpoint " + System.nanoTime();
            assertThat(runOutput(KEY, text)).isEqualTo("echo: " + text);
            assertThat(model.authorizationHeaders()).contains("Bearer " + key);
        }
    }
}
