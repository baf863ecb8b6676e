package io.k8s4claw.bridge.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment files of one journal directory as the loop writes them (Kafka's {@code LogSegments} and roll): the
 * active segment appends go to, the roll to the next one past {@link JournalOptions#segmentBytes()}, retiring the
 * old one through the syncer, and the directory syncs that make a new file's name durable. Loop-confined except
 * {@link #totalBytes()}.
 */
final class Segments {

    private static final Logger log = LoggerFactory.getLogger(Segments.class);

    private final Path dir;
    private final JournalOptions options;
    private final FileStore store;
    private final JournalSyncer syncer;
    /** Zero-fills the next segment ahead of the roll (with fsync only); see {@link SegmentPreparer}. */
    private final SegmentPreparer preparer;

    private FileChannel current;
    private int currentIndex;
    private long currentSize;
    private volatile long totalBytes;

    Segments(Path dir, JournalOptions options, FileStore store, JournalSyncer syncer, SegmentPreparer preparer) {
        this.dir = dir;
        this.options = options;
        this.store = store;
        this.syncer = syncer;
        this.preparer = preparer;
    }

    /** Continues appending to a recovered segment, at {@code size} (the end of its intact records). */
    void resume(int index, long size, long total) throws IOException {
        current = store.openForAppend(path(index));
        currentIndex = index;
        currentSize = size;
        current.position(size);
        totalBytes = total;
    }

    /** Bytes in all segments. */
    long totalBytes() {
        return totalBytes;
    }

    void setTotalBytes(long bytes) {
        totalBytes = bytes;
    }

    FileChannel current() {
        return current;
    }

    int currentIndex() {
        return currentIndex;
    }

    Path path(int index) {
        return SegmentFile.path(dir, index);
    }

    /**
     * Writes {@code batch} to the active segment. A batch that fails is cut back off the file, so that nothing
     * half-written precedes later records, and the failure thrown.
     */
    void write(ByteBuffer batch) throws IOException {
        int size = batch.remaining();
        long before = currentSize;
        try {
            while (batch.hasRemaining()) {
                current.write(batch);
            }
        } catch (IOException e) {
            try {
                current.truncate(before);
                current.position(before);
            } catch (IOException te) {
                log.error(
                        "could not cut a failed batch off {} at offset {}: {}",
                        path(currentIndex),
                        before,
                        te.toString());
            }
            throw e;
        }
        currentSize += size;
        totalBytes += size;
        if (preparer != null && currentSize > options.segmentBytes() / 2) {
            preparer.prepare(); // well before the roll, so that it is ready by then
        }
    }

    /** Starts the next segment once the active one is full. */
    void maybeRoll() {
        if (currentSize < options.segmentBytes()) {
            return;
        }
        try {
            start(currentIndex + 1);
        } catch (IOException e) {
            log.warn("could not start a new journal segment (keeping the current one): {}", e.toString());
        }
    }

    /** Makes a new, empty segment {@code index} the active one; the previous one is retired. */
    void start(int index) throws IOException {
        FileChannel ch = create(index);
        if (current != null && current != ch) {
            retire(current);
        }
        current = ch;
        currentIndex = index;
        currentSize = SegmentFile.HEADER_BYTES;
        totalBytes += SegmentFile.HEADER_BYTES;
        if (syncer.isAlive()) {
            // The new file's name must be durable before anything in it is acknowledged: the syncer runs this
            // before it hands back the completions of this batch or any later one.
            syncer.submit(JournalSyncer.SyncRequest.after(null, this::fsyncDir));
        } else {
            fsyncDir();
        }
    }

    /**
     * Makes {@code next} — segment {@code index}, already holding {@code size} bytes (a checkpoint) — the active
     * segment, and returns the one it replaces (the caller retires it once its housekeeping is queued).
     */
    FileChannel replaceWith(FileChannel next, int index, long size) {
        FileChannel previous = current;
        current = next;
        currentIndex = index;
        currentSize = size;
        return previous;
    }

    /**
     * A new segment file with the current format's header, positioned after it: the prepared (zero-filled)
     * segment when there is one, else an empty file.
     */
    FileChannel create(int index) throws IOException {
        FileChannel ch = preparer == null ? null : preparer.take(path(index));
        if (ch == null) {
            ch = store.openForAppend(path(index));
            ch.truncate(0);
        }
        try {
            SegmentFile.writeHeader(ch);
        } catch (IOException e) {
            JournalSyncer.closeQuietly(ch);
            throw e;
        }
        return ch;
    }

    /** A segment the loop no longer writes: closed after everything written to it was synced. */
    void retire(FileChannel old) {
        if (syncer.isAlive()) {
            syncer.submit(JournalSyncer.SyncRequest.retired(old));
        } else {
            try {
                old.force(false);
            } catch (IOException e) {
                log.warn("forcing a finished journal segment failed: {}", e.toString());
            }
            JournalSyncer.closeQuietly(old);
        }
    }

    void fsyncDir() {
        if (!options.fsync()) {
            return; // no durability promised (benchmarks, tests): nothing to make durable
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("directory fsync not supported here: {}", e.toString());
        }
    }

    /** Forces and closes the active segment (the journal is closing). */
    void closeCurrent() {
        try {
            current.force(false);
            current.close();
        } catch (IOException e) {
            log.warn("closing the journal segment failed: {}", e.toString());
        }
    }
}
