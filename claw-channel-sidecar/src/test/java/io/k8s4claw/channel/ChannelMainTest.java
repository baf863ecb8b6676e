package io.k8s4claw.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runnable's command line, in a child JVM with no channel environment at all. */
class ChannelMainTest {

    record Run(int exit, String out, String err) {}

    static Run run(String... args) throws Exception {
        String[] cmd = new String[args.length + 4];
        cmd[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        cmd[1] = "-cp";
        cmd[2] = System.getProperty("java.class.path");
        cmd[3] = ChannelMain.class.getName();
        System.arraycopy(args, 0, cmd, 4, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("CHANNEL_") || k.startsWith("CLAW_"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void helpPrintsTheEnvironmentItReadsAndExitsZero() throws Exception {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .startsWith("Usage:")
                .contains("CHANNEL_TYPE")
                .contains("CHANNEL_CONFIG")
                .contains("CLAW_BUS_SOCKET")
                .contains("WEBHOOK_SECRET")
                .contains("docs/channels.md");
        assertThat(r.err()).doesNotContain("configuration error");
    }

    @Test
    void anUnknownArgumentIsRefusedWithExitCode2() throws Exception {
        Run r = run("--port=8081");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown argument \"--port=8081\"").contains("--help");
    }
}
