package io.k8s4claw.adapters.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.k8s4claw.adapters.Examples;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import io.k8s4claw.testkit.openclaw.OpenClawGateway;
import io.k8s4claw.testkit.openclaw.OpenClawInstallation;
import io.k8s4claw.testkit.openclaw.OpenClawInstaller;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rendered {@code openclaw.json} is accepted by the real gateway: openclaw@2026.9.6 on Node 24, installed from
 * the npm registry by claw-testkit (its docs/openclaw-and-relay-peers.md; cached in {@code ~/.cache/k8s4claw/openclaw},
 * relocatable with {@code $K8S4CLAW_OPENCLAW_CACHE}). Its schema is strict, so an unknown key or wrong type would stop
 * the gateway with exit code 78 before {@code /startupz} answers {@code started}. The pod's environment is applied as
 * rendered (config read-only from {@code OPENCLAW_CONFIG_PATH}, state dir, embedding preset); only paths are moved into
 * a temporary directory. The rendered exec probe script is run against the live gateway too.
 *
 * <p>Runs in the default build. When npm cannot install the packages the test fails with the installer's message.
 */
class OpenClawRealGatewayTest {

    private static OpenClawInstallation installation;

    /**
     * Not under /tmp: the adapter (rightly) refuses data mount paths inside the /tmp it mounts itself. Under
     * target/ normally; under /var/tmp when the checkout itself lives below /tmp (as CI clones may).
     */
    private Path tmp;

    @BeforeEach
    void workDir() throws IOException {
        Path base = Path.of("target", "openclaw-it").toAbsolutePath();
        if (base.startsWith("/tmp")) {
            base = Path.of("/var/tmp", "k8s4claw-openclaw-it");
        }
        tmp = Files.createTempDirectory(Files.createDirectories(base), "run-");
    }

