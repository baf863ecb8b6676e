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
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeMainTest {

    @TempDir
    Path dir;

    @Test
    void flagsOverrideDefaultsAndTheTokenNeverPrints() {
        BridgeCommandLine.Command parsed = BridgeCommandLine.parse(
                List.of(
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
                        "--allowed-uids=1000,1001"),
                Map.of("CLAW_BUS_WINDOW", "64", "CLAW_BRIDGE_RETRY_MAX", "5s"));
        BridgeConfig cfg = BridgeMain.config((BridgeCommandLine.Run) parsed, "");
        assertThat(cfg.busSocket()).isEqualTo(Path.of("/tmp/x.sock"));
        assertThat(cfg.channels()).containsExactly("slack-main", "telegram");
        assertThat(cfg.delivery().maxConcurrentRuns()).isEqualTo(4);
        assertThat(cfg.delivery().deadLetterAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(cfg.delivery().retryBase()).isEqualTo(Duration.ofMillis(100));
        assertThat(cfg.heartbeatIntervalMs()).isEqualTo(5000);
        assertThat(cfg.fsync()).isFalse();
        assertThat(cfg.allowedUids()).containsExactlyInAnyOrder(1000, 1001);
        // no flag: the environment's value, then the default
        assertThat(cfg.window()).isEqualTo(64);
        assertThat(cfg.delivery().retryMax()).isEqualTo(Duration.ofSeconds(5));
        assertThat(cfg.dedupeEntries()).isEqualTo(20_000);
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
        String help = BridgeCommandLine.usage(Map.of("CLAW_BUS_WINDOW", "64"));
        assertThat(help)
                .contains("Default: hermes-sse")
                .contains("--window")
                .contains("Default: 64")
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
        BridgeCommandLine.Run run =
                (BridgeCommandLine.Run) BridgeCommandLine.parse(List.of("--retry-max", "soon"), Map.of());
        Assertions.assertThatThrownBy(() -> BridgeMain.config(run, ""))
                .hasMessageContaining("--retry-max (CLAW_BRIDGE_RETRY_MAX): 'soon' is not a duration")
                .hasMessageContaining("60s");
    }

    @Test
    void aCommandLineThatCannotRunExitsWithCode2AndOneLineNamingTheProblem() {
        assertThat(exit(List.of("--no-such-flag", "1"), Map.of()))
                .isEqualTo("2 claw-ipc-bridge: unknown option or argument '--no-such-flag' (see --help)\n");
        assertThat(exit(List.of("--window"), Map.of())).isEqualTo("2 claw-ipc-bridge: --window needs a value\n");
        assertThat(exit(List.of(), Map.of("CLAW_BUS_WINDOW", "many")))
                .isEqualTo("2 claw-ipc-bridge: --window (CLAW_BUS_WINDOW): 'many' is not a whole number\n");
        assertThat(exit(List.of("--fsync=yes"), Map.of()))
                .isEqualTo("2 claw-ipc-bridge: --fsync (CLAW_BRIDGE_FSYNC): 'yes' is not true or false\n");
        assertThat(exit(List.of("--max-frame-bytes", "99999999999"), Map.of()))
                .isEqualTo(
                        "2 claw-ipc-bridge: --max-frame-bytes (CLAW_BUS_MAX_FRAME_BYTES): 99999999999 is too large\n");
        assertThat(exit(List.of("dead-letters", "replay"), Map.of()))
                .startsWith("2 claw-ipc-bridge: dead-letters replay: missing the dead letter's ID");
        assertThat(exit(List.of("dead-letters", "purge"), Map.of()))
                .startsWith("2 claw-ipc-bridge: dead-letters: unknown action");
        assertThat(exit(List.of("dead-letters", "list", "--url", "http://127.0.0.1:1"), Map.of()))
                .startsWith("1 claw-ipc-bridge: cannot reach the bridge's admin API at http://127.0.0.1:1");
    }

    @Test
    void helpAndVersionPrintAndExitZero() {
        assertThat(cli("--help")).contains("Usage: claw-ipc-bridge").contains("--shutdown-grace");
        assertThat(cli("dead-letters", "--help")).contains("dead-letters replay ID");
        assertThat(cli("-V")).isEqualTo("claw-ipc-bridge " + Bridge.VERSION + "\n");
    }

    /** The exit code and what went to standard error, for a command line that is not run. */
    private static String exit(List<String> args, Map<String, String> environment) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BridgeMain.run(args, environment, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        return code + " " + err.toString(StandardCharsets.UTF_8);
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code =
                BridgeMain.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).as("exit code of %s", String.join(" ", args)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
