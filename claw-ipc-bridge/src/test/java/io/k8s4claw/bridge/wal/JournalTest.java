package io.k8s4claw.bridge.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.bridge.testing.FaultyFileChannel;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path dir;

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> replay(Path d) throws IOException {
        List<String> out = new ArrayList<>();
        Journal j = Journal.open(d, JournalOptions.defaults(), FileStore.DEFAULT,
                e -> out.add(e.type() + ":" + new String(e.payload(), StandardCharsets.UTF_8)));
        j.close();
        return out;
    }

    @Test
    void concurrentAppendsShareFsyncsAndSurviveReopen() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger records = new AtomicInteger();
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> { });
        j.setListener((n, bytes, nanos) -> {
            batches.incrementAndGet();
            records.addAndGet(n);
        });
        int threads = 8;
        int perThread = 500;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tid = t;
            List<CompletableFuture<Void>> mine = new ArrayList<>();
            all.addAll(java.util.Collections.nCopies(0, null));
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    mine.add(j.append((byte) 1, text(tid + "-" + i)));
                }
                synchronized (all) {
                    all.addAll(mine);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        j.close();
        assertThat(records.get()).isEqualTo(threads * perThread);
        // group commit: far fewer fsyncs than records
        assertThat(batches.get()).isLessThan(threads * perThread / 4);

        List<String> replayed = replay(dir);
        assertThat(replayed).hasSize(threads * perThread);
        for (int t = 0; t < threads; t++) {
            String prefix = "1:" + t + "-";
            List<String> mine = replayed.stream().filter(s -> s.startsWith(prefix)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                expected.add(prefix + i);
            }
            assertThat(mine).as("thread %d order", t).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void corruptTailIsCutOffAndEverythingBeforeSurvives() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> { });
        for (int i = 0; i < 10; i++) {
            j.append((byte) 2, text("record-" + i)).get();
        }
        j.close();
        Path seg = dir.resolve("journal-000001.log");
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(size - 2); // inside the last record's payload
            f.write('X');
        }
        List<String> replayed = replay(dir);
        assertThat(replayed).hasSize(9).last().isEqualTo("2:record-8");
        long recordSize = 9 + "record-9".length();
        assertThat(Files.size(seg)).isEqualTo(size - recordSize);
        // and appending continues cleanly after the cut
        Journal again = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> { });
        again.append((byte) 2, text("after")).get();
        again.close();
        assertThat(replay(dir)).hasSize(10).last().isEqualTo("2:after");
    }

    @Test
    void tornWriteAtTheTailIsCutOff() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> { });
        j.append((byte) 1, text("complete")).get();
        j.close();
        Path seg = dir.resolve("journal-000001.log");
        Files.write(seg, new byte[] {0, 0, 0, 50, 1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertThat(replay(dir)).containsExactly("1:complete");
        assertThat(Files.size(seg)).isEqualTo(9 + "complete".length());
    }

    @Test
    void diskFullFailsTheBatchCleanlyAndLaterAppendsWork() throws Exception {
        AtomicBoolean full = new AtomicBoolean();
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {
            if (full.get()) {
                throw new IOException("No space left on device");
            }
        });
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> { });
        j.append((byte) 1, text("before")).get();
        full.set(true);
        CompletableFuture<Void> lost = j.append((byte) 1, text("refused"));
        assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(JournalException.class, e -> {
                    assertThat(e.diskFull()).isTrue();
                    assertThat(e.getMessage()).contains("No space left on device").contains("journal-000001.log");
                });
        assertThat(j.lastFailure()).isNotNull();
        full.set(false);
        j.append((byte) 1, text("after")).get(10, TimeUnit.SECONDS);
        assertThat(j.lastFailure()).isNull();
        j.close();
        assertThat(replay(dir)).containsExactly("1:before", "1:after");
    }

    @Test
    void compactionKeepsOnlyTheSnapshotAndSurvivesReopen() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults().withSegmentBytes(4096), FileStore.DEFAULT, e -> { });
        for (int i = 0; i < 500; i++) {
            j.append((byte) 1, text("old-" + i));
        }
        j.append((byte) 1, text("last")).get();
        long before = j.sizeBytes();
        // the writer rolls to a new segment right after completing a batch: wait for it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            try (Stream<Path> s = Files.list(dir)) {
                return s.count() > 1;
            }
        });
        j.setSnapshotSource(() -> List.of(new JournalEntry((byte) 3, text("live-a")),
                new JournalEntry((byte) 3, text("live-b"))), 1);
        j.requestCompaction();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> j.sizeBytes() < before / 10);
        j.append((byte) 4, text("new")).get();
        j.close();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(1);
        }
        assertThat(replay(dir)).containsExactly("3:live-a", "3:live-b", "4:new");
    }

    @Test
    void checkpointInterruptedByACrashIsIgnored() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> { });
        j.append((byte) 1, text("kept")).get();
        j.close();
        // a later segment holding a CHECKPOINT_BEGIN and part of a snapshot, but no CHECKPOINT_END
        Path half = dir.resolve("journal-000002.log");
        Journal.readRecords(dir.resolve("journal-000001.log"), e -> { });
        byte[] begin = {0, 0, 0, 0, 0, 0, 0, 0, Journal.CHECKPOINT_BEGIN};
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(Journal.CHECKPOINT_BEGIN);
        java.nio.ByteBuffer.wrap(begin).putInt(4, (int) crc.getValue());
        Files.write(half, begin);
        assertThat(replay(dir)).containsExactly("1:kept");
        assertThat(half).doesNotExist();
    }
}
