package io.k8s4claw.bridge.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction (Kafka's {@code LogCleaner}, done the way a snapshotting state machine does it): when the log has
 * grown past twice its size after the last compaction (and past {@code minCompactBytes}), the loop takes a
 * snapshot of the live state from the owner and writes it as a checkpoint ({@code CHECKPOINT_BEGIN …
 * CHECKPOINT_END}) into a fresh segment, where appends continue; the syncer then forces it and only after that
 * deletes the older segments (file housekeeping never blocks the loop). A checkpoint without its end marker
 * (crash during compaction) is ignored on open. Replay must be idempotent: records appended while the snapshot
 * was taken can appear in it and after it. Loop-confined except the settings.
 */
final class JournalCompactor {

    private static final Logger log = LoggerFactory.getLogger(JournalCompactor.class);

    private final Segments segments;
    private final JournalSyncer syncer;
    private volatile Supplier<List<JournalEntry>> snapshotSource;
    private volatile long minCompactBytes = 8L << 20;
    private volatile boolean requested;
    private long bytesAfterLastCompaction;

    JournalCompactor(Segments segments, JournalSyncer syncer) {
        this.segments = segments;
        this.syncer = syncer;
    }

    void setSnapshotSource(Supplier<List<JournalEntry>> source, long minCompactBytes) {
        this.snapshotSource = source;
        this.minCompactBytes = minCompactBytes;
    }

    /** Compacts at the next opportunity, due or not. */
    void request() {
        requested = true;
    }

    /** After recovery: the size the log is measured against. */
    void recovered(long bytes) {
        bytesAfterLastCompaction = bytes;
    }

    /** Compacts when due or requested. Runs on the loop after a commit. */
    void maybeCompact() {
        Supplier<List<JournalEntry>> source = snapshotSource;
        if (source == null) {
            return;
        }
        long before = segments.totalBytes();
        boolean due = before > minCompactBytes && before > 2 * bytesAfterLastCompaction;
        if (!due && !requested) {
            return;
        }
        requested = false;
        int previousIndex = segments.currentIndex();
        int index = previousIndex + 1;
        long t0 = System.nanoTime();
        FileChannel next = null;
        try {
            List<JournalEntry> snapshot = source.get();
            next = segments.create(index);
            ByteBuffer checkpoint = ByteBuffer.allocate(checkpointBytes(snapshot));
            SegmentFile.putRecord(checkpoint, SegmentFile.CHECKPOINT_BEGIN, new byte[0]);
            for (JournalEntry e : snapshot) {
                SegmentFile.putRecord(checkpoint, e.type(), e.payload());
            }
            SegmentFile.putRecord(checkpoint, SegmentFile.CHECKPOINT_END, new byte[0]);
            checkpoint.flip();
            while (checkpoint.hasRemaining()) {
                next.write(checkpoint);
            }
            long bytes = SegmentFile.HEADER_BYTES + checkpoint.limit();
            FileChannel previous = segments.replaceWith(next, index, bytes);
            // The rest is the syncer's, in this order: force the checkpoint (and with it everything appended
            // behind it meanwhile), make the new file's name durable, only then delete the older segments. Until
            // the force, a crash finds the checkpoint without its end marker, drops it and replays the older
            // segments, which are still there; no record behind the checkpoint was acknowledged, since that
            // needs the same force.
            syncer.submit(JournalSyncer.SyncRequest.after(
                    next, () -> deleteCompacted(previousIndex, before, bytes, snapshot.size())));
            segments.retire(previous);
            segments.setTotalBytes(bytes);
            bytesAfterLastCompaction = bytes;
            log.atDebug()
                    .addKeyValue("liveRecords", snapshot.size())
                    .addKeyValue("loopMillis", (System.nanoTime() - t0) / 1_000_000)
                    .log("journal checkpoint written; older segments go once it is on disk");
        } catch (IOException e) {
            log.warn("journal compaction failed, keeping the old segments: {}", e.toString());
            // Drop the half-written checkpoint segment; appends go on in the previous one.
            if (next != null) {
                try {
                    next.close();
                    Files.deleteIfExists(segments.path(index));
                } catch (IOException ignored) {
                    // it lacks CHECKPOINT_END, so open() ignores it anyway
                }
            }
            bytesAfterLastCompaction = segments.totalBytes(); // do not retry on every batch
        }
    }

    private static int checkpointBytes(List<JournalEntry> snapshot) {
        int bytes = 2 * SegmentFile.framedBytes(0); // the begin and end markers
        for (JournalEntry e : snapshot) {
            bytes += SegmentFile.framedBytes(e.payload().length);
        }
        return bytes;
    }

    /** The syncer's half of a compaction, after the checkpoint segment was forced. */
    private void deleteCompacted(int previousIndex, long bytesBefore, long bytesAfter, int liveRecords) {
        long t0 = System.nanoTime();
        segments.fsyncDir();
        long deleted = 0;
        for (int i = previousIndex; i >= 0; i--) {
            try {
                if (Files.deleteIfExists(segments.path(i))) {
                    deleted++;
                }
            } catch (IOException e) {
                // harmless: open() starts at the newest complete checkpoint and removes what precedes it
                log.warn("could not delete compacted journal segment {}: {}", segments.path(i), e.toString());
            }
        }
        segments.fsyncDir();
        log.atInfo()
                .addKeyValue("segmentsDeleted", deleted)
                .addKeyValue("bytesBefore", bytesBefore)
                .addKeyValue("bytesAfter", bytesAfter)
                .addKeyValue("liveRecords", liveRecords)
                .addKeyValue("millis", (System.nanoTime() - t0) / 1_000_000)
                .log("journal compacted");
    }
}
