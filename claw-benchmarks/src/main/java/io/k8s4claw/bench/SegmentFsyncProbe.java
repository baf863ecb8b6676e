package io.k8s4claw.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The disk alone, the way the journal uses it: per "message" a 300-byte record and a 250-byte record, each
 * written and forced before the next, 5,000 messages at 1,000 a second — appending to a growing file (the
 * journal without a prepared segment), overwriting a zero-filled, forced file (a prepared segment), and the same
 * with the file opened {@code O_DSYNC} instead of a write and an {@code fdatasync} (each write then returns
 * durable). With an argument N it keeps N busy threads spinning meanwhile, as a loaded 2-CPU node would.
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
        for (int round = 0; round < 2; round++) {
            for (Mode mode : Mode.values()) {
                run(mode);
            }
        }
    }

    private enum Mode {
        APPEND("appending to a growing file"),
        PREPARED("overwriting a prepared file"),
        PREPARED_DSYNC("the same, O_DSYNC writes");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    private static void run(Mode mode) throws Exception {
        Path file = Files.createTempFile("segment-probe", ".log");
        boolean prepared = mode != Mode.APPEND;
        boolean dsync = mode == Mode.PREPARED_DSYNC;
        try (FileChannel ch = dsync
                ? FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.DSYNC)
                : FileChannel.open(file, StandardOpenOption.WRITE)) {
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
                syncs[2 * i] = store(ch, message, dsync);
                syncs[2 * i + 1] = store(ch, reply, dsync);
                perMessage[i] = System.nanoTime() - t0;
            }
            Arrays.sort(perMessage);
            Arrays.sort(syncs);
            System.out.printf(
                    "%-28s message p50 %.3f ms, p99 %.3f ms; fdatasync p50 %.3f ms, p99 %.3f ms%n",
                    mode.label,
                    perMessage[MESSAGES / 2] / 1e6,
                    perMessage[MESSAGES * 99 / 100] / 1e6,
                    syncs[MESSAGES] / 1e6,
                    syncs[2 * MESSAGES * 99 / 100] / 1e6);
        } finally {
            Files.delete(file);
        }
    }

    /** Writes a record and makes it durable; returns how long the sync took (with O_DSYNC: the write itself). */
    private static long store(FileChannel ch, ByteBuffer record, boolean dsync) throws IOException {
        if (dsync) {
            long s = System.nanoTime();
            ch.write(record.clear());
            return System.nanoTime() - s;
        }
        ch.write(record.clear());
        long s = System.nanoTime();
        ch.force(false);
        return System.nanoTime() - s;
    }
}
