package io.k8s4claw.bridge.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-fills the journal's next segment in the background, so that appends overwrite blocks that already exist.
 *
 * <p>Why: an append that grows a file changes its size and block map, so its {@code fdatasync} must also commit
 * that metadata through the file system's journal (on ext4 a jbd2 commit, done by a kernel thread that has to
 * get a CPU); the same reason PostgreSQL zero-fills its WAL segments. On this project's machine a message's two
 * syncs took p50 0.38 → 0.29–0.31 ms and p99 0.63–0.96 → 0.47–0.52 ms (claw-benchmarks' {@code SegmentFsyncProbe},
 * quiet machine); with two busy threads on its two CPUs the difference drowned in their noise. Appends past the
 * prepared size, or before the first preparation, simply grow the file as before.
 *
 * <p>The file is written under a name the journal does not read ({@code journal-next.prealloc}) and renamed into
 * place when the journal rolls; the journal deletes a leftover from a crash when it opens. Loop-confined except for the
 * background fill.
 */
final class SegmentPreparer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegmentPreparer.class);
    static final String FILE_NAME = "journal-next.prealloc";
    private static final int CHUNK = 256 << 10;

    private final Path file;
    private final long bytes;
    private final FileStore store;
    private final ExecutorService filler;
    /**
     * Read by every fill, never written after allocation: one for the journal's lifetime. A fresh direct buffer
     * per segment lived through young collections into the old generation and was freed only by a full one —
     * a megabyte of native memory a segment piling up at full load.
     */
    private ByteBuffer zeros;
    /** The segment being (or already) prepared; null when none was asked for since the last take. */
    private CompletableFuture<FileChannel> pending;

    /** Segments smaller than this are not worth a thread and a second write of every byte. */
    static final long MIN_SEGMENT_BYTES = 1 << 20;

    SegmentPreparer(Path dir, long bytes, FileStore store) {
        this.file = dir.resolve(FILE_NAME);
        this.bytes = bytes;
        this.store = store;
        this.filler = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "journal-prepare");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    /** Starts preparing the next segment unless one is already under way or ready. */
    void prepare() {
        if (pending == null) {
            pending = CompletableFuture.supplyAsync(this::fill, filler);
        }
    }

    /**
     * The prepared segment, renamed to {@code target} and positioned at 0; null when it is not ready yet or its
     * preparation failed (the caller then starts an empty file as before).
     */
    FileChannel take(Path target) {
        CompletableFuture<FileChannel> p = pending;
        if (p == null || !p.isDone()) {
            return null;
        }
        pending = null;
        FileChannel ch = p.getNow(null);
        if (ch == null) {
            return null;
        }
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            ch.position(0);
            return ch;
        } catch (IOException e) {
            log.warn("could not take the prepared journal segment (starting an empty one): {}", e.toString());
            closeQuietly(ch);
            return null;
        }
    }

    private FileChannel fill() {
        FileChannel ch = null;
        try {
            ch = store.openForAppend(file);
            ch.truncate(0);
            if (zeros == null) {
                zeros = ByteBuffer.allocateDirect(CHUNK);
            }
            for (long written = 0; written < bytes; ) {
                zeros.clear().limit((int) Math.min(CHUNK, bytes - written));
                written += ch.write(zeros, written);
            }
            ch.force(false);
            return ch;
        } catch (IOException | RuntimeException e) {
            // Disk full is the likely case: appends will report it themselves, on the messages they refuse.
            log.atDebug().addKeyValue("error", e.toString()).log("journal segment not prepared; the next one grows");
            if (ch != null) {
                closeQuietly(ch);
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // removed on the next open
            }
            return null;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written to it that anyone relies on
        }
    }

    /** Stops a fill under way and removes the prepared file: it is not part of the log. */
    @Override
    public void close() {
        filler.shutdownNow(); // an interrupted fill closes its channel and deletes its file itself
        try {
            filler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CompletableFuture<FileChannel> p = pending;
        if (p != null && p.isDone() && p.getNow(null) != null) {
            closeQuietly(p.getNow(null));
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("could not delete {} (removed on the next open): {}", file, e.toString());
        }
    }
}
