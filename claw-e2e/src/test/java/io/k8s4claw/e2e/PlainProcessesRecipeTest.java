package io.k8s4claw.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge README's recipe for running the bridge and the webhook channel as plain processes, kept true: the
 * block after its {@code PlainProcessesRecipeTest} marker is run exactly as written, by bash from the repository
 * root, with the Hermes API emulator as the Hermes it names, and must print the bridge's readiness, the webhook's
 * 202 and the agent's reply (issue #20). The jars are those the README's build line makes; in a reactor build
 * the two modules are packaged before this one's tests.
 */
class PlainProcessesRecipeTest {

    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Pattern BLOCK =
            Pattern.compile("<!-- PlainProcessesRecipeTest[^>]*-->\\R```bash\\R(.*?)\\R```", Pattern.DOTALL);
    private static final String KEY = "hermes-api-key-0123456789";

    @TempDir
    Path dir;

    @Test
    void theReadmesCommandsCarryOneMessageThroughTheBridgeAndBringTheReply() throws Exception {
        String readme = Files.readString(REPO.resolve("claw-ipc-bridge/README.md"));
        Matcher m = BLOCK.matcher(readme);
        assertThat(m.find()).as("the recipe block in claw-ipc-bridge/README.md").isTrue();
        String recipe = m.group(1);
        for (String jar : List.of(
                "claw-ipc-bridge/target/claw-ipc-bridge-", "claw-channel-sidecar/target/claw-channel-sidecar-")) {
            Matcher named = Pattern.compile(Pattern.quote(jar) + "\\S+\\.jar").matcher(recipe);
            assertThat(named.find()).as("the recipe runs " + jar + "*.jar").isTrue();
            assertThat(REPO.resolve(named.group()))
                    .as("built by the README's package line (a reactor build packages it before claw-e2e)")
                    .exists();
        }

        try (HermesApiEmulator hermes = HermesApiEmulator.builder().apiKey(KEY).start()) { // answers "echo: " + input
            Path run = Files.createDirectories(dir.resolve("run"));
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", recipe)
                    .directory(REPO.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("HERMES_URL", hermes.baseUrl().toString());
            pb.environment().put("HERMES_KEY", KEY);
            pb.environment().put("BRIDGE_HTTP_PORT", String.valueOf(freePort()));
            pb.environment().put("WEBHOOK_PORT", String.valueOf(freePort()));
            pb.environment().put("REPLY_PORT", String.valueOf(freePort()));
            pb.environment().put("RUN", run.toString());
            // java on the PATH as a user has it: the JDK running this build
            pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
            Process bash = pb.start();
            String out;
            try {
                boolean done = bash.waitFor(150, TimeUnit.SECONDS);
                out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(done)
                        .as("the recipe finished within 150 s:\n" + out + logs(run))
                        .isTrue();
            } finally {
                try (Stream<ProcessHandle> children = bash.descendants()) {
                    children.forEach(ProcessHandle::destroyForcibly);
                }
                bash.destroyForcibly();
            }
            assertThat(bash.exitValue()).as(out + logs(run)).isZero();
            assertThat(out)
                    .as(out + logs(run))
                    .contains("runtime: UP") // the bridge's /readyz
                    .containsPattern("\\{\"message_id\":\"[^\"]+\",\"duplicate\":false}") // the webhook's 202
                    .contains("\"type\":\"final\"")
                    .contains("\"text\":\"echo: hello from a plain process\"")
                    .contains("\"conversation_id\":\"local-1\"");
            assertThat(hermes.admittedRuns()).isEqualTo(1);
            String bridgeLog = Files.readString(run.resolve("bridge.log"));
            String webhookLog = Files.readString(run.resolve("webhook.log"));
            assertThat(bridgeLog + webhookLog)
                    .as("no JDK warning and no secret in either log")
                    .doesNotContain("WARNING:")
                    .doesNotContain(KEY);
            assertThat(Stream.concat(bridgeLog.lines(), webhookLog.lines()))
                    .allSatisfy(line -> assertThat(line).matches("(ts=|BRIDGE-).*"));
        }
    }

    private static String logs(Path run) throws IOException {
        StringBuilder all = new StringBuilder();
        for (String name : List.of("bridge.log", "webhook.log", "replies.log")) {
            Path log = run.resolve(name);
            all.append("\n--- ").append(name).append('\n').append(Files.exists(log) ? Files.readString(log) : "(none)");
        }
        return all.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
