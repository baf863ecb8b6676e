package io.k8s4claw.testkit.hermes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the {@link HermesApiEmulator} as its own process, for tests that need the runtime in a separate process
 * (kill it, start it again). The API key comes from the environment ({@code HERMES_EMULATOR_API_KEY}), never the
 * command line. Prints {@code listening on http://127.0.0.1:<port>} once ready; runs until killed.
 *
 * <pre>
 * HERMES_EMULATOR_API_KEY=… java -cp claw-testkit.jar:… io.k8s4claw.testkit.hermes.HermesApiEmulatorMain \
 *     --port 8642 [--dialect newest|older] [--keepalive-ms 10000] [--max-concurrent-runs 10] [--reply-delay-ms 0]
 * </pre>
 * Each run replies {@code "echo: <input>"} in two deltas, after the optional delay.
 */
public final class HermesApiEmulatorMain {

    private HermesApiEmulatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        var b = HermesApiEmulator.builder();
        String key = System.getenv("HERMES_EMULATOR_API_KEY");
        if (key != null) {
            b.apiKey(key);
        }
        long delayMs = 0;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = args[++i];
            switch (flag) {
                case "--port" -> b.port(Integer.parseInt(v));
                case "--dialect" -> b.dialect(Dialect.valueOf(v.toUpperCase(Locale.ROOT)));
                case "--keepalive-ms" -> b.keepaliveInterval(Duration.ofMillis(Long.parseLong(v)));
                case "--max-concurrent-runs" -> b.maxConcurrentRuns(Integer.parseInt(v));
                case "--reply-delay-ms" -> delayMs = Long.parseLong(v);
                default ->
                    throw new IllegalArgumentException("unknown flag " + flag
                            + " (known: --port, --dialect, --keepalive-ms, --max-concurrent-runs, --reply-delay-ms)");
            }
        }
        long delay = delayMs;
        b.script(r -> {
            List<Step> steps = new ArrayList<>();
            if (delay > 0) {
                steps.add(new Step.Delay(Duration.ofMillis(delay)));
            }
            steps.addAll(HermesApiEmulator.echo(r));
            return steps;
        });
        var emu = b.start();
        System.out.println("listening on " + emu.baseUrl());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
