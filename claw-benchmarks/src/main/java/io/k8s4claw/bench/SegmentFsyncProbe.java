package io.k8s4claw.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The disk alone, the way the journal uses it: per "message" a 300-byte record and a 250-byte record, each
 * written and forced before the next, 5,000 messages at 1,000 a second — once appending to a growing file (the
 * journal without a prepared segment), once overwriting a zero-filled, forced file (a prepared segment). With an
 * argument N it keeps N busy threads spinning meanwhile, as a loaded 2-CPU node would.
 *
 * <pre>java -cp claw-benchmarks-0.1.0-SNAPSHOT-all.jar io.k8s4claw.bench.SegmentFsyncProbe [busy-threads]</pre>
 */
public final class SegmentFsyncProbe {

    private static final int MESSAGES = 5_000;

    public static void main(String[] args) throws Exception {
        int busy = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        for (int t = 0; t < busy; t++) {
            Thread spinner = new Thread(() -> {
                long x = 0;
                while (true) {
                    x += System.nanoTime();
                    if (x == 42) {
                        System.out.print("");
                    }
                }
            });
            spinner.setDaemon(true);
            spinner.start();
        }
        System.out.printf("two forced writes per message, %d messages at 1000/s, %d busy threads%n", MESSAGES, busy);
        for (boolean prepared : new boolean[] {false, true, false, true}) {
            run(prepared);
        }
    }

    private static void run(boolean prepared) throws Exception {
        Path file = Files.createTempFile("segment-probe", ".log");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (prepared) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (int i = 0; i < 16; i++) {
                    ch.write(zeros.clear());
                }
                ch.force(false);
                ch.position(0);
            }
            ByteBuffer message = ByteBuffer.allocateDirect(300);
            ByteBuffer reply = ByteBuffer.allocateDirect(250);
            long[] perMessage = new long[MESSAGES];
            long[] syncs = new long[2 * MESSAGES];
            long start = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                long due = start + i * 1_000_000L;
                while (System.nanoTime() < due) {
                    Thread.sleep(0, 100_000);
                }
                long t0 = System.nanoTime();
                ch.write(message.clear());
                long s = System.nanoTime();
                ch.force(false);
                syncs[2 * i] = System.nanoTime() - s;
                ch.write(reply.clear());
                s = System.nanoTime();
                ch.force(false);
                syncs[2 * i + 1] = System.nanoTime() - s;
                perMessage[i] = System.nanoTime() - t0;
            }
            Arrays.sort(perMessage);
            Arrays.sort(syncs);
            System.out.printf("%-28s message p50 %.3f ms, p99 %.3f ms; fdatasync p50 %.3f ms, p99 %.3f ms%n",
                    prepared ? "overwriting a prepared file" : "appending to a growing file",
                    perMessage[MESSAGES / 2] / 1e6, perMessage[MESSAGES * 99 / 100] / 1e6,
                    syncs[MESSAGES] / 1e6, syncs[2 * MESSAGES * 99 / 100] / 1e6);
        } finally {
            Files.delete(file);
        }
    }
}
