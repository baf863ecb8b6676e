package io.k8s4claw.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.bridge.testing.ScriptedConnector;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.testing.TestSidecar;
import io.k8s4claw.bridge.wal.FileStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BridgeMainTest {

    @TempDir
    Path dir;

    @Test
    void flagsOverrideDefaultsAndTheTokenNeverPrints() {
        BridgeMain main = new BridgeMain();
        new CommandLine(main)
                .parseArgs(
                        "--bus-socket",
                        "/tmp/x.sock",
                        "--channels",
                        "slack-main, telegram",
                        "--max-concurrent-runs",
                        "4",
                        "--dead-letter-after",
                        "90s",
                        "--retry-base",
                        "100ms",
                        "--heartbeat-interval",
                        "PT5S",
                        "--fsync",
                        "false",
                        "--allowed-uids",
                        "1000,1001");
        BridgeConfig cfg = main.config();
        assertThat(cfg.busSocket()).isEqualTo(Path.of("/tmp/x.sock"));
        assertThat(cfg.channels()).containsExactly("slack-main", "telegram");
        assertThat(cfg.delivery().maxConcurrentRuns()).isEqualTo(4);
        assertThat(cfg.delivery().deadLetterAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(cfg.delivery().retryBase()).isEqualTo(Duration.ofMillis(100));
        assertThat(cfg.heartbeatIntervalMs()).isEqualTo(5000);
        assertThat(cfg.fsync()).isFalse();
        assertThat(cfg.allowedUids()).containsExactlyInAnyOrder(1000, 1001);
        BridgeConfig withToken = new BridgeConfig(
                cfg.busSocket(),
                0,
                cfg.dataDir(),
                0,
                "hermes-sse",
                cfg.runtimeUrl(),
                "super-secret-token-value",
                cfg.channels(),
                cfg.allowedUids(),
                cfg.delivery(),
                true,
                1,
                1,
                1,
                1,
                1,
                1,
                1,
                Duration.ZERO);
        assertThat(withToken.toString()).doesNotContain("super-secret").contains("runtimeToken=<redacted>");
    }

    @Test
    void helpShowsEveryDefaultAndTheTokenVariable() {
        String help = new CommandLine(new BridgeMain()).getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertThat(help)
                .contains("Default: hermes-sse")
                .contains("Default: 10000")
                .contains("Default: 250ms")
                .contains("CLAW_RUNTIME_TOKEN")
                .contains("16 characters at least")
                .contains("BRIDGE-READY");
    }

    @Test
    void aTokenHermesCannotAcceptIsWarnedAboutByLengthOnly() {
        assertThat(BridgeMain.runtimeTokenWarning("hermes-sse", "abc123"))
                .hasValueSatisfying(w ->
                        assertThat(w).contains("6 characters").contains("16").doesNotContain("abc123"));
        assertThat(BridgeMain.runtimeTokenWarning("hermes-relay", "0123456789abcdef"))
                .isEmpty();
        assertThat(BridgeMain.runtimeTokenWarning("openclaw-gateway", "short")).isEmpty();
        assertThat(BridgeMain.runtimeTokenWarning("hermes-sse", "")).isEmpty();
    }

    @Test
    void badDurationsSayWhatIsExpected() {
        BridgeMain main = new BridgeMain();
        new CommandLine(main).parseArgs("--retry-max", "soon");
        Assertions.assertThatThrownBy(main::config)
                .hasMessageContaining("'soon' is not a duration")
                .hasMessageContaining("60s");
    }

    @Test
    void readinessFollowsTheRuntimeAndTheCliListsAndReplaysDeadLetters() throws Exception {
        ScriptedConnector runtime = new ScriptedConnector();
        runtime.script(m -> ScriptedConnector.Action.PERMANENT);
        try (Bridge bridge = Bridge.start(TestConfigs.config(dir), runtime, FileStore.DEFAULT);
                TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            URI base = URI.create("http://127.0.0.1:" + bridge.httpPort());
            HttpClient http = HttpClient.newHttpClient();
            assertThat(get(http, base, "/readyz").statusCode()).isEqualTo(200);
            runtime.state = RuntimeHealth.State.DOWN;
            HttpResponse<String> notReady = get(http, base, "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("runtime: DOWN").contains("bus: listening");
            assertThat(get(http, base, "/healthz").statusCode()).isEqualTo(200);

            s.hello("ch", 0);
            s.sendMessage("m1", "C1", "refused by the runtime");
            s.await(Frame::hasNack, Duration.ofSeconds(10));

            String listed = cli("dead-letters", "list", "--url", base.toString());
            String id = InboundMessage.idempotencyKeyFor("ch", "m1");
            assertThat(listed).contains(id).contains("runtime_rejected");
            runtime.script(m -> ScriptedConnector.Action.ACCEPT_AND_ECHO);
            assertThat(cli("dead-letters", "replay", id, "--url", base.toString()))
                    .contains("\"replayed\":true");
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.callsFor("m1") == 2);
            assertThat(s.await(f -> f.hasReply() && f.getReply().hasFinal(), Duration.ofSeconds(10))
                            .getReply()
                            .getFinal()
                            .getText())
                    .isEqualTo("echo: refused by the runtime");
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cli(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new BridgeMain()).execute(args);
            assertThat(code).as("exit code of %s", String.join(" ", args)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
