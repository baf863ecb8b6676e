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
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p><b>Group commit.</b> {@link #append} queues a record and returns a future; one dedicated writer thread
 * takes everything queued (up to {@code maxBatch}), writes it with one {@code write}, forces it to disk with
 * one {@code fsync}, then completes every future of the batch in order. Concurrent messages thus share one
 * fsync, and a future completing means the record — and every record appended before it — is on stable
 * storage. Futures complete in append order on a completion thread, so the next write+fsync overlaps the
 * continuations of the previous batch.
 *
 * <p><b>Record format.</b> {@code u32 length | u32 CRC32C(type, payload) | u8 type | payload}, big-endian.
 * On open, records are checked in order; a torn or corrupt record at the tail (a crash mid-write) is cut off
 * with a log line naming the file and offset, and everything before it is replayed.
 *
 * <p><b>Failure.</b> A batch that cannot be written (e.g. {@code No space left on device}) is cut back off the
 * file and all its futures fail with {@link JournalException}: nothing half-written remains, nothing written
 * earlier is touched, and later appends try again.
 *
 * <p><b>Compaction.</b> When the log has grown past twice its size after the last compaction (and past
 * {@code minCompactBytes}), the writer asks the owner for a snapshot of the live state, writes it as a
 * checkpoint ({@code CHECKPOINT_BEGIN … CHECKPOINT_END}) into a fresh segment, fsyncs it, and deletes the older
 * segments. A checkpoint without its end marker (crash during compaction) is ignored on open. Replay must be
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

    /** Observes the writer (metrics). Called on the writer thread. */
    public interface Listener {
        void onBatch(int records, long bytes, long fsyncNanos);

        default void onFailure(JournalException e) {
        }

        Listener NONE = (r, b, n) -> { };
    }

    /** A queued record; {@code done} is null when nobody waits for it, {@code payload} null for {@link #WAKE}. */
    private record Pending(byte type, byte[] payload, CompletableFuture<Void> done) {
    }

    private static final Pending WAKE = new Pending((byte) 0, null, null);

    private final Path dir;
    private final JournalOptions options;
    private final FileStore store;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread writer;
    /**
     * Completes each batch's futures (and so runs the callers' continuations: acks, deliveries) on its own
     * thread, so the writer starts the next write (+fsync) at once instead of waiting for them — the I/O of
     * batch n+1 overlaps the work of batch n. One hand-off per batch, in batch order. Measured: also faster
     * without fsync (the writer otherwise serialises all delivery work behind its writes).
     */
    private final java.util.concurrent.ExecutorService completer;
    private volatile Listener listener = Listener.NONE;
    private volatile Supplier<List<JournalEntry>> snapshotSource;
    private volatile long minCompactBytes = 8L << 20;
    private volatile boolean compactRequested;

    private FileChannel current;
    private int currentIndex;
    private long currentSize;
    private volatile long totalBytes;
    private long bytesAfterLastCompaction;
    private ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    private volatile JournalException lastFailure;

    private Journal(Path dir, JournalOptions options, FileStore store) {
        this.dir = dir;
        this.options = options;
        this.store = store;
        this.writer = new Thread(this::writeLoop, "journal-writer");
        this.writer.setDaemon(true);
        this.completer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "journal-completions");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens (creating if needed) the journal in {@code dir}, hands every intact record to {@code replay} in
     * order (checkpoint markers excluded), cuts off a corrupt tail, and starts the writer.
     */
    public static Journal open(Path dir, JournalOptions options, FileStore store, Consumer<JournalEntry> replay)
            throws IOException {
        Files.createDirectories(dir);
        Journal j = new Journal(dir, options, store);
        j.recover(replay);
        j.writer.start();
        return j;
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    /** Where a compaction gets the live state from; called on the writer thread. */
    public void setSnapshotSource(Supplier<List<JournalEntry>> source, long minCompactBytes) {
        this.snapshotSource = source;
        this.minCompactBytes = minCompactBytes;
    }

    /** Asks for a compaction at the next opportunity (e.g. after recovery). */
    public void requestCompaction() {
        compactRequested = true;
        queue.offer(WAKE); // wake the writer
    }

    /** Bytes currently on disk in all segments. */
    public long sizeBytes() {
        return totalBytes;
    }

    /** Records waiting for the writer. */
    public int backlog() {
        return queue.size();
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
        if (entry.payload().length > MAX_RECORD_BYTES || closed.get()) {
            log.atWarn().addKeyValue("type", entry.type()).addKeyValue("bytes", entry.payload().length)
                    .log(closed.get() ? "journal closed; progress record dropped" : "progress record too large; dropped");
            return;
        }
        queue.offer(new Pending(entry.type(), entry.payload(), null));
    }

    /** Queues an encoded record; see {@link #append(byte, byte[])}. */
    public CompletableFuture<Void> append(JournalEntry entry) {
        return append(entry.type(), entry.payload());
    }

    /**
     * Queues a record. The future completes once it is on stable storage (with {@code fsync=false}: written
     * to the file), or fails with {@link JournalException}.
     */
    public CompletableFuture<Void> append(byte type, byte[] payload) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (payload.length > MAX_RECORD_BYTES) {
            done.completeExceptionally(new JournalException("journal record of " + payload.length
                    + " bytes exceeds the limit of " + MAX_RECORD_BYTES, null));
            return done;
        }
        if (closed.get()) {
            done.completeExceptionally(new JournalException("the journal is closed (bridge shutting down)", null));
            return done;
        }
        queue.offer(new Pending(type, payload, done));
        return done;
    }

    // ------------------------------------------------------------------ writer

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed.get() && queue.isEmpty()) {
                        break;
                    }
                    maybeCompact();
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, options.maxBatch() - 1);
                writeBatch(batch);
                batch.clear();
                maybeRoll();
                maybeCompact();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                log.error("journal writer failed unexpectedly; failing the batch", e);
                JournalException je = new JournalException("journal writer failed: " + e, e);
                complete(batch, je);
                batch.clear();
            }
        }
        try {
            if (current != null) {
                current.force(false);
                current.close();
            }
        } catch (IOException e) {
            log.warn("closing the journal segment failed: {}", e.toString());
        }
    }

    /** Writes (and fsyncs) a batch; true when it is durable. Its futures complete in order (see {@link #completer}). */
    private boolean writeBatch(List<Pending> batch) {
        int size = 0;
        int records = 0;
        for (Pending p : batch) {
            if (p.payload != null) {
                size += HEADER + p.payload.length;
                records++;
            }
        }
        if (records == 0) {
            return true;
        }
        if (buffer.capacity() < size) {
            buffer = ByteBuffer.allocate(Math.max(size, buffer.capacity() * 2));
        }
        buffer.clear();
        CRC32C crc = new CRC32C();
        for (Pending p : batch) {
            if (p.payload == null) {
                continue; // a wake-up marker
            }
            crc.reset();
            crc.update(p.type);
            crc.update(p.payload);
            buffer.putInt(p.payload.length).putInt((int) crc.getValue()).put(p.type).put(p.payload);
        }
        buffer.flip();
        long before = currentSize;
        try {
            while (buffer.hasRemaining()) {
                current.write(buffer);
            }
            long t0 = System.nanoTime();
            if (options.fsync()) {
                current.force(false);
            }
            long fsyncNanos = System.nanoTime() - t0;
            currentSize += size;
            totalBytes += size;
            lastFailure = null;
            listener.onBatch(records, size, fsyncNanos);
            complete(batch, null);
            return true;
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
            listener.onFailure(je);
            complete(batch, je);
            return false;
        }
    }

    /** Completes (or fails, when {@code failure} is set) the batch's futures, in order. */
    private void complete(List<Pending> batch, JournalException failure) {
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (Pending p : batch) {
            if (p.done != null) {
                waiting.add(p.done);
            }
        }
        if (waiting.isEmpty()) {
            return;
        }
        Runnable done = () -> {
            for (CompletableFuture<Void> f : waiting) {
                if (failure == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failure);
                }
            }
        };
        if (completer == null) {
            done.run();
        } else {
            completer.execute(done);
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
            FileChannel next = store.openForAppend(segmentPath(previousIndex + 1));
            next.truncate(0);
            current = next;
            currentIndex = previousIndex + 1;
            currentSize = 0;
            List<Pending> records = new ArrayList<>(snapshot.size() + 2);
            records.add(new Pending(CHECKPOINT_BEGIN, new byte[0], null));
            for (JournalEntry e : snapshot) {
                records.add(new Pending(e.type(), e.payload(), null));
            }
            records.add(new Pending(CHECKPOINT_END, new byte[0], null));
            boolean wasFsync = options.fsync();
            if (!writeBatch(records)) {
                throw new IOException("writing the checkpoint failed", lastFailure);
            }
            if (!wasFsync) {
                current.force(false);
            }
            previous.close();
            long kept = 0;
            for (int i = previousIndex; i >= 0; i--) {
                Path p = segmentPath(i);
                if (Files.deleteIfExists(p)) {
                    kept++;
                }
            }
            fsyncDir();
            totalBytes = currentSize;
            bytesAfterLastCompaction = currentSize;
            log.atInfo().addKeyValue("segmentsDeleted", kept).addKeyValue("bytesBefore", before)
                    .addKeyValue("bytesAfter", currentSize).addKeyValue("liveRecords", snapshot.size())
                    .addKeyValue("millis", (System.nanoTime() - t0) / 1_000_000).log("journal compacted");
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
        for (int k = 0; k < indexes.size(); k++) {
            Path p = segmentPath(indexes.get(k));
            long valid = replaySegment(p, replay);
            long size = Files.size(p);
            if (valid < size) {
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
            currentSize = current.size();
            current.position(currentSize);
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
        FileChannel ch = store.openForAppend(segmentPath(index));
        ch.truncate(0);
        if (current != null) {
            current.force(false);
            if (current != ch) {
                current.close();
            }
        }
        current = ch;
        currentIndex = index;
        currentSize = 0;
        fsyncDir();
    }

    private void fsyncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("directory fsync not supported here: {}", e.toString());
        }
    }

    Path segmentPath(int index) {
        return dir.resolve(String.format("journal-%06d.log", index));
    }

    /** Stops accepting appends, writes and fsyncs everything queued, and closes the file. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            queue.offer(WAKE);
            try {
                writer.join(30_000);
                if (completer != null) {
                    completer.shutdown(); // runs the completions already handed over
                    completer.awaitTermination(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
