package io.k8s4claw.bridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.internal.platform.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Libraries' java.util.logging records in the bridge's own logfmt lines (issue #20 item 3): a child JVM with the
 * bridge's main class path ({@link LogfmtLogging} configures logging as in the container)
 * logs OkHttp's leaked-connection warning through OkHttp's own path, a multi-line JUL warning and records below
 * the levels; every line it prints must be one logfmt line and the runtime token must appear in none.
 */
class LibraryLogLinesTest {

    private static final String TOKEN = "hermes-api-key-0123456789abcdef";
    /** ts, level, logger, thread, msg, then key="value" fields; values quoted and escaped, nothing after. */
    private static final Pattern LOGFMT = Pattern.compile(
            "ts=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z level=(TRACE|DEBUG|INFO|WARN|ERROR) "
                    + "logger=[^\\s\"=]+"
                    + " thread=\"(?:[^\"\\\\]++|\\\\.)*+\" msg=\"(?:[^\"\\\\]++|\\\\.)*+\"( "
                    + "[^\\s\"=]+=\"(?:[^\"\\\\]++|\\\\.)*+\")*");

    @TempDir
    Path dir;

    /** Runs in the child JVM. */
    public static final class Probe {
        public static void main(String[] args) {
            LoggerFactory.getLogger("io.k8s4claw.bridge.Probe").info("bridge line");
            // exactly what OkHttp 4.12's connection pool calls for a response nobody closed
            Platform.get()
                    .logCloseableLeak(
                            "A connection to http://127.0.0.1:8642/ was leaked. Did you forget to close a response "
                                    + "body?"
                                    + " (Authorization: Bearer " + System.getenv("CLAW_RUNTIME_TOKEN") + ")",
                            new Throwable("response body allocated here"));
            Logger.getLogger("org.example.SomeLibrary").warning("first line\nsecond \"line\"");
            Logger.getLogger("okhttp3.internal.http2.Http2").info("okhttp info: below its WARN level");
            Logger.getLogger("io.k8s4claw.bridge.Probe").fine("fine: below the INFO level");
        }
    }

    @Test
    void aLibrarysJulWarningIsOneLogfmtLineAndTheTokenIsRedacted() throws Exception {
        Path probeClasses = dir.resolve("probe");
        String probeClass = Probe.class.getName().replace('.', '/') + ".class";
        Path target = probeClasses.resolve(probeClass);
        Files.createDirectories(target.getParent());
        try (var in = Probe.class.getClassLoader().getResourceAsStream(probeClass)) {
            Files.copy(in, target);
        }
        // the main class path as the runnable jar has it: without test classes and test resources
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(entry -> !entry.endsWith("test-classes"))
                        .collect(Collectors.joining(File.pathSeparator))
                + File.pathSeparator
                + probeClasses;
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-cp",
                classPath,
                Probe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLAW_RUNTIME_TOKEN", TOKEN);
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();

        List<String> lines = out.lines().toList();
        assertThat(lines).as(out).hasSize(3).allSatisfy(line -> assertThat(line).matches(LOGFMT));
        assertThat(lines.get(0)).contains("level=INFO logger=Probe thread=\"main\" msg=\"bridge line\"");
        assertThat(lines.get(1))
                .startsWith("ts=")
                .contains(" level=WARN logger=OkHttpClient thread=\"main\" msg=\"A connection to"
                        + " http://127.0.0.1:8642/ was leaked. Did you forget to close a response body? "
                        + "(Authorization: Bearer [redacted])\"")
                .contains(" error=\"java.lang.Throwable: response body allocated here\"")
                .contains(" stack=\"java.lang.Throwable: response body allocated here\\n\\tat " + Probe.class.getName()
                        + ".main(");
        assertThat(lines.get(2))
                .contains("level=WARN logger=SomeLibrary thread=\"main\" msg=\"first line\\nsecond \\\"line\\\"\"");
        assertThat(out).doesNotContain(TOKEN).doesNotContain("below");
    }
}
