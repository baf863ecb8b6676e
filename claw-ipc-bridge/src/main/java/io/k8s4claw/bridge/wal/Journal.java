package io.k8s4claw.bridge.wal;

import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's write-ahead log: an append-only sequence of checksummed records in segment files
 * ({@code journal-000001.log}, …) in one directory. This class batches appends and commits them (BookKeeper's
 * {@code Journal}); the parts it drives are {@link JournalSyncer} (the fsync thread), {@link Segments} (the
 * active segment and the roll), {@link JournalCompactor} (checkpoints), {@link JournalLoader} (recovery) and
 * {@link SegmentFile} (the format on disk, with its versioned header).
 *
 * <p><b>Threads.</b> {@link #append} may be called from any thread: it encodes the record into the open batch
 * under a short lock and makes sure a commit is scheduled on the journal's <em>loop</em> — a single-threaded
 * executor; in the bridge, the bus event loop that owns all delivery state. The commit writes the whole batch
 * with one {@code write}. Without fsync its futures then complete right there, on the loop. With fsync the
 * written range goes to the <em>syncer</em> thread, which forces it (one {@code fdatasync} for everything
 * written since its last one) and hands the completions back to the loop in one task. So a group commit costs
 * one hand-off each way whatever its size, appends made on the loop (acks, deliveries, replies of one read
 * batch) share a commit without any hand-off, and the loop goes on reading and writing the next batch while the
 * disk syncs the previous one. A small batch with no sync in flight (a quiet bridge) is forced on the loop itself,
 * sparing two thread hand-offs.
 * Futures complete on the loop, in append order; a future completing means the
 * record — and every record appended before it — is on stable storage. Never block the loop on one.
 *
 * <p><b>Failure.</b> A batch that cannot be written (e.g. {@code No space left on device}) is cut back off the
 * file and all its futures fail with {@link JournalException}: nothing half-written remains, nothing written
 * earlier is touched, and later appends try again. A failed fsync fails the futures it covered (their records
 * may or may not survive; none was acknowledged).
 */
public final class Journal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final int HEADER = SegmentFile.RECORD_HEADER_BYTES;
    /** Batch buffers start at this size and grow with the batches (see {@link #commit}). */
    private static final int BATCH_BUFFER_BYTES = 64 << 10;

    private static final int MAX_KEPT_BUFFER_BYTES = 1 << 20;
    private static final int INLINE_SYNC_BYTES = 4096;
    static final long SLOW_INLINE_SYNC_NANOS = 20_000_000;
    private static final long INLINE_SYNC_BACKOFF_NANOS = 1_000_000_000;

    /**
     * Told once a record is stored ({@code failure} null: on stable storage, or with {@code fsync=false} written
     * to the file) or could not be ({@code failure} says why). Called on the loop, in append order — except a
     * refusal (journal closed, record too large or not encodable), told at once on the appending thread. The hot
     * path's alternative to a future per record.
     */
    @FunctionalInterface
    public interface Completion {
        void done(JournalException failure);
    }

    /** The future {@link #append(EncodableRecord)} returns, completed as its own {@link Completion}. */
    private static final class FutureCompletion extends CompletableFuture<Void> implements Completion {
        @Override
        public void done(JournalException failure) {
            if (failure == null) {
                complete(null);
            } else {
                completeExceptionally(failure);
            }
        }
    }

    /** Observes the writer (metrics). Called on the loop. */
    public interface Listener {
        void onBatch(int records, long bytes, long fsyncNanos);

        default void onFailure(JournalException e) {}

        Listener NONE = (r, b, n) -> {};
    }

    private final JournalOptions options;
    private final Executor loop;
    /** The loop's thread when the journal made its own (no loop given); shut down on close. */
    private final ExecutorService ownLoop;

    private final JournalSyncer syncer;
    private final SegmentPreparer preparer;
    private final Segments segments;
    private final JournalCompactor compactor;
    private volatile Listener listener = Listener.NONE;
    private volatile boolean closed;

    // The open batch: guarded by `lock`.
    private final Object lock = new Object();
    private ByteBuffer open;
    /** Encodes records into {@link #open}; set with it by {@link #openBatch}. */
    private JournalRecord.RecordWriter writer;
    /** A second view of {@link #open} the CRC reads a record through; set with it by {@link #openBatch}. */
    private ByteBuffer crcView;

    private final CRC32C crc = new CRC32C();
    private int openRecords;
    private ArrayList<Completion> openWaiters = new ArrayList<>();
    private boolean commitScheduled;

    // The loop's own state.
    private ByteBuffer spare = ByteBuffer.allocateDirect(BATCH_BUFFER_BYTES);
    private volatile JournalException lastFailure;
    /** When an inline sync last took longer than {@link #SLOW_INLINE_SYNC_NANOS} (loop only). */
    private long lastSlowInlineSync = System.nanoTime() - 2 * INLINE_SYNC_BACKOFF_NANOS;

    private Journal(Path dir, JournalOptions options, FileStore store, Executor loop) {
        this.options = options;
        if (loop == null) {
            this.ownLoop = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "journal-writer");
                t.setDaemon(true);
                return t;
            });
            this.loop = ownLoop;
        } else {
            this.ownLoop = null;
            this.loop = loop;
        }
        this.syncer = new JournalSyncer(options.fsync(), new JournalSyncer.Owner() {
            @Override
            public void runOnLoop(Runnable task) {
                Journal.this.runOnLoop(task);
            }

            @Override
            public Listener listener() {
                return listener;
            }

            @Override
            public void failed(JournalException failure) {
                lastFailure = failure;
            }
        });
        this.preparer = options.fsync() && options.segmentBytes() >= SegmentPreparer.MIN_SEGMENT_BYTES
                ? new SegmentPreparer(dir, options.segmentBytes(), store)
                : null;
        this.segments = new Segments(dir, options, store, syncer, preparer);
        this.compactor = new JournalCompactor(segments, syncer);
        openBatch(ByteBuffer.allocateDirect(BATCH_BUFFER_BYTES));
    }

    /**
     * Opens the journal with its own writer thread as the loop; see
     * {@link #open(Path, JournalOptions, FileStore, Consumer, Executor)}.
     */
    public static Journal open(Path dir, JournalOptions options, FileStore store, Consumer<JournalEntry> replay)
            throws IOException {
        return open(dir, options, store, replay, null);
    }

    /**
     * Opens (creating if needed) the journal in {@code dir}, hands every intact record to {@code replay} in
     * order (checkpoint markers excluded), and cuts off a corrupt tail.
     *
     * @param loop single-threaded executor that runs commits and completes futures (null: a thread of its own).
     *             It must outlive the journal: shut it down only after {@link #close()}.
     */
    public static Journal open(
            Path dir, JournalOptions options, FileStore store, Consumer<JournalEntry> replay, Executor loop)
            throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(SegmentPreparer.FILE_NAME)); // a crash's leftover, never part of the log
        Journal j = new Journal(dir, options, store, loop);
        JournalLoader.recover(dir, j.segments, replay);
        j.compactor.recovered(j.segments.totalBytes());
        // Started without fsync too: it also does the file housekeeping (directory syncs, deleting compacted
        // segments, closing retired ones) that would otherwise stall the loop for tens of milliseconds.
        j.syncer.start();
        return j;
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    /** Where a compaction gets the live state from; called on the loop. */
    public void setSnapshotSource(Supplier<List<JournalEntry>> source, long minCompactBytes) {
        compactor.setSnapshotSource(source, minCompactBytes);
    }

    /** Asks for a compaction at the next opportunity (e.g. after recovery). */
    public void requestCompaction() {
        compactor.request();
        scheduleCommit();
    }

    /** Bytes currently on disk in all segments. */
    public long sizeBytes() {
        return segments.totalBytes();
    }

    /** The last write failure, or null once a later batch succeeded. */
    public JournalException lastFailure() {
        return lastFailure;
    }

    /**
     * Queues a record, encoded straight into the open batch (no array of its own, no copy). The future completes
     * on the loop once the record is on stable storage (with {@code fsync=false}: written to the file), or fails
     * with {@link JournalException}.
     */
    public CompletableFuture<Void> append(EncodableRecord record) {
        FutureCompletion done = new FutureCompletion();
        enqueue(record, done);
        return done;
    }

    /** {@link #append(EncodableRecord)} telling {@code done} instead of completing a future. */
    public void append(EncodableRecord record, Completion done) {
        enqueue(record, Objects.requireNonNull(done, "done"));
    }

    /**
     * Queues a record nobody waits for: progress markers (run accepted, message completed, reply acked) whose
     * loss in a crash or a failed batch only costs a redundant, idempotent step on recovery. Saves a future per
     * record; a failed batch is still logged and reported to the {@link Listener}.
     */
    public void appendNoWait(EncodableRecord record) {
        enqueue(record, null);
    }

    private void enqueue(EncodableRecord record, Completion done) {
        JournalException refused = null;
        boolean schedule = false;
        synchronized (lock) {
            if (closed) {
                // close() won the race: the final commit may already be done
                refused = refusal(record.type(), 0, done);
            } else {
                // Written optimistically into the room there is: sizing a record first walks its strings once more.
                // Only a record that does not fit is sized, and the batch grown to take it.
                ensureOpenRoom(HEADER + 512);
                int start = open.position();
                int size = -1;
                try {
                    while (true) {
                        open.position(start + HEADER);
                        try {
                            record.write(writer);
                            size = open.position() - start - HEADER;
                            break;
                        } catch (BufferOverflowException full) {
                            open.position(start);
                            int exact = record.size();
                            if (exact > SegmentFile.MAX_RECORD_BYTES) {
                                refused = refusal(record.type(), exact, done);
                                break;
                            }
                            ensureOpenRoom(HEADER + exact);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    open.position(start);
                    if (done != null) {
                        refused = new JournalException(
                                "journal record of type " + record.type() + " could not be encoded: " + e.getMessage(),
                                e);
                    } else {
                        log.atWarn()
                                .addKeyValue("type", record.type())
                                .addKeyValue("error", e.toString())
                                .log("progress record could not be encoded; dropped");
                    }
                }
                if (size > SegmentFile.MAX_RECORD_BYTES) {
                    // too large, though it fitted a batch grown for earlier records
                    open.position(start);
                    refused = refusal(record.type(), size, done);
                    size = -1;
                }
                if (size >= 0) {
                    crc.reset();
                    crc.update(record.type());
                    crc.update(crcView.limit(start + HEADER + size).position(start + HEADER));
                    open.putInt(start, size)
                            .putInt(start + 4, (int) crc.getValue())
                            .put(start + 8, record.type());
                    schedule = queued(done);
                }
            }
        }
        // Told outside the lock: a waiter's callback may take its own locks, which others hold while appending.
        if (refused != null) {
            done.done(refused);
        }
        if (schedule) {
            runOnLoop(this::commit);
        }
    }

    /** Counts a record just put into the open batch; true when a commit must be scheduled. Under {@code lock}. */
    private boolean queued(Completion done) {
        openRecords++;
        if (done != null) {
            openWaiters.add(done);
        }
        boolean schedule = !commitScheduled;
        commitScheduled = true;
        return schedule;
    }

    /**
     * Why a record is refused, for {@code done} to be told once the caller is outside {@code lock}; null (and the
     * drop logged) for a progress record nobody waits for.
     */
    private JournalException refusal(byte type, int size, Completion done) {
        if (done == null) {
            log.atWarn()
                    .addKeyValue("type", type)
                    .addKeyValue("bytes", size)
                    .log(closed ? "journal closed; progress record dropped" : "progress record too large; dropped");
            return null;
        }
        return closed
                ? new JournalException("the journal is closed (bridge shutting down)", null)
                : new JournalException(
                        "journal record of " + size + " bytes exceeds the limit of " + SegmentFile.MAX_RECORD_BYTES,
                        null);
    }

    /** Makes {@code batch} the open batch, with the writer and CRC view that work on it. Under {@code lock}. */
    private void openBatch(ByteBuffer batch) {
        open = batch;
        writer = new JournalRecord.RecordWriter(batch);
        crcView = batch.duplicate();
    }

    /** Grows the open batch to take {@code need} more bytes. Under {@code lock}. */
    private void ensureOpenRoom(int need) {
        if (open.remaining() < need) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(open.capacity() * 2, open.position() + need));
            open.flip();
            bigger.put(open);
            openBatch(bigger);
        }
    }

    private void scheduleCommit() {
        boolean schedule;
        synchronized (lock) {
            schedule = !commitScheduled;
            commitScheduled = true;
        }
        if (schedule) {
            runOnLoop(this::commit);
        }
    }

    private void runOnLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The loop is gone (shutdown ordering bug in the owner): do not strand the batch.
            log.warn("journal loop rejected a commit; committing on the caller's thread");
            synchronized (this) {
                task.run();
            }
        }
    }

    // ------------------------------------------------------------------ the loop: write, then sync

    /** Writes everything appended so far with one write; runs on the loop (one at a time). */
    private void commit() {
        ByteBuffer batch;
        int records;
        ArrayList<Completion> waiters;
        synchronized (lock) {
            commitScheduled = false;
            batch = open;
            records = openRecords;
            waiters = openWaiters;
            openBatch(spare != null ? spare : ByteBuffer.allocateDirect(BATCH_BUFFER_BYTES));
            openRecords = 0;
            // sized like the batch just taken: a busy loop's batches hold hundreds of waiters, and growing the
            // list from ten every commit copied it over and over
            openWaiters = new ArrayList<>(Math.max(16, waiters.size()));
        }
        spare = null;
        try {
            if (records > 0) {
                writeBatch(batch, records, waiters);
            }
            segments.maybeRoll();
            compactor.maybeCompact();
        } catch (RuntimeException | Error e) {
            log.error("journal commit failed unexpectedly; failing the batch", e);
            complete(waiters, new JournalException("journal writer failed: " + e, e));
        } finally {
            batch.clear();
            // A buffer grown for a busy moment is kept (direct memory is only returned at a GC, so replacing it
            // every time would pile up garbage outside the heap); only one grown for a giant record is dropped.
            spare = batch.capacity() > MAX_KEPT_BUFFER_BYTES ? ByteBuffer.allocateDirect(BATCH_BUFFER_BYTES) : batch;
        }
    }

    /** Writes one batch; without fsync completes it, with fsync hands it to the syncer (or forces it inline). */
    private void writeBatch(ByteBuffer batch, int records, List<Completion> waiters) {
        batch.flip();
        int size = batch.remaining();
        try {
            segments.write(batch);
        } catch (IOException e) {
            JournalException je = new JournalException(
                    "could not write " + records + " journal record(s) to " + segments.path(segments.currentIndex())
                            + ": " + e.getMessage(),
                    e);
            lastFailure = je;
            log.atWarn()
                    .addKeyValue("records", records)
                    .addKeyValue("error", e.getMessage())
                    .log("journal batch not written; its messages are refused");
            if (options.fsync() && syncer.outstanding() > 0) {
                syncer.submit(JournalSyncer.SyncRequest.failed(waiters, records, je));
            } else {
                listener.onFailure(je);
                complete(waiters, je);
            }
            return;
        }
        lastFailure = null;
        if (options.fsync() && waiters.isEmpty()) {
            // Only progress records nobody waits for (a ReplyAcked, a RunAccepted): no fsync of their own — the
            // next batch's fdatasync covers them (same file; a retired segment is forced), and losing them in a
            // crash only repeats an idempotent step.
            listener.onBatch(records, size, 0);
        } else if (options.fsync()
                && syncer.outstanding() == 0
                && size <= INLINE_SYNC_BYTES
                && System.nanoTime() - lastSlowInlineSync > INLINE_SYNC_BACKOFF_NANOS) {
            syncInline(records, size, waiters);
        } else if (options.fsync()) {
            syncer.submit(JournalSyncer.SyncRequest.batch(segments.current(), waiters, records, size));
        } else {
            listener.onBatch(records, size, 0);
            complete(waiters, null);
        }
    }

    /**
     * A small batch with nothing else syncing: forced right here on the loop. At low load every message would
     * otherwise cross to the syncer and back twice (its record, then its reply's), and on a busy 2-CPU machine
     * each wake-up of another thread can wait milliseconds for a CPU; at high load a sync is nearly always in
     * flight, so batches keep going to the syncer and the loop keeps reading meanwhile.
     */
    private void syncInline(int records, int size, List<Completion> waiters) {
        long t0 = System.nanoTime();
        JournalException outcome = syncer.force(segments.current());
        long nanos = System.nanoTime() - t0;
        if (nanos > SLOW_INLINE_SYNC_NANOS) {
            // A disk this slow (a struggling network volume) would hold every connection's reads and
            // heartbeats while it syncs: leave the syncs to the syncer for a while.
            lastSlowInlineSync = System.nanoTime();
        }
        if (outcome != null) {
            listener.onFailure(outcome);
        } else {
            listener.onBatch(records, size, nanos);
        }
        complete(waiters, outcome);
    }

    /** Completes (or fails, when {@code failure} is set) the futures, in order. Runs on the loop. */
    static void complete(List<Completion> waiters, JournalException failure) {
        for (int i = 0; i < waiters.size(); i++) {
            try {
                waiters.get(i).done(failure);
            } catch (RuntimeException e) {
                // one waiter's bug must not keep the rest of the batch from hearing (a future would have kept it)
                log.error("a journal completion callback failed", e);
            }
        }
    }

    /** Stops accepting appends, writes and fsyncs everything appended, and closes the file. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true; // under the lock: every append either precedes the final commit or is refused
        }
        CompletableFuture<Void> last = new CompletableFuture<>();
        runOnLoop(() -> {
            commit();
            last.complete(null);
        });
        try {
            last.get(30, TimeUnit.SECONDS);
            syncer.stop(); // exits once it has synced everything handed over before
            CompletableFuture<Void> closedFile = new CompletableFuture<>();
            runOnLoop(() -> {
                segments.closeCurrent();
                closedFile.complete(null);
            });
            closedFile.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("closing the journal did not finish: {}", e.toString());
        }
        if (preparer != null) {
            preparer.close();
        }
        if (ownLoop != null) {
            ownLoop.shutdown();
        }
    }
}