    @BeforeAll
    static void install() {
        try {
            installation = OpenClawInstaller.ensureInstalled();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "The OpenClaw integration test needs Node 24 and openclaw@" + OpenClawInstaller.OPENCLAW_VERSION
                            + " from the npm registry (npm on PATH, or $" + OpenClawInstaller.NPM_ENV
                            + "); installing failed: " + e.getMessage(),
                    e);
        }
    }

    /** The example's Claw with its volumes mounted under {@code tmp} (so the rendered paths exist here). */
    private Claw withLocalPaths(Claw claw) {
        PersistenceSpec p =
                claw.getSpec().getPersistence() != null ? claw.getSpec().getPersistence() : new PersistenceSpec();
        p.setSession(at(p.getSession(), tmp.resolve("state")));
        p.setWorkspace(at(p.getWorkspace(), tmp.resolve("workspace")));
        claw.getSpec().setPersistence(p);
        return claw;
    }

    private static VolumeSpec at(VolumeSpec v, Path path) {
        VolumeSpec out = v != null ? v : new VolumeSpec();
        out.setMountPath(path.toString());
        return out;
    }

    private OpenClawGateway start(PodContribution pod, String configJson) throws Exception {
        return start(pod, configJson, configJson);
    }

    /**
     * Starts the gateway with the pod's environment: it reads {@code configJson} from {@code OPENCLAW_CONFIG_PATH}
     * (read-only, as the ConfigMap mount); {@code launcherCopy} is what the launcher writes to its default location.
     */
    private OpenClawGateway start(PodContribution pod, String configJson, String launcherCopy) throws Exception {
        Path configDir = Files.createDirectories(tmp.resolve("config"));
        Path config = configDir.resolve("openclaw.json");
        Files.writeString(config, configJson);
        assertThat(config.toFile().setReadOnly()).isTrue();
        Path home = Files.createDirectories(tmp.resolve("home"));
        OpenClawGateway.Builder gateway = OpenClawGateway.builder()
                .installation(installation)
                .stateHome(home)
                .config(launcherCopy)
                .token(HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(32)))
                .startupTimeout(Duration.ofMinutes(3));
        for (EnvVar e : pod.runtimeContainer().getEnv()) {
            if (e.getValue() == null || e.getName().equals("HOME")) {
                continue; // secrets come from the launcher (token) or are absent (model keys)
            }
            String value = switch (e.getName()) {
                case "OPENCLAW_CONFIG_PATH" -> config.toString();
                default -> e.getValue();
            };
            gateway.env(e.getName(), value);
        }
        return gateway.start();
    }

    private String rewriteSkillsDir(PodContribution pod, String json) throws Exception {
        Path skills = Files.createDirectories(tmp.resolve("skills"));
        for (ConfigFile f : pod.configFiles()) {
            if (f.mountPath().startsWith(OpenClawAdapter.SKILLS_DIR + "/")) {
                Path target = skills.resolve(f.mountPath().substring(OpenClawAdapter.SKILLS_DIR.length() + 1));
                Files.createDirectories(target.getParent());
                Files.writeString(target, f.content());
            }
        }
        return json.replace("\"" + OpenClawAdapter.SKILLS_DIR + "\"", "\"" + skills + "\"");
    }

    private int probe(PodContribution pod, String mode, int port) throws Exception {
        Path script = tmp.resolve("probe.mjs");
        Files.writeString(
                script,
                pod.configFiles().stream()
                        .filter(f -> f.key().equals("probe.mjs"))
                        .findFirst()
                        .orElseThrow()
                        .content());
        ProcessBuilder pb = new ProcessBuilder(installation.nodeBinary().toString(), script.toString(), mode)
                .redirectErrorStream(true);
        pb.environment().put("OPENCLAW_GATEWAY_PORT", Integer.toString(port));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        System.out.println(out);
        return p.exitValue();
    }

    private static String configOf(PodContribution pod) {
        return pod.configFiles().stream()
                .filter(f -> f.key().equals("openclaw.json"))
                .findFirst()
                .orElseThrow()
                .content();
    }

    @Test
    void theIngressExampleStartsAndItsProbesPass() throws Exception {
        Examples.Loaded loaded = Examples.load("openclaw-ankra-stack.yaml");
        Claw claw = withLocalPaths(loaded.claw());
        OpenClawAdapter adapter = new OpenClawAdapter();
        assertThat(adapter.validateCreate(claw)).isEmpty();
        PodContribution pod = adapter.render(RenderContext.of(claw, List.of()));
        assertThat(configOf(pod)).contains("\"bind\": \"lan\"");

        // the launcher binds 127.0.0.1 (--bind loopback overrides the config's lan: no listener off loopback here)
        try (OpenClawGateway gateway = start(pod, configOf(pod))) {
            assertThat(gateway.isRunning()).isTrue();
            assertThat(probe(pod, "startup", gateway.port())).isZero();
            assertThat(probe(pod, "live", gateway.port())).isZero();
            assertThat(probe(pod, "ready", gateway.port())).isZero();
            assertThat(Files.readString(gateway.logFile())).doesNotContain("Invalid config");
        }
    }

    @Test
    void theLocalModelExampleWithSkillsStartsAgainstAFakeModelServer() throws Exception {
        Examples.Loaded loaded = Examples.load("openclaw-local-model.yaml", "slack-team-channel.yaml");
        Claw claw = withLocalPaths(loaded.claw());
        OpenClawAdapter adapter = new OpenClawAdapter();
        assertThat(adapter.validateCreate(claw)).isEmpty();
        try (FakeOpenAiServer models = FakeOpenAiServer.start()) {
            PodContribution pod = adapter.render(RenderContext.of(claw, Examples.channelsOf(claw, loaded.channels())));
            String json = rewriteSkillsDir(pod, configOf(pod))
                    .replace(
                            "http://vllm.models.svc.cluster.local:8000/v1",
                            models.baseUrl().toString());
            try (OpenClawGateway gateway = start(pod, json)) {
                assertThat(gateway.isRunning()).isTrue();
                assertThat(probe(pod, "startup", gateway.port())).isZero();
                // the provider and model rendered from spec.config carry a real turn to the model server
                JsonNode fin = chatTurn(gateway, "k8s4claw adapter ping");
                assertThat(fin.path("payload").path("state").asText())
                        .as(fin.toString())
                        .isEqualTo("final");
                assertThat(fin.path("payload")
                                .path("message")
                                .path("content")
                                .get(0)
                                .path("text")
                                .asText())
                        .isEqualTo("echo: k8s4claw adapter ping");
                assertThat(models.agentTurnsFor("k8s4claw adapter ping")).isEqualTo(1);
                assertThat(models.requests())
                        .as("the configured model id reaches the server")
                        .anyMatch(r -> "qwen3-32b".equals(r.model()));
            }
        }
    }

    /** Proves the acceptance above means something: the gateway reads the rendered file and rejects unknown keys. */
    @Test
    void theGatewayRejectsAnUnknownKeyInTheRenderedFile() throws Exception {
        Claw claw = withLocalPaths(Examples.load("openclaw-ankra-stack.yaml").claw());
        PodContribution pod = new OpenClawAdapter().render(RenderContext.of(claw, List.of()));
        String valid = configOf(pod);
        String invalid = valid.replaceFirst("\\{", "{\n  \"notAnOpenClawKey\": true,");
        Assertions.assertThatThrownBy(() -> start(pod, invalid, valid).close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining(
                        "Invalid config at " + tmp.resolve("config").resolve("openclaw.json"));
    }

    /**
     * One turn over the gateway protocol v4 as the bridge does it (claw-ipc-bridge docs/runtime-openclaw.md): connect,
     * chat.send, final.
     */
    private static JsonNode chatTurn(OpenClawGateway gateway, String text) throws Exception {
        BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        ObjectMapper json = new ObjectMapper();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(gateway.url(), new WebSocket.Listener() {
                    final StringBuilder buf = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        buf.append(data);
                        if (last) {
                            try {
                                frames.add(json.readTree(buf.toString()));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            buf.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        try {
            next(frames, f -> "connect.challenge".equals(f.path("event").asText()));
            ws.sendText(json.writeValueAsString(json.readTree("""
                    {"type":"req","id":"c-1","method":"connect","params":{"minProtocol":4,"maxProtocol":4,
                     "client":{"id":"gateway-client","version":"0.1.0","platform":"linux","mode":"backend"},
                     "role":"operator","scopes":["operator.read","operator.write"],"caps":[],\
                    "auth":{"token":"TOKEN"}}}""")).replace("TOKEN", gateway.token()), true)
                    .join();
            JsonNode hello = next(frames, f -> "c-1".equals(f.path("id").asText()));
            assertThat(hello.path("ok").asBoolean()).as(hello.toString()).isTrue();
            ws.sendText("""
                    {"type":"req","id":"r-1","method":"chat.send",\
                    "params":{"sessionKey":"agent:main:slack:channel:c0adapters",
                     "message":"%s","idempotencyKey":"adapters-1","queueMode":"followup",\
                    "timeoutMs":120000}}""".formatted(text), true).join();
            JsonNode ack = next(frames, f -> "r-1".equals(f.path("id").asText()));
            assertThat(ack.path("ok").asBoolean()).as(ack.toString()).isTrue();
            return next(
                    frames,
                    f -> "chat".equals(f.path("event").asText())
                            && "adapters-1"
                                    .equals(f.path("payload").path("runId").asText())
                            && f.path("payload").path("state").asText().matches("final|error|aborted"));
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    private static JsonNode next(BlockingQueue<JsonNode> frames, Predicate<JsonNode> match)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode f = frames.poll(1, TimeUnit.SECONDS);
            if (f != null && match.test(f)) {
                return f;
            }
        }
        throw new AssertionError("no matching frame from the gateway within 90 s");
    }

    @Test
    void aProbeOnAPortWithoutTheGatewayFails() throws Exception {
        PodContribution pod = new OpenClawAdapter()
                .render(RenderContext.of(
                        withLocalPaths(
                                Examples.load("openclaw-ankra-stack.yaml").claw()),
                        List.of()));
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int unused = socket.getLocalPort();
            socket.close();
            assertThat(probe(pod, "live", unused)).isEqualTo(1);
        }
    }
}
