package io.k8s4claw.bridge.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.bridge.testing.FaultyFileChannel;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JournalTest {

    @TempDir
    Path dir;

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A record of type {@code type} holding {@code s}: the journal frames it whatever it means. */
    private static JournalEntry entry(int type, String s) {
        return new JournalEntry((byte) type, text(s));
    }

    private List<String> replay(Path d) throws IOException {
        List<String> out = new ArrayList<>();
        Journal j = Journal.open(
                d,
                JournalOptions.defaults().withFsync(false),
                FileStore.DEFAULT,
                e -> out.add(e.type() + ":" + new String(e.payload(), StandardCharsets.UTF_8)));
        j.close();
        return out;
    }

    @Test
    void concurrentAppendsShareFsyncsAndSurviveReopen() throws Exception {
        // Group commit shown by counting, not timing: the log's first fsync after open is held until every thread
        // has appended, so all later records arrive while a sync is in flight and must share the next one instead
        // of each getting its own. (How many syncs a free-running burst needs depends on the machine's load.)
        AtomicBoolean armed = new AtomicBoolean();
        AtomicInteger fsyncs = new AtomicInteger();
        CountDownLatch everythingAppended = new CountDownLatch(1);
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {}, () -> {
            // only the first segment, the one these records go to (not a segment the preparer zero-fills ahead)
            if (armed.get()
                    && file.getFileName().toString().equals("journal-000001.log")
                    && fsyncs.incrementAndGet() == 1) {
                try {
                    everythingAppended.await(60, TimeUnit.SECONDS); // a safety net only: the test releases it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        AtomicInteger records = new AtomicInteger();
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> {});
        j.setListener((n, bytes, nanos) -> records.addAndGet(n));
        armed.set(true);
        int threads = 8;
        int perThread = 500;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tid = t;
            List<CompletableFuture<Void>> mine = new ArrayList<>();
            all.addAll(Collections.nCopies(0, null));
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    mine.add(j.append(entry(1, tid + "-" + i)));
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
        // durable means fsynced: with the first fsync still held, no append may have completed yet
        assertThat(all).hasSize(threads * perThread).noneMatch(CompletableFuture::isDone);
        everythingAppended.countDown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        int fsyncsForAppends = fsyncs.get();
        j.close();
        assertThat(records.get()).isEqualTo(threads * perThread);
        // group commit: the held fsync (its batch may already hold everything), one for all that queued up behind
        // it, and at most one more for a batch the loop was still writing when the syncer took the queue — never
        // one per record
        assertThat(fsyncsForAppends)
                .as("fsyncs for %d records", threads * perThread)
                .isBetween(1, 3);

        List<String> replayed = replay(dir);
        assertThat(replayed).hasSize(threads * perThread);
        for (int t = 0; t < threads; t++) {
            String prefix = "1:" + t + "-";
            List<String> mine =
                    replayed.stream().filter(s -> s.startsWith(prefix)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                expected.add(prefix + i);
            }
            assertThat(mine).as("thread %d order", t).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void corruptTailIsCutOffAndEverythingBeforeSurvives() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        for (int i = 0; i < 10; i++) {
            j.append(entry(2, "record-" + i)).get();
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
        Journal again = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        again.append(entry(2, "after")).get();
        again.close();
        assertThat(replay(dir)).hasSize(10).last().isEqualTo("2:after");
    }

    /**
     * A torn record at the tail is cut off — also when zeros follow it, as in a prepared (zero-filled) segment:
     * zeros after the records are a clean end only when nothing else precedes them.
     */
    @ParameterizedTest(name = "zeros after it: {0}")
    @ValueSource(ints = {0, 8192})
    void tornWriteAtTheTailIsCutOff(int zerosAfter) throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        j.append(entry(1, "complete")).get();
        j.close();
        Path seg = dir.resolve("journal-000001.log");
        Files.write(seg, new byte[] {0, 0, 0, 50, 1, 2, 3}, StandardOpenOption.APPEND);
        Files.write(seg, new byte[zerosAfter], StandardOpenOption.APPEND);
        assertThat(replay(dir)).containsExactly("1:complete");
        assertThat(Files.size(seg)).isEqualTo(SegmentFile.HEADER_BYTES + 9 + "complete".length());
    }

    /**
     * With fsync, once the open segment is half full the next one is zero-filled in the background and taken at
     * the roll, so appends overwrite blocks that exist and an fdatasync has no size change to commit. Its unused
     * zero tail is the log's clean end on reopen: nothing is cut, and appends continue right after the records.
     */
    @Test
    void theNextSegmentIsPreparedZeroFilledAndItsZeroTailIsACleanEnd() throws Exception {
        long segment = SegmentPreparer.MIN_SEGMENT_BYTES;
        Path second = dir.resolve("journal-000002.log");
        Path prepared = dir.resolve(SegmentPreparer.FILE_NAME);
        Journal j = Journal.open(dir, JournalOptions.defaults().withSegmentBytes(segment), FileStore.DEFAULT, e -> {});
        List<String> expected = new ArrayList<>();
        String pad = "x".repeat(1000);
        int n = 0;
        while (j.sizeBytes() < segment * 3 / 4) {
            j.append(entry(1, n + pad)).get(10, TimeUnit.SECONDS);
            expected.add("1:" + n++ + pad);
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(prepared) && Files.size(prepared) == segment);
        while (!Files.exists(second)) {
            j.append(entry(1, n + pad)).get(10, TimeUnit.SECONDS);
            expected.add("1:" + n++ + pad);
        }
        for (int k = 0; k < 3; k++) {
            j.append(entry(2, "after-roll-" + k)).get(10, TimeUnit.SECONDS);
            expected.add("2:after-roll-" + k);
        }
        assertThat(Files.size(second))
                .as("the roll took the prepared file, not a fresh one")
                .isEqualTo(segment);
        j.close();
        assertThat(prepared).as("a prepared file is not part of the log").doesNotExist();

        assertThat(replay(dir)).containsExactlyElementsOf(expected);
        assertThat(Files.size(second))
                .as("a zero tail is not a torn write: nothing cut")
                .isEqualTo(segment);
        Journal again =
                Journal.open(dir, JournalOptions.defaults().withSegmentBytes(segment), FileStore.DEFAULT, e -> {});
        again.append(entry(3, "after-reopen")).get(10, TimeUnit.SECONDS);
        again.close();
        expected.add("3:after-reopen");
        assertThat(replay(dir)).containsExactlyElementsOf(expected);
    }

    @Test
    void aPreparedSegmentLeftByACrashIsDeletedNotReplayed() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        j.append(entry(1, "real")).get();
        j.close();
        // a crash can leave the file under preparation behind; here it even holds an intact record
        Files.copy(dir.resolve("journal-000001.log"), dir.resolve(SegmentPreparer.FILE_NAME));
        Files.write(dir.resolve("journal-000001.log"), new byte[0]); // so that only the leftover holds it
        assertThat(replay(dir)).isEmpty();
        assertThat(dir.resolve(SegmentPreparer.FILE_NAME)).doesNotExist();
    }

    @Test
    void diskFullFailsTheBatchCleanlyAndLaterAppendsWork() throws Exception {
        AtomicBoolean full = new AtomicBoolean();
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {
            if (full.get()) {
                throw new IOException("No space left on device");
            }
        });
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> {});
        j.append(entry(1, "before")).get();
        full.set(true);
        CompletableFuture<Void> lost = j.append(entry(1, "refused"));
        assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(JournalException.class, e -> {
                    assertThat(e.diskFull()).isTrue();
                    assertThat(e.getMessage())
                            .contains("No space left on device")
                            .contains("journal-000001.log");
                });
        assertThat(j.lastFailure()).isNotNull();
        full.set(false);
        j.append(entry(1, "after")).get(10, TimeUnit.SECONDS);
        assertThat(j.lastFailure()).isNull();
        j.close();
        assertThat(replay(dir)).containsExactly("1:before", "1:after");
    }

    @Test
    void compactionKeepsOnlyTheSnapshotAndSurvivesReopen() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults().withSegmentBytes(4096), FileStore.DEFAULT, e -> {});
        for (int i = 0; i < 500; i++) {
            j.append(entry(1, "old-" + i));
        }
        j.append(entry(1, "last")).get();
        long before = j.sizeBytes();
        // the writer rolls to a new segment right after completing a batch: wait for it
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Stream<Path> s = Files.list(dir)) {
                return s.count() > 1;
            }
        });
        j.setSnapshotSource(
                () -> List.of(new JournalEntry((byte) 3, text("live-a")), new JournalEntry((byte) 3, text("live-b"))),
                1);
        j.requestCompaction();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> j.sizeBytes() < before / 10);
        j.append(entry(4, "new")).get();
        j.close();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(1);
        }
        assertThat(replay(dir)).containsExactly("3:live-a", "3:live-b", "4:new");
    }

    /**
     * Compaction leaves the loop after writing the checkpoint: the syncer forces it and only then deletes the
     * older segments. While the force is in flight (here: held) the old segments are still there, so a crash
     * at that moment replays them; a force that fails never deletes them.
     */
    @ParameterizedTest(name = "force fails={0}")
    @ValueSource(booleans = {false, true})
    void compactionDeletesOlderSegmentsOnlyAfterTheCheckpointIsForced(boolean forceFails) throws Exception {
        CountDownLatch forcing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean holdNext = new AtomicBoolean();
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {}, () -> {
            if (holdNext.get() && file.getFileName().toString().equals("journal-000003.log")) {
                hold(forcing, release);
                if (forceFails) {
                    throw new IOException("Input/output error");
                }
            }
        });
        Journal j = Journal.open(dir, JournalOptions.defaults().withSegmentBytes(4096), store, e -> {});
        for (int i = 0; i < 300; i++) {
            j.append(entry(1, "old-" + i));
        }
        j.append(entry(1, "last")).get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> segments().size() > 1);
        List<String> before = segments();
        holdNext.set(true);
        j.setSnapshotSource(() -> List.of(new JournalEntry((byte) 3, text("live"))), 1);
        j.requestCompaction();
        assertThat(forcing.await(10, TimeUnit.SECONDS))
                .as("the checkpoint segment is being forced")
                .isTrue();
        assertThat(segments())
                .as("older segments kept while the checkpoint is not on disk")
                .containsAll(before)
                .contains("journal-000003.log");
        release.countDown();
        if (forceFails) {
            CompletableFuture<Void> refused = j.append(entry(4, "after"));
            assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(JournalException.class);
            holdNext.set(false);
            j.close();
            assertThat(segments())
                    .as("a checkpoint that did not reach the disk deletes nothing")
                    .containsAll(before);
        } else {
            j.append(entry(4, "after")).get(10, TimeUnit.SECONDS);
            j.close();
            assertThat(segments()).containsExactly("journal-000003.log");
            assertThat(replay(dir)).containsExactly("3:live", "4:after");
        }
    }

    private List<String> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Records handed over as {@link JournalRecord}s are encoded in place in the batch: they must replay as exactly
     * the entries {@link JournalRecord#toEntry()} makes, and one that cannot be encoded (a field over 65535
     * bytes) is refused without disturbing the records around it in the same batch.
     */
    @Test
    void recordsEncodedInPlaceReplayAsTheirEntriesAndABadOneLeavesItsBatchIntact() throws Exception {
        String odd = "ch-\u0000-é-€-\uD83D\uDE00-\uD800";
        List<JournalRecord> records = List.of(
                new JournalRecord.MessageAccepted(odd, "slack", 42L, new byte[] {1, 2, 3, 0, -1}),
                new JournalRecord.RunAccepted("slack-main", "m-1", "run-" + odd),
                new JournalRecord.ReplyRecorded("slack-main", new byte[100_000]), // more than the open batch holds
                new JournalRecord.ReplyAcked("", 5L),
                new JournalRecord.MessageCompleted("ch", odd, "final", 7L));
        ExecutorService loop = testLoop();
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {}, loop);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        CompletableFuture<CompletableFuture<Void>> tooLong = new CompletableFuture<>();
        loop.submit(
                        () -> { // one loop task: every append below lands in the same batch
                            futures.add(j.append(records.get(0)));
                            j.appendNoWait(records.get(1));
                            tooLong.complete(
                                    j.append(new JournalRecord.DeadLettered("ch", "m", "€".repeat(30_000), 1, 2L)));
                            futures.add(j.append(records.get(2)));
                            j.appendNoWait(records.get(3));
                            futures.add(j.append(records.get(4)));
                        })
                .get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> tooLong.get().get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("type 4")
                .hasMessageContaining("65535");
        for (CompletableFuture<Void> f : futures) {
            f.get(10, TimeUnit.SECONDS);
        }
        j.close();
        loop.shutdown();
        List<JournalEntry> replayed = new ArrayList<>();
        Journal.open(dir, JournalOptions.defaults().withFsync(false), FileStore.DEFAULT, replayed::add)
                .close();
        assertThat(replayed).hasSameSizeAs(records);
        for (int i = 0; i < records.size(); i++) {
            assertThat(replayed.get(i).type()).isEqualTo(records.get(i).type());
            assertThat(replayed.get(i).payload())
                    .as("record %d", i)
                    .isEqualTo(records.get(i).toEntry().payload());
        }
    }

    @Test
    void checkpointInterruptedByACrashIsIgnored() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        j.append(entry(1, "kept")).get();
        j.close();
        // a later segment holding a CHECKPOINT_BEGIN and part of a snapshot, but no CHECKPOINT_END
        Path half = dir.resolve("journal-000002.log");
        SegmentFile.readRecords(dir.resolve("journal-000001.log"), e -> {});
        byte[] begin = {0, 0, 0, 0, 0, 0, 0, 0, SegmentFile.CHECKPOINT_BEGIN};
        CRC32C crc = new CRC32C();
        crc.update(SegmentFile.CHECKPOINT_BEGIN);
        ByteBuffer.wrap(begin).putInt(4, (int) crc.getValue());
        Files.write(half, begin);
        assertThat(replay(dir)).containsExactly("1:kept");
        assertThat(half).doesNotExist();
    }

    // ------------------------------------------------------------------ an external loop

    /** Inside a force hook: tells that the force has started, then holds it until released (at most 10 s). */
    private static void hold(CountDownLatch started, CountDownLatch release) {
        started.countDown();
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ExecutorService testLoop() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-loop");
            t.setDaemon(true);
            return t;
        });
    }

    private static List<String> payloads(Path d) throws IOException {
        List<String> out = new ArrayList<>();
        Journal j = Journal.open(
                d,
                JournalOptions.defaults().withFsync(false),
                FileStore.DEFAULT,
                e -> out.add(new String(e.payload(), StandardCharsets.UTF_8)));
        j.close();
        return out;
    }

    /**
     * Appends from 4 threads, in rounds: while the loop is held by a gate task the threads append and attach
     * their dependent actions (so no future can complete before its action is attached, and every action runs
     * where the future completes), then the gate opens. Rounds do not wait for earlier ones, so with fsync
     * later batches are written while earlier ones are still being synced.
     */
    @ParameterizedTest(name = "fsync={0}")
    @ValueSource(booleans = {true, false})
    void futuresCompleteOnTheGivenLoopInTheOrderTheRecordsAreReplayed(boolean fsync) throws Exception {
        ExecutorService loop = testLoop();
        Journal j = Journal.open(dir, JournalOptions.defaults().withFsync(fsync), FileStore.DEFAULT, e -> {}, loop);
        int threads = 4;
        int rounds = 15;
        int perRound = 25;
        List<String> completionOrder = new ArrayList<>(); // only touched on the loop
        List<String> completionThreads = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> actions = Collections.synchronizedList(new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch loopHeld = new CountDownLatch(1);
            loop.execute(() -> {
                loopHeld.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(loopHeld.await(10, TimeUnit.SECONDS)).isTrue();
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> ts = new ArrayList<>();
            int r = round;
            for (int t = 0; t < threads; t++) {
                int tid = t;
                Thread th = new Thread(
                        () -> {
                            try {
                                start.await(10, TimeUnit.SECONDS);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            for (int i = 0; i < perRound; i++) {
                                String payload = "t" + tid + "-" + (r * perRound + i);
                                CompletableFuture<Void> f = j.append(entry(1, payload));
                                actions.add(f.thenRun(() -> {
                                    completionThreads.add(Thread.currentThread().getName());
                                    completionOrder.add(payload);
                                }));
                            }
                        },
                        "appender-" + t);
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join(10_000);
                assertThat(th.isAlive()).isFalse();
            }
            assertThat(actions).hasSize((round + 1) * threads * perRound);
            List<CompletableFuture<Void>> thisRound =
                    List.copyOf(actions.subList(round * threads * perRound, actions.size()));
            assertThat(thisRound.stream().filter(CompletableFuture::isDone).count())
                    .as("completed while the loop is held")
                    .isZero();
            gate.countDown();
        }
        CompletableFuture.allOf(actions.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        // read the loop's list on the loop
        List<String> order = CompletableFuture.supplyAsync(() -> List.copyOf(completionOrder), loop)
                .get(10, TimeUnit.SECONDS);
        j.close();
        loop.shutdown();
        assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        int total = threads * rounds * perRound;
        assertThat(completionThreads).hasSize(total).containsOnly("test-loop");
        assertThat(order).hasSize(total).doesNotHaveDuplicates();
        assertThat(payloads(dir)).as("completion order is replay order").containsExactlyElementsOf(order);
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            List<String> mine = order.stream().filter(s -> s.startsWith(prefix)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < rounds * perRound; i++) {
                expected.add(prefix + i);
            }
            assertThat(mine).as("thread %d in its append order", t).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void failedFsyncFailsThePendingFuturesAndALaterAppendSucceeds() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        AtomicInteger forces = new AtomicInteger();
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {}, () -> {
            forces.incrementAndGet();
            if (broken.get()) {
                throw new IOException("Input/output error");
            }
        });
        ExecutorService loop = testLoop();
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> {}, loop);
        j.append(entry(1, "before")).get(10, TimeUnit.SECONDS);
        assertThat(forces.get()).as("the append was forced").isPositive();
        broken.set(true);
        List<CompletableFuture<Void>> lost = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lost.add(j.append(entry(1, "lost-" + i)));
        }
        List<String> failedOn = Collections.synchronizedList(new ArrayList<>());
        for (CompletableFuture<Void> f : lost) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(JournalException.class, e -> {
                        assertThat(e.getMessage()).contains("fsync").contains("Input/output error");
                        assertThat(e.getCause()).isInstanceOf(IOException.class).hasMessage("Input/output error");
                        assertThat(e.diskFull()).isFalse();
                    });
            f.exceptionally(e -> null)
                    .thenRun(() -> failedOn.add(Thread.currentThread().getName()))
                    .get();
        }
        assertThat(j.lastFailure()).isNotNull();
        assertThat(j.lastFailure().getMessage()).contains("fsync");

        broken.set(false);
        CompletableFuture<Void> after = j.append(entry(1, "after"));
        after.get(10, TimeUnit.SECONDS);
        assertThat(after).isCompleted();
        j.close();
        loop.shutdown();
        assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        // the failed records were written but never acknowledged: they may or may not be there
        List<String> replayed = payloads(dir);
        assertThat(replayed).first().isEqualTo("before");
        assertThat(replayed).last().isEqualTo("after");
    }

    @Test
    void failedFsyncWithTheJournalsOwnLoopAlsoFailsThePendingFutures() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {}, () -> {
            if (broken.get()) {
                throw new IOException("Input/output error");
            }
        });
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> {});
        CompletableFuture<Void> lost = j.append(entry(1, "lost"));
        assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("fsync");
        broken.set(false);
        j.append(entry(1, "after")).get(10, TimeUnit.SECONDS);
        j.close();
        assertThat(payloads(dir)).last().isEqualTo("after");
    }

    @ParameterizedTest(name = "fsync={0}")
    @ValueSource(booleans = {true, false})
    void closeCompletesTheFuturesOfRecordsAppendedJustBeforeIt(boolean fsync) throws Exception {
        ExecutorService loop = testLoop();
        Journal j = Journal.open(dir, JournalOptions.defaults().withFsync(fsync), FileStore.DEFAULT, e -> {}, loop);
        j.append(entry(1, "first")).get(10, TimeUnit.SECONDS);
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        List<String> expected = new ArrayList<>(List.of("first"));
        for (int i = 0; i < 200; i++) {
            pending.add(j.append(entry(1, "late-" + i)));
            expected.add("late-" + i);
        }
        j.appendNoWait(entry(2, "no-wait"));
        expected.add("no-wait");
        j.close();
        // close returns only after the last batch was written (and synced) and its futures completed
        assertThat(pending).allSatisfy(f -> assertThat(f).isCompleted());
        loop.shutdown();
        assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> refused = j.append(entry(1, "too late"));
        assertThatThrownBy(() -> refused.get(1, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("closed");
        assertThat(payloads(dir)).containsExactlyElementsOf(expected);
    }

    /**
     * The class documents "futures complete on the loop, in append order". A batch whose write fails is failed
     * at once on the loop, while the batch before it may still be waiting for its fsync on the syncer: the later
     * record's future then completes first.
     */
    @Test
    void aFailedWriteDoesNotOvertakeAnEarlierBatchStillBeingSynced() throws Exception {
        AtomicBoolean full = new AtomicBoolean();
        CountDownLatch syncing = new CountDownLatch(1);
        CountDownLatch releaseSync = new CountDownLatch(1);
        AtomicBoolean holdSync = new AtomicBoolean();
        FileStore store = file -> new FaultyFileChannel(
                FileStore.DEFAULT.openForAppend(file),
                () -> {
                    if (full.get()) {
                        throw new IOException("No space left on device");
                    }
                },
                () -> {
                    if (holdSync.get()) {
                        hold(syncing, releaseSync);
                    }
                });
        ExecutorService loop = testLoop();
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> {}, loop);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try {
            holdSync.set(true);
            // One batch of many records, committed at once: hold the loop while it accumulates.
            CountDownLatch gate = new CountDownLatch(1);
            loop.execute(() -> {
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<Void> first = j.append(entry(1, "first"));
            for (int i = 0; i < 20; i++) {
                // a batch over the inline-sync size, so that it is synced on the syncer while the loop goes on
                j.append(entry(1, "filler-" + i + "-" + "x".repeat(300)));
            }
            gate.countDown();
            CompletableFuture<Void> a = first.whenComplete((v, e) -> order.add("first"));
            assertThat(syncing.await(10, TimeUnit.SECONDS)).isTrue(); // "first" is written, its fsync in progress
            full.set(true);
            CompletableFuture<Void> second = j.append(entry(1, "second"));
            CompletableFuture<Void> b = second.whenComplete((v, e) -> order.add("second"));
            // let the loop run the failing commit before the sync is released
            CompletableFuture.runAsync(() -> {}, loop).get(10, TimeUnit.SECONDS);
            releaseSync.countDown();
            CompletableFuture.allOf(a.exceptionally(e -> null), b.exceptionally(e -> null))
                    .get(10, TimeUnit.SECONDS);
            assertThat(order).containsExactly("first", "second");
        } finally {
            releaseSync.countDown();
            full.set(false);
            j.close();
            loop.shutdown();
        }
    }

    /**
     * A small batch with nothing else syncing is forced on the loop itself (no round trip through the syncer);
     * a large one, and one that arrives while a sync is in flight, go to the syncer and complete in order.
     */
    @Test
    void quietBatchesAreForcedOnTheLoopOthersOnTheSyncer() throws Exception {
        List<String> forcedOn = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch syncing = new CountDownLatch(1);
        CountDownLatch releaseSync = new CountDownLatch(1);
        AtomicBoolean holdSync = new AtomicBoolean();
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {}, () -> {
            forcedOn.add(Thread.currentThread().getName());
            if (holdSync.get() && Thread.currentThread().getName().equals("journal-sync")) {
                hold(syncing, releaseSync);
            }
        });
        ExecutorService loop = testLoop();
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> {}, loop);
        try {
            j.append(entry(1, "quiet")).get(10, TimeUnit.SECONDS);
            assertThat(forcedOn).containsExactly("test-loop");

            holdSync.set(true);
            CompletableFuture<Void> big = j.append(entry(1, "x".repeat(8000)));
            assertThat(syncing.await(10, TimeUnit.SECONDS))
                    .as("a large batch is synced on the syncer")
                    .isTrue();
            CompletableFuture<Void> small = j.append(entry(1, "behind the big one"));
            CompletableFuture.runAsync(() -> {}, loop).get(10, TimeUnit.SECONDS); // its commit has run
            assertThat(small).as("completes only after the sync before it").isNotDone();

            releaseSync.countDown();
            big.get(10, TimeUnit.SECONDS);
            small.get(10, TimeUnit.SECONDS);
            assertThat(forcedOn.subList(1, forcedOn.size())).isNotEmpty().allMatch(t -> t.equals("journal-sync"));
        } finally {
            releaseSync.countDown();
            j.close();
            loop.shutdown();
        }
        assertThat(payloads(dir)).containsExactly("quiet", "x".repeat(8000), "behind the big one");
    }

    /** After an inline sync as slow as a struggling network volume, syncs go back to the syncer for a while. */
    @Test
    void aSlowInlineSyncSendsTheNextSyncsToTheSyncer() throws Exception {
        List<String> forcedOn = Collections.synchronizedList(new ArrayList<>());
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {}, () -> {
            forcedOn.add(Thread.currentThread().getName());
            if (forcedOn.size() == 1) {
                try {
                    Thread.sleep(Journal.SLOW_INLINE_SYNC_NANOS / 1_000_000 + 10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        ExecutorService loop = testLoop();
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> {}, loop);
        try {
            j.append(entry(1, "slow")).get(10, TimeUnit.SECONDS);
            j.append(entry(1, "next")).get(10, TimeUnit.SECONDS);
            assertThat(forcedOn).containsExactly("test-loop", "journal-sync");
        } finally {
            j.close();
            loop.shutdown();
        }
    }

    /** Progress records nobody waits for ride on the next fsync instead of paying for one of their own. */
    @Test
    void recordsNobodyWaitsForAreForcedWithTheNextBatchNotAlone() throws Exception {
        AtomicInteger forces = new AtomicInteger();
        AtomicInteger batches = new AtomicInteger();
        FileStore store =
                file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {}, forces::incrementAndGet);
        ExecutorService loop = testLoop();
        Journal j = Journal.open(dir, JournalOptions.defaults(), store, e -> {}, loop);
        j.setListener((n, bytes, nanos) -> batches.incrementAndGet());
        try {
            j.appendNoWait(entry(7, "progress"));
            CompletableFuture.runAsync(() -> {}, loop).get(10, TimeUnit.SECONDS); // its commit has run
            assertThat(batches.get()).isEqualTo(1);
            assertThat(forces.get()).as("no fsync for a batch nobody waits for").isZero();
            j.append(entry(1, "message")).get(10, TimeUnit.SECONDS);
            assertThat(forces.get()).as("one fsync, covering both").isEqualTo(1);
        } finally {
            j.close();
            loop.shutdown();
        }
        assertThat(replay(dir)).containsExactly("7:progress", "1:message");
    }

    @Test
    void aRefusalIsToldOutsideTheJournalsLock() throws Exception {
        // A waiter's callback may take its own locks (the reply log's, per channel), which other threads hold while
        // they append: told under the journal's lock, such a callback could deadlock against them.
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        j.close();
        AtomicBoolean otherAppended = new AtomicBoolean();
        CompletableFuture<JournalException> told = new CompletableFuture<>();
        j.append(new JournalRecord.ReplyAcked("ch", 1), failure -> {
            Thread other = new Thread(() -> {
                j.appendNoWait(new JournalRecord.ReplyAcked("ch", 2)); // refused too, after taking the lock
                otherAppended.set(true);
            });
            other.start();
            try {
                other.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            told.complete(failure);
        });
        assertThat(told.get(10, TimeUnit.SECONDS)).hasMessageContaining("closed");
        assertThat(otherAppended)
                .as("another appender got the lock while the refusal was being told")
                .isTrue();
    }
}
