package io.k8s4claw.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as a user starts it ({@code java -jar}) and as the Jib image does ({@code java <jvmFlags> -cp …
 * BridgeMain}): no "WARNING: A restricted method" from Netty's native epoll transport (JDK 24+ prints it unless
 * native access is enabled: the jar's {@code Enable-Native-Access} manifest entry, the image's jvmFlags), and
 * nothing but logfmt and the BRIDGE-* lines on its output. The control run without either shows the warning
 * this JDK prints (issue #20).
 */
class BridgeJarIT {

    private static final String RESTRICTED = "WARNING: A restricted method";

    @TempDir
    Path dir;

    @Test
    void javaDashJarPrintsNoNativeAccessWarning() throws Exception {
        String out = runUntilReady("jar", List.of("-jar", jar()));
        assertThat(out).doesNotContain(RESTRICTED);
        assertThat(out.lines()
                        .filter(line -> !line.startsWith("ts=") && !line.startsWith("BRIDGE-"))
                        .toList())
                .as(out)
                .isEmpty();
    }

    @Test
    void theImagesJvmFlagsEnableNativeAccessAndWithoutThemTheJdkWarns() throws Exception {
        List<String> jibFlags =
                Arrays.asList(System.getProperty("bridge.jib.jvmFlags").split(","));
        List<String> image = new ArrayList<>(jibFlags);
        image.addAll(List.of("-cp", jar(), BridgeMain.class.getName()));
        String out = runUntilReady("image", image);
        assertThat(out).as(out).doesNotContain(RESTRICTED).doesNotContain("WARNING:");

        assertThat(Runtime.version().feature())
                .as("this check needs a JDK that warns about JNI (24+); ./mvnw runs 25")
                .isGreaterThanOrEqualTo(24);
        String control = runUntilReady("control", List.of("-cp", jar(), BridgeMain.class.getName()));
        assertThat(control).as("without native access enabled the JDK warns").contains(RESTRICTED);
    }

    private static String jar() {
        String jar = System.getProperty("bridge.jar");
        assertThat(jar).as("bridge.jar (set by failsafe)").isNotNull();
        assertThat(Path.of(jar))
                .as("the runnable jar: run through failsafe after package")
                .exists();
        return jar;
    }

    /** Starts the bridge (echo runtime) with these java arguments, waits for BRIDGE-READY, stops it with SIGTERM. */
    private String runUntilReady(String name, List<String> javaArgs) throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve(name));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx64m");
        cmd.addAll(javaArgs);
        Path log = work.resolve("out.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment()
                .putAll(Map.of(
                        "CLAW_RUNTIME_PROTOCOL",
                        "echo",
                        "CLAW_BUS_SOCKET",
                        work.resolve("bus.sock").toString(),
                        "CLAW_BRIDGE_DATA_DIR",
                        work.resolve("wal").toString(),
                        "CLAW_BRIDGE_HTTP_PORT",
                        "0"));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process process = pb.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.readString(log).contains("BRIDGE-READY")) {
                assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
                assertThat(System.nanoTime())
                        .as("BRIDGE-READY within 60 s:\n" + Files.readString(log))
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return Files.readString(log);
        } finally {
            process.destroyForcibly();
        }
    }
}
