package io.k8s4claw.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bridge's CPU per relayed message, alone: one relay bridge (container flags, echo runtime, no fsync),
 * warmed with {@code probe.warm} messages (default 1,200,000), then {@code probe.messages} (800,000) measured on
 * a second connection; prints the rate, the bridge's CPU time per message (all its threads, {@code /proc}) and
 * the client's CPU share. Steadier than the rates on a shared machine, and quick: for an A/B, run it from the two
 * builds' jars in turn, several times interleaved.
 *
 * <pre>java -cp claw-benchmarks-0.1.0-SNAPSHOT-all.jar io.k8s4claw.bench.RelayCpuProbe</pre>
 */
public final class RelayCpuProbe {

    public static void main(String[] args) throws Exception {
        int warm = Integer.getInteger("probe.warm", 1_200_000);
        int messages = Integer.getInteger("probe.messages", 800_000);
        int window = 1024;
        Path work = Files.createTempDirectory("relay-cpu-probe");
        Path sock = work.resolve("relay.sock");
        Map<String, String> env = new HashMap<>();
        env.put("CLAW_BUS_SOCKET", sock.toString());
        env.put("CLAW_BRIDGE_DATA_DIR", work.resolve("wal").toString());
        env.put("CLAW_BRIDGE_HTTP_PORT", "0");
        env.put("CLAW_RUNTIME_PROTOCOL", "echo");
        env.put("CLAW_BRIDGE_FSYNC", "false");
        env.put("CLAW_MAX_CONCURRENT_RUNS", "1024");
        env.put("CLAW_BUS_WINDOW", Integer.toString(window));
        try (ChildJvm bridge =
                ChildJvm.start("io.k8s4claw.bridge.BridgeMain", List.of(), env, "BRIDGE-LISTENING", work)) {
            try (BusLoadClient c = new BusLoadClient(sock, BusLoadClient.Mode.BRIDGE, "warm")) {
                c.throughput(warm, window);
            }
            long cpu0 = bridge.cpuNanos();
            long client0 = ownCpuNanos();
            long t0 = System.nanoTime();
            double rate;
            try (BusLoadClient c = new BusLoadClient(sock, BusLoadClient.Mode.BRIDGE, "tput")) {
                rate = c.throughput(messages, window);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "relay: %,.0f msg/s; bridge %.2f us/msg (%.0f%% of a CPU), client %.0f%% of a CPU;"
                            + " RSS after %d KiB%n",
                    rate,
                    (bridge.cpuNanos() - cpu0) / 1e3 / messages,
                    (bridge.cpuNanos() - cpu0) / 1e7 / seconds,
                    (ownCpuNanos() - client0) / 1e7 / seconds,
                    bridge.rssKiB());
        }
    }

    /** This JVM's CPU time (the load client), from {@code /proc/self/stat} in 10 ms ticks. */
    private static long ownCpuNanos() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }
}
