package io.k8s4claw.bridge.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import io.k8s4claw.testkit.hermes.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault tests with the bridge in its own JVM (its real main, configured by env), a Hermes API emulator as
 * the runtime (hermes-sse connector), and a sidecar that behaves like the channel SDK: keeps messages until
 * acked, resends them after a reconnect, acks replies and resumes from its last_reply_seq.
 */
class BridgeFaultTest {

    /** How long the runtime stays down; 60 s is the figure, the default keeps the suite fast. */
    private static final int RUNTIME_DOWN_SECONDS = Integer.getInteger("claw.fault.runtimeDownSeconds", 15);

    private static final Duration LONG = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private HermesApiEmulator hermes;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void startRuntime() {
        hermes = HermesApiEmulator.builder()
                .apiKey("test-api-key-0123456789")
                .script(r -> List.of(
                        new Step.Delay(Duration.ofMillis(200)),
                        new Step.Delta("echo: "),
                        new Step.Delta(r.input()),
                        new Step.Complete(null)))
                .start();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
        if (hermes != null) {
            hermes.close();
        }
    }

    private Map<String, String> env(Path dataDir) {
        Map<String, String> env = new HashMap<>();
        env.put("CLAW_BUS_SOCKET", dir.resolve("bus.sock").toString());
        env.put("CLAW_BRIDGE_DATA_DIR", dataDir.toString());
        env.put("CLAW_RUNTIME_PROTOCOL", "hermes-sse");
        env.put("CLAW_RUNTIME_URL", hermes.baseUrl().toString());
        env.put("CLAW_RUNTIME_TOKEN", "test-api-key-0123456789");
        env.put("CLAW_BRIDGE_RETRY_MAX", "2s");
        env.put("CLAW_BRIDGE_SHUTDOWN_GRACE", "5s");
        return env;
    }

    private BridgeProcess bridge(Path dataDir) throws Exception {
        BridgeProcess p = BridgeProcess.start(dir, env(dataDir));
        cleanup.add(p);
        return p;
    }

    private FaultSidecar sidecar(String channel) {
        FaultSidecar s = new FaultSidecar(channel);
        cleanup.add(0, s);
        return s;
    }

    /**
     * Every message got exactly one final reply, the right one, and the runtime ran each message once.
     *
     * <p>A duplicate final could still be on its way when the last expected one arrived, so a sentinel
     * message goes through the same channel first: replies are sent in {@code reply_seq} order, so once the
     * sentinel's final is here, every reply the bridge had stored before it has been delivered too.
     */
    private void assertEveryMessageAnsweredOnce(FaultSidecar s, Map<String, String> sent) throws IOException {
        Map<String, String> all = new HashMap<>(sent);
        all.put("sentinel", "after everything else");
        s.send("sentinel", "sentinel-conversation", "after everything else");
        await().atMost(LONG).until(() -> s.finals.containsKey("sentinel"));
        for (Map.Entry<String, String> e : all.entrySet()) {
            assertThat(s.finals.get(e.getKey()))
                    .as("finals for %s (one reply per message, no duplicates)", e.getKey())
                    .containsExactly("echo: " + e.getValue());
        }
        assertThat(s.finals.keySet())
                .as("no reply to a message that was never sent")
                .isEqualTo(all.keySet());
        // exactly once in effect: one run per message on the runtime, whatever was retried or replayed
        assertThat(hermes.admittedRuns()).isEqualTo(all.size());
    }

    @Test
    void killMinus9WithMessagesInFlightLosesNothingAndRunsEachOnce() throws Exception {
        Path data = dir.resolve("wal");
        BridgeProcess first = bridge(data);
        FaultSidecar s = sidecar("slack-main");
        s.connect(dir.resolve("bus.sock"));
        Map<String, String> sent = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            String text = "message " + i;
            sent.put("m" + i, text);
            s.send("m" + i, "C" + (i % 8), text);
        }
        // kill while some runs are in flight and some messages may not even be acked yet
        await().atMost(LONG).until(() -> s.acked.size() >= 20);
        first.kill9();
        s.disconnect();

