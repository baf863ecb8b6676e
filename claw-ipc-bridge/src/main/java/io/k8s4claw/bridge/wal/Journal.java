package io.k8s4claw.bridge.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's write-ahead log: an append-only sequence of checksummed records in segment files
 * ({@code journal-000001.log}, …) in one directory.
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
 * <p><b>Record format.</b> {@code u32 length | u32 CRC32C(type, payload) | u8 type | payload}, big-endian.
 * On open, records are checked in order; a torn or corrupt record at the tail (a crash mid-write) is cut off
 * with a log line naming the file and offset, and everything before it is replayed. Zeros after the last record
 * are a clean end: with fsync the next segment is zero-filled ahead of the roll ({@link SegmentPreparer}), so
 * that appends overwrite existing blocks and an fdatasync has no file-size change to commit.
 *
 * <p><b>Failure.</b> A batch that cannot be written (e.g. {@code No space left on device}) is cut back off the
 * file and all its futures fail with {@link JournalException}: nothing half-written remains, nothing written
 * earlier is touched, and later appends try again. A failed fsync fails the futures it covered (their records
 * may or may not survive; none was acknowledged).
 *
 * <p><b>Compaction.</b> When the log has grown past twice its size after the last compaction (and past
 * {@code minCompactBytes}), the loop takes a snapshot of the live state from the owner and writes it as a
 * checkpoint ({@code CHECKPOINT_BEGIN … CHECKPOINT_END}) into a fresh segment, where appends continue; the
 * syncer then forces it and only after that deletes the older segments (file housekeeping never blocks the
 * loop). A checkpoint without its end marker (crash during compaction) is ignored on open. Replay must be
 * idempotent: records appended while the snapshot was taken can appear in it and after it.
 */