        BridgeProcess second = bridge(data);
        s.connect(dir.resolve("bus.sock"));
        await().atMost(LONG)
                .until(() -> s.unacked.isEmpty() && s.finals.keySet().containsAll(sent.keySet()));
        assertEveryMessageAnsweredOnce(s, sent);
        assertThat(second.log()).contains("bridge started");
    }

    @Test
    void runtimeDownForAWhileLosesNothing() throws Exception {
        hermes.down();
        BridgeProcess p = bridge(dir.resolve("wal"));
        FaultSidecar s = sidecar("telegram");
        s.connect(dir.resolve("bus.sock"));
        Map<String, String> sent = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            sent.put("t" + i, "while down " + i);
            s.send("t" + i, "chat" + (i % 3), "while down " + i);
        }
        await().atMost(LONG).until(() -> s.acked.size() == 10);
        Thread.sleep(RUNTIME_DOWN_SECONDS * 1000L);
        assertThat(s.finals).isEmpty();
        hermes.up();
        try {
            // generous: a stream that died during the outage is re-opened by the connector's 90 s watchdog
            await().atMost(Duration.ofSeconds(150))
                    .until(() -> s.finals.keySet().containsAll(sent.keySet()));
        } catch (ConditionTimeoutException e) {
            System.out.println("finals so far: " + s.finals.keySet() + "\nhermes requests: "
                    + hermes.requests().size() + " admitted: " + hermes.admittedRuns() + "\n--- bridge log ---\n"
                    + p.log());
            throw e;
        }
        assertEveryMessageAnsweredOnce(s, sent);
        assertThat(p.log()).contains("will retry");
    }

    @Test
    void repliesWaitForAnAbsentSidecarEvenAcrossABridgeRestart() throws Exception {
        Path data = dir.resolve("wal");
        BridgeProcess first = bridge(data);
        FaultSidecar s = sidecar("discord");
        s.connect(dir.resolve("bus.sock"));
        s.send("d1", "G1", "answer me later");
        await().atMost(LONG).until(() -> s.acked.contains("d1"));
        s.disconnect(); // the sidecar goes away before the reply exists
        await().atMost(LONG).until(() -> hermes.admittedRuns() == 1);
        Thread.sleep(1500); // the run completes while nobody listens
        // SIGTERM: drain and fsync; the JVM reports death-by-SIGTERM as 143 after its shutdown hook ran
        assertThat(first.terminate(Duration.ofSeconds(20))).isIn(0, 143);
        assertThat(first.log()).contains("shutting down").contains("bridge stopped");

        bridge(data);
        s.connect(dir.resolve("bus.sock"));
        await().atMost(LONG).until(() -> s.finals.containsKey("d1"));
        assertEveryMessageAnsweredOnce(s, Map.of("d1", "answer me later"));
    }

    @Test
    void diskFullOnTheWalVolumeNacksNewMessagesAndKeepsAckedOnes() throws Exception {
        Path mount = dir.resolve("tmpfs");
        Files.createDirectories(mount);
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString())
                .redirectErrorStream(true)
                .start();
        boolean mounted = m.waitFor() == 0;
        Assumptions.assumeTrue(
                mounted,
                "needs root to mount a 2 MiB tmpfs as the WAL volume; "
                        + "DiskFullTest covers the same path with an injected 'No space left on device'");
        cleanup.add(() ->
                new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor());
        Path data = mount.resolve("wal");
        BridgeProcess p = bridge(data);
        FaultSidecar s = sidecar("webhook");
        s.connect(dir.resolve("bus.sock"));
        Map<String, String> acked = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            acked.put("w" + i, "before full " + i);
            s.send("w" + i, "hook", "before full " + i);
        }
        await().atMost(LONG).until(() -> s.acked.size() == 5);
        // fill the volume to the last byte
        Path filler = mount.resolve("filler");
        try (var out = Files.newOutputStream(filler)) {
            byte[] chunk = new byte[4096];
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }
        s.send("refused", "hook", "x".repeat(8000));
        await().atMost(LONG).until(() -> !s.nacks.isEmpty());
        Nack nack = s.nacks.get(0);
        assertThat(nack.getReason()).isEqualTo(Nack.Reason.STORAGE_FAILED);
        assertThat(nack.getRetryable()).isTrue();
        assertThat(nack.getDetail()).contains("No space left on device");
        assertThat(nack.getUserVisibleText()).isNotEmpty();
        assertThat(s.acked).doesNotContain("refused");
        // space comes back: the sidecar's retry is accepted, and nothing acked earlier was lost
        Files.delete(filler);
        s.unacked.remove("refused");
        s.send("refused", "hook", "retried");
        acked.put("refused", "retried");
        await().atMost(LONG).until(() -> s.finals.keySet().containsAll(acked.keySet()));
        assertEveryMessageAnsweredOnce(s, acked);
        assertThat(p.log()).contains("No space left on device");
    }
}