public final class Journal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final Pattern SEGMENT = Pattern.compile("journal-(\\d{6,})\\.log");
    private static final int HEADER = 9;
    /** Records larger than this are refused (a bus frame is at most 16 MiB). */
    public static final int MAX_RECORD_BYTES = 17 << 20;
    public static final byte CHECKPOINT_BEGIN = (byte) 0x7e;
    public static final byte CHECKPOINT_END = (byte) 0x7f;
    /** Batch buffers start at this size and grow with the batches (see {@link #commit}). */
    private static final int BATCH_BUFFER_BYTES = 64 << 10;
    private static final int MAX_KEPT_BUFFER_BYTES = 1 << 20;

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

    /** The future {@link #append(JournalRecord)} returns, completed as its own {@link Completion}. */
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

        default void onFailure(JournalException e) {
        }

        Listener NONE = (r, b, n) -> { };
    }

    /**
     * A written range waiting for the syncer; {@code close} set when its segment is finished with; {@code failure}
     * set for a batch whose write failed — queued anyway so that its refusal does not overtake the completions of
     * earlier batches still being synced; {@code after} is file housekeeping (directory syncs, deleting compacted
     * segments) the syncer runs once {@code channel} is forced — never when that force failed — and before it
     * hands the batch's completions back.
     */
    private record SyncRequest(FileChannel channel, List<Completion> waiters, int records, long bytes,
            boolean close, JournalException failure, Runnable after) {

        SyncRequest(FileChannel channel, List<Completion> waiters, int records, long bytes, boolean close,
                JournalException failure) {
            this(channel, waiters, records, bytes, close, failure, null);
        }
    }

    private static final SyncRequest WAKE = new SyncRequest(null, List.of(), 0, 0, false, null);

    private final Path dir;
    private final JournalOptions options;
    private final FileStore store;
    private final Executor loop;
    /** The loop's thread when the journal made its own (no loop given); shut down on close. */
    private final ExecutorService ownLoop;
    private final Thread syncer;
    /** Zero-fills the next segment ahead of the roll (with fsync only); see {@link SegmentPreparer}. */
    private SegmentPreparer preparer;
    private final LinkedBlockingQueue<SyncRequest> syncQueue = new LinkedBlockingQueue<>();
    private volatile Listener listener = Listener.NONE;
    private volatile Supplier<List<JournalEntry>> snapshotSource;
    private volatile long minCompactBytes = 8L << 20;
    private volatile boolean compactRequested;
    private volatile boolean closed;
    /** Set by {@link #close()} once the last batch was handed to the syncer. */
    private volatile boolean stopSync;

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
    private FileChannel current;
    private int currentIndex;
    private long currentSize;
    private volatile long totalBytes;
    private long bytesAfterLastCompaction;
    private volatile JournalException lastFailure;
    /** Requests handed to the syncer whose completions have not run yet (loop only). */
    private int syncsOutstanding;

    private Journal(Path dir, JournalOptions options, FileStore store, Executor loop) {
        this.dir = dir;
        this.options = options;
        this.store = store;
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
        this.syncer = new Thread(this::syncLoop, "journal-sync");
        this.syncer.setDaemon(true);
        openBatch(ByteBuffer.allocateDirect(BATCH_BUFFER_BYTES));
    }

    /** Opens the journal with its own writer thread as the loop; see {@link #open(Path, JournalOptions, FileStore, Consumer, Executor)}. */
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
    public static Journal open(Path dir, JournalOptions options, FileStore store, Consumer<JournalEntry> replay,
            Executor loop) throws IOException {
        Files.createDirectories(dir);
        Journal j = new Journal(dir, options, store, loop);
        Files.deleteIfExists(dir.resolve(SegmentPreparer.FILE_NAME)); // a crash's leftover, never part of the log
        if (options.fsync() && options.segmentBytes() >= SegmentPreparer.MIN_SEGMENT_BYTES) {
            j.preparer = new SegmentPreparer(dir, options.segmentBytes(), store);
        }
        j.recover(replay);
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
        this.snapshotSource = source;
        this.minCompactBytes = minCompactBytes;
    }

    /** Asks for a compaction at the next opportunity (e.g. after recovery). */
    public void requestCompaction() {
        compactRequested = true;
        scheduleCommit();
    }

    /** Bytes currently on disk in all segments. */
    public long sizeBytes() {
        return totalBytes;
    }

    /** Records waiting to be written. */
    public int backlog() {
        synchronized (lock) {
            return openRecords;
        }
    }

    /** The last write failure, or null once a later batch succeeded. */
    public JournalException lastFailure() {
        return lastFailure;
    }

    /**
     * Queues a record nobody waits for: progress markers (run accepted, message completed, reply acked) whose
     * loss in a crash or a failed batch only costs a redundant, idempotent step on recovery. Saves a future per
     * record; a failed batch is still logged and reported to the {@link Listener}.
     */
    public void appendNoWait(JournalEntry entry) {
        if (entry.payload().length > MAX_RECORD_BYTES || closed) {
            refuse(entry.type(), entry.payload().length, null);
            return;
        }
        enqueue(entry.type(), entry.payload(), null);
    }

    /** Queues an encoded record; see {@link #append(byte, byte[])}. */
    public CompletableFuture<Void> append(JournalEntry entry) {
        return append(entry.type(), entry.payload());
    }

    /**
     * Queues a record, encoded straight into the open batch (no array of its own, no copy): the hot path's
     * records go this way. Same future as {@link #append(byte, byte[])}.
     */
    public CompletableFuture<Void> append(JournalRecord record) {
        FutureCompletion done = new FutureCompletion();
        enqueue(record, done);
        return done;
    }

    /** {@link #append(JournalRecord)} telling {@code done} instead of completing a future. */
    public void append(JournalRecord record, Completion done) {
        enqueue(record, java.util.Objects.requireNonNull(done, "done"));
    }

    /** {@link #appendNoWait(JournalEntry)} for a record encoded straight into the open batch. */
    public void appendNoWait(JournalRecord record) {
        enqueue(record, null);
    }

    private void enqueue(JournalRecord record, Completion done) {
        JournalException refused = null;
        boolean schedule = false;
        synchronized (lock) {
            if (closed) {
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
                        } catch (java.nio.BufferOverflowException full) {
                            open.position(start);
                            int exact = record.size();
                            if (exact > MAX_RECORD_BYTES) {
                                refused = refusal(record.type(), exact, done);
                                break;
                            }
                            ensureOpenRoom(HEADER + exact);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    open.position(start);
                    if (done != null) {
                        refused = new JournalException("journal record of type " + record.type()
                                + " could not be encoded: " + e.getMessage(), e);
                    } else {
                        log.atWarn().addKeyValue("type", record.type()).addKeyValue("error", e.toString())
                                .log("progress record could not be encoded; dropped");
                    }
                }
                if (size >= 0) {
                    crc.reset();
                    crc.update(record.type());
                    crc.update(crcView.limit(start + HEADER + size).position(start + HEADER));
                    open.putInt(start, size).putInt(start + 4, (int) crc.getValue()).put(start + 8, record.type());
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
            log.atWarn().addKeyValue("type", type).addKeyValue("bytes", size)
                    .log(closed ? "journal closed; progress record dropped" : "progress record too large; dropped");
            return null;
        }
        return closed ? new JournalException("the journal is closed (bridge shutting down)", null)
                : new JournalException("journal record of " + size + " bytes exceeds the limit of " + MAX_RECORD_BYTES,
                        null);
    }

    private void refuse(byte type, int size, Completion done) {
        JournalException refused = refusal(type, size, done);
        if (refused != null) {
            done.done(refused);
        }
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

    /**
     * Queues a record. The future completes on the loop once the record is on stable storage (with
     * {@code fsync=false}: written to the file), or fails with {@link JournalException}.
     */
    public CompletableFuture<Void> append(byte type, byte[] payload) {
        FutureCompletion done = new FutureCompletion();
        if (payload.length > MAX_RECORD_BYTES || closed) {
            refuse(type, payload.length, done);
            return done;
        }
        enqueue(type, payload, done);
        return done;
    }

    private void enqueue(byte type, byte[] payload, Completion done) {
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(payload);
        int sum = (int) crc.getValue();
        boolean schedule;
        JournalException refused = null;
        synchronized (lock) {
            if (closed) {
                // close() won the race after the caller's check: the final commit may already be done.
                refused = refusal(type, payload.length, done);
                schedule = false;
            } else {
                ensureOpenRoom(HEADER + payload.length);
                open.putInt(payload.length).putInt(sum).put(type).put(payload);
                schedule = queued(done);
            }
        }
        if (refused != null) {
            done.done(refused);
        }
        if (schedule) {
            runOnLoop(this::commit);
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
        } catch (java.util.concurrent.RejectedExecutionException e) {
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
            maybeRoll();
            maybeCompact();
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

    /** Writes one batch; without fsync completes it, with fsync hands it to the syncer. True when written. */
    private boolean writeBatch(ByteBuffer batch, int records, List<Completion> waiters) {
        batch.flip();
        int size = batch.remaining();
        long before = currentSize;
        try {
            while (batch.hasRemaining()) {
                current.write(batch);
            }
        } catch (IOException e) {
            JournalException je = new JournalException("could not write " + records + " journal record(s) to "
                    + segmentPath(currentIndex) + ": " + e.getMessage(), e);
            lastFailure = je;
            try {
                // Cut the partial batch off so that nothing half-written precedes later records.
                current.truncate(before);
                current.position(before);
            } catch (IOException te) {
                log.error("could not cut a failed batch off {} at offset {}: {}", segmentPath(currentIndex), before,
                        te.toString());
            }
            log.atWarn().addKeyValue("records", records).addKeyValue("error", e.getMessage())
                    .log("journal batch not written; its messages are refused");
            if (options.fsync() && syncsOutstanding > 0) {
                toSyncer(new SyncRequest(null, waiters, records, 0, false, je));
            } else {
                listener.onFailure(je);
                complete(waiters, je);
            }
            return false;
        }
        currentSize += size;
        totalBytes += size;
        lastFailure = null;
        if (preparer != null && currentSize > options.segmentBytes() / 2) {
            preparer.prepare(); // well before the roll, so that it is ready by then
        }
        if (options.fsync() && waiters.isEmpty()) {
            // Only progress records nobody waits for (a ReplyAcked, a RunAccepted): no fsync of their own — the
            // next batch's fdatasync covers them (same file; a retired segment is forced), and losing them in a
            // crash only repeats an idempotent step.
            listener.onBatch(records, size, 0);
        } else if (options.fsync() && syncsOutstanding == 0 && size <= INLINE_SYNC_BYTES
                && System.nanoTime() - lastSlowInlineSync > INLINE_SYNC_BACKOFF_NANOS) {
            syncInline(records, size, waiters);
        } else if (options.fsync()) {
            toSyncer(new SyncRequest(current, waiters, records, size, false, null));
        } else {
            listener.onBatch(records, size, 0);
            complete(waiters, null);
        }
        return true;
    }

    /**
     * A small batch with nothing else syncing: forced right here on the loop. At low load every message would
     * otherwise cross to the syncer and back twice (its record, then its reply's), and on a busy 2-CPU machine
     * each wake-up of another thread can wait milliseconds for a CPU; at high load a sync is nearly always in
     * flight, so batches keep going to the syncer and the loop keeps reading meanwhile.
     */
    private void syncInline(int records, int size, List<Completion> waiters) {
        long t0 = System.nanoTime();
        JournalException outcome = force(current);
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

    private static final int INLINE_SYNC_BYTES = 4096;
    static final long SLOW_INLINE_SYNC_NANOS = 20_000_000;
    private static final long INLINE_SYNC_BACKOFF_NANOS = 1_000_000_000;
    /** When an inline sync last took longer than {@link #SLOW_INLINE_SYNC_NANOS} (loop only). */
    private long lastSlowInlineSync = System.nanoTime() - 2 * INLINE_SYNC_BACKOFF_NANOS;

    /** fdatasync; the failure that refuses the records it covered, or null. */
    private JournalException force(FileChannel channel) {
        try {
            channel.force(false);
            return null;
        } catch (IOException e) {
            JournalException failure = new JournalException("fsync of the write-ahead log failed: " + e.getMessage(),
                    e);
            lastFailure = failure;
            log.atWarn().addKeyValue("error", e.getMessage())
                    .log("journal fsync failed; the messages it covered are refused");
            return failure;
        }
    }

    /** Hands a written range (or a failure, or a finished segment) to the syncer. Loop only. */
    private void toSyncer(SyncRequest r) {
        syncsOutstanding++;
        syncQueue.add(r);
    }

    /**
     * The syncer: one fdatasync covers every range written before it (the loop keeps writing meanwhile, so a
     * busy bridge syncs back to back and each sync carries everything that arrived during the previous one).
     */
    private void syncLoop() {
        List<SyncRequest> requests = new ArrayList<>();
        while (true) {
            try {
                SyncRequest first = syncQueue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stopSync && syncQueue.isEmpty()) {
                        break;
                    }
                    continue;
                }
                requests.add(first);
                syncQueue.drainTo(requests);
                sync(List.copyOf(requests));
                requests.clear();
                if (stopSync && syncQueue.isEmpty()) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private void sync(List<SyncRequest> requests) {
        // Usually one file; after a roll or a compaction the older one too (forced, then closed).
        long t0 = System.nanoTime();
        java.util.Map<FileChannel, JournalException> outcomes = new java.util.IdentityHashMap<>();
        for (SyncRequest r : requests) {
            if (options.fsync() && r.channel != null && r.failure == null && !outcomes.containsKey(r.channel)) {
                outcomes.put(r.channel, force(r.channel));
            }
        }
        long nanos = System.nanoTime() - t0;
        for (SyncRequest r : requests) {
            if (r.after != null && (r.channel == null || outcomes.get(r.channel) == null)) {
                try {
                    r.after.run();
                } catch (RuntimeException e) {
                    log.warn("journal housekeeping failed: {}", e.toString());
                }
            }
            if (r.close) {
                closeQuietly(r.channel);
            }
        }
        int counted = (int) requests.stream().filter(r -> r != WAKE).count();
        runOnLoop(() -> {
            syncsOutstanding -= counted;
            for (SyncRequest r : requests) {
                JournalException outcome = r.failure != null ? r.failure
                        : r.channel == null ? null : outcomes.get(r.channel);
                if (outcome != null) {
                    listener.onFailure(outcome);
                } else if (r.records > 0) {
                    listener.onBatch(r.records, r.bytes, nanos);
                }
                complete(r.waiters, outcome);
            }
        });
    }

    /** Completes (or fails, when {@code failure} is set) the futures, in order. Runs on the loop. */
    private static void complete(List<Completion> waiters, JournalException failure) {
        for (int i = 0; i < waiters.size(); i++) {
            try {
                waiters.get(i).done(failure);
            } catch (RuntimeException e) {
                // one waiter's bug must not keep the rest of the batch from hearing (a future would have kept it)
                log.error("a journal completion callback failed", e);
            }
        }
    }

    /** A segment the loop no longer writes: closed after everything written to it was synced. */
    private void retire(FileChannel old) {
        if (syncer.isAlive()) {
            toSyncer(new SyncRequest(old, List.of(), 0, 0, true, null));
        } else {
            try {
                old.force(false);
            } catch (IOException e) {
                log.warn("forcing a finished journal segment failed: {}", e.toString());
            }
            closeQuietly(old);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.warn("closing a journal segment failed: {}", e.toString());
        }
    }

    private void maybeRoll() {
        if (currentSize < options.segmentBytes()) {
            return;
        }
        try {
            openSegment(currentIndex + 1);
        } catch (IOException e) {
            log.warn("could not start a new journal segment (keeping the current one): {}", e.toString());
        }
    }

    private void maybeCompact() {
        Supplier<List<JournalEntry>> source = snapshotSource;
        if (source == null) {
            return;
        }
        boolean due = totalBytes > minCompactBytes && totalBytes > 2 * bytesAfterLastCompaction;
        if (!due && !compactRequested) {
            return;
        }
        compactRequested = false;
        FileChannel previous = current;
        int previousIndex = currentIndex;
        long previousSize = currentSize;
        long t0 = System.nanoTime();
        long before = totalBytes;
        try {
            List<JournalEntry> snapshot = source.get();
            FileChannel next = newSegmentFile(previousIndex + 1);
            current = next;
            currentIndex = previousIndex + 1;
            currentSize = 0;
            int bytes = checkpointBytes(snapshot);
            ByteBuffer checkpoint = ByteBuffer.allocate(bytes);
            putRecord(checkpoint, CHECKPOINT_BEGIN, new byte[0]);
            for (JournalEntry e : snapshot) {
                putRecord(checkpoint, e.type(), e.payload());
            }
            putRecord(checkpoint, CHECKPOINT_END, new byte[0]);
            checkpoint.flip();
            while (checkpoint.hasRemaining()) {
                next.write(checkpoint);
            }
            currentSize = bytes;
            // The rest is the syncer's, in this order: force the checkpoint (and with it everything appended
            // behind it meanwhile), make the new file's name durable, only then delete the older segments. Until
            // the force, a crash finds the checkpoint without its end marker, drops it and replays the older
            // segments, which are still there; no record behind the checkpoint was acknowledged, since that
            // needs the same force.
            toSyncer(new SyncRequest(next, List.of(), 0, 0, false, null,
                    () -> deleteCompacted(previousIndex, before, bytes, snapshot.size())));
            retire(previous);
            totalBytes = currentSize;
            bytesAfterLastCompaction = currentSize;
            log.atDebug().addKeyValue("liveRecords", snapshot.size())
                    .addKeyValue("loopMillis", (System.nanoTime() - t0) / 1_000_000)
                    .log("journal checkpoint written; older segments go once it is on disk");
        } catch (IOException e) {
            log.warn("journal compaction failed, keeping the old segments: {}", e.toString());
            // Drop the half-written checkpoint segment; keep appending to the previous one.
            if (current != previous) {
                try {
                    current.close();
                    Files.deleteIfExists(segmentPath(currentIndex));
                } catch (IOException ignored) {
                    // it lacks CHECKPOINT_END, so open() ignores it anyway
                }
                current = previous;
                currentIndex = previousIndex;
                currentSize = previousSize;
            }
            bytesAfterLastCompaction = totalBytes; // do not retry on every batch
        }
    }

    private static int checkpointBytes(List<JournalEntry> snapshot) {
        int bytes = 2 * HEADER; // the begin and end markers
        for (JournalEntry e : snapshot) {
            bytes += HEADER + e.payload().length;
        }
        return bytes;
    }

    /** The syncer's half of a compaction, after the checkpoint segment was forced. */
    private void deleteCompacted(int previousIndex, long bytesBefore, long bytesAfter, int liveRecords) {
        long t0 = System.nanoTime();
        fsyncDir();
        long deleted = 0;
        for (int i = previousIndex; i >= 0; i--) {
            try {
                if (Files.deleteIfExists(segmentPath(i))) {
                    deleted++;
                }
            } catch (IOException e) {
                // harmless: open() starts at the newest complete checkpoint and removes what precedes it
                log.warn("could not delete compacted journal segment {}: {}", segmentPath(i), e.toString());
            }
        }
        fsyncDir();
        log.atInfo().addKeyValue("segmentsDeleted", deleted).addKeyValue("bytesBefore", bytesBefore)
                .addKeyValue("bytesAfter", bytesAfter).addKeyValue("liveRecords", liveRecords)
                .addKeyValue("millis", (System.nanoTime() - t0) / 1_000_000).log("journal compacted");
    }

    private static void putRecord(ByteBuffer out, byte type, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(payload);
        out.putInt(payload.length).putInt((int) crc.getValue()).put(type).put(payload);
    }

    // ------------------------------------------------------------------ recovery

    private void recover(Consumer<JournalEntry> replay) throws IOException {
        List<Integer> indexes = listSegments();
        // Start at the newest complete checkpoint; an incomplete one (crash while compacting) is removed.
        int start = 0;
        for (int i = indexes.size() - 1; i >= 0; i--) {
            CheckpointState state = checkpointState(segmentPath(indexes.get(i)));
            if (state == CheckpointState.COMPLETE) {
                start = i;
                break;
            }
            if (state == CheckpointState.INCOMPLETE) {
                log.warn("removing journal segment {}: a checkpoint interrupted by a crash (older segments are intact)",
                        segmentPath(indexes.get(i)));
                Files.delete(segmentPath(indexes.get(i)));
                indexes.remove(i);
            }
        }
        for (int i = 0; i < start; i++) {
            Files.deleteIfExists(segmentPath(indexes.get(i)));
        }
        indexes = indexes.subList(start, indexes.size());
        long total = 0;
        long lastValid = 0;
        for (int k = 0; k < indexes.size(); k++) {
            Path p = segmentPath(indexes.get(k));
            long valid = replaySegment(p, replay);
            long size = Files.size(p);
            lastValid = valid;
            if (valid < size && zeroFrom(p, valid)) {
                // the unused, zero-filled end of a prepared segment: the log's clean end, kept for the appends
                log.atDebug().addKeyValue("file", p).addKeyValue("offset", valid).log("journal segment ends here");
            } else if (valid < size) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    ch.truncate(valid);
                    ch.force(true);
                }
                log.atWarn().addKeyValue("file", p).addKeyValue("offset", valid).addKeyValue("droppedBytes", size - valid)
                        .log("journal tail was torn or corrupt (crash during a write); cut off at the last intact record."
                                + " Nothing acknowledged is lost: acks are sent only after a record is on disk");
                if (k < indexes.size() - 1) {
                    log.error("corruption in the middle of the journal ({} is not the newest segment); records after "
                            + "offset {} of that segment were skipped", p, valid);
                }
            }
            total += valid;
        }
        totalBytes = total;
        bytesAfterLastCompaction = total;
        if (indexes.isEmpty()) {
            openSegment(1);
        } else {
            int last = indexes.get(indexes.size() - 1);
            currentIndex = last;
            current = store.openForAppend(segmentPath(last));
            currentSize = lastValid;
            current.position(currentSize);
        }
    }

    /** True when every byte of {@code p} from {@code offset} on is zero (never an intact record: its CRC is not 0). */
    private static boolean zeroFrom(Path p, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            byte[] zeros = new byte[64 << 10];
            ByteBuffer buf = ByteBuffer.allocate(zeros.length);
            long pos = offset;
            int n;
            while ((n = ch.read(buf.clear(), pos)) > 0) {
                if (java.util.Arrays.mismatch(buf.array(), 0, n, zeros, 0, n) >= 0) {
                    return false;
                }
                pos += n;
            }
            return true;
        }
    }

    private enum CheckpointState { NONE, COMPLETE, INCOMPLETE }

    private CheckpointState checkpointState(Path p) throws IOException {
        boolean[] begin = {false};
        boolean[] end = {false};
        boolean[] firstSeen = {false};
        readRecords(p, e -> {
            if (!firstSeen[0]) {
                firstSeen[0] = true;
                begin[0] = e.type() == CHECKPOINT_BEGIN;
            }
            if (e.type() == CHECKPOINT_END) {
                end[0] = true;
            }
        });
        if (!begin[0]) {
            return CheckpointState.NONE;
        }
        return end[0] ? CheckpointState.COMPLETE : CheckpointState.INCOMPLETE;
    }

    private long replaySegment(Path p, Consumer<JournalEntry> replay) throws IOException {
        return readRecords(p, e -> {
            if (e.type() != CHECKPOINT_BEGIN && e.type() != CHECKPOINT_END) {
                replay.accept(e);
            }
        });
    }

    /** Reads intact records; returns the offset after the last intact one. */
    static long readRecords(Path p, Consumer<JournalEntry> sink) throws IOException {
        long offset = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            CRC32C crc = new CRC32C();
            while (offset + HEADER <= size) {
                header.clear();
                readFully(ch, header, offset);
                header.flip();
                int len = header.getInt();
                int sum = header.getInt();
                byte type = header.get();
                if (len < 0 || len > MAX_RECORD_BYTES || offset + HEADER + len > size) {
                    break;
                }
                ByteBuffer payload = ByteBuffer.allocate(len);
                readFully(ch, payload, offset + HEADER);
                crc.reset();
                crc.update(type);
                crc.update(payload.array());
                if ((int) crc.getValue() != sum) {
                    break;
                }
                sink.accept(new JournalEntry(type, payload.array()));
                offset += HEADER + len;
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        return offset;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException("unexpected end of " + ch);
            }
            pos += n;
        }
    }

    private List<Integer> listSegments() throws IOException {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                Matcher m = SEGMENT.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            });
        }
        out.sort(null);
        return out;
    }

    private void openSegment(int index) throws IOException {
        FileChannel ch = newSegmentFile(index);
        if (current != null && current != ch) {
            retire(current);
        }
        current = ch;
        currentIndex = index;
        currentSize = 0;
        if (syncer.isAlive()) {
            // The new file's name must be durable before anything in it is acknowledged: the syncer runs this
            // before it hands back the completions of this batch or any later one.
            toSyncer(new SyncRequest(null, List.of(), 0, 0, false, null, this::fsyncDir));
        } else {
            fsyncDir();
        }
    }

    /** The prepared (zero-filled) segment when there is one, else an empty file; positioned at 0. */
    private FileChannel newSegmentFile(int index) throws IOException {
        FileChannel ch = preparer == null ? null : preparer.take(segmentPath(index));
        if (ch == null) {
            ch = store.openForAppend(segmentPath(index));
            ch.truncate(0);
        }
        return ch;
    }

    private void fsyncDir() {
        if (!options.fsync()) {
            return; // no durability promised (benchmarks, tests): nothing to make durable
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("directory fsync not supported here: {}", e.toString());
        }
    }

    Path segmentPath(int index) {
        return dir.resolve(String.format("journal-%06d.log", index));
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
            stopSync = true;
            syncQueue.add(WAKE); // the syncer exits once it has synced everything before this
            syncer.join(30_000);
            CompletableFuture<Void> closedFile = new CompletableFuture<>();
            runOnLoop(() -> {
                try {
                    current.force(false);
                    current.close();
                } catch (IOException e) {
                    log.warn("closing the journal segment failed: {}", e.toString());
                }
                closedFile.complete(null);
            });
            closedFile.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
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
