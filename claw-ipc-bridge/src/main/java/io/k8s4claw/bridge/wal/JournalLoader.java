package io.k8s4claw.bridge.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery when the journal opens (Kafka's {@code LogLoader}): starts at the newest complete checkpoint, removes
 * what precedes it and a checkpoint a crash interrupted, replays every intact record in order (checkpoint markers
 * excluded), and cuts a torn or corrupt tail off with a log line naming the file and offset. Segments of every
 * format this bridge reads (see {@link SegmentFile}) recover alike: a volume written by an older bridge is
 * replayed, and appends continue in its newest segment.
 */
final class JournalLoader {

    private static final Logger log = LoggerFactory.getLogger(JournalLoader.class);

    private JournalLoader() {}

    /** Recovers {@code dir} into {@code segments}, which then appends after the last intact record. */
    static void recover(Path dir, Segments segments, Consumer<JournalEntry> replay) throws IOException {
        List<Integer> indexes = SegmentFile.list(dir);
        int start = 0;
        for (int i = indexes.size() - 1; i >= 0; i--) {
            Path p = SegmentFile.path(dir, indexes.get(i));
            CheckpointState state = checkpointState(p);
            if (state == CheckpointState.COMPLETE) {
                start = i;
                break;
            }
            if (state == CheckpointState.INCOMPLETE) {
                log.warn(
                        "removing journal segment {}: a checkpoint interrupted by a crash (older segments are intact)",
                        p);
                Files.delete(p);
                indexes.remove(i);
            }
        }
        for (int i = 0; i < start; i++) {
            Files.deleteIfExists(SegmentFile.path(dir, indexes.get(i)));
        }
        indexes = indexes.subList(start, indexes.size());
        long total = 0;
        long lastValid = 0;
        for (int k = 0; k < indexes.size(); k++) {
            Path p = SegmentFile.path(dir, indexes.get(k));
            long valid = replaySegment(p, replay);
            long size = Files.size(p);
            lastValid = valid;
            if (valid < size && SegmentFile.zeroFrom(p, valid)) {
                // the unused, zero-filled end of a prepared segment: the log's clean end, kept for the appends
                log.atDebug()
                        .addKeyValue("file", p)
                        .addKeyValue("offset", valid)
                        .log("journal segment ends here");
            } else if (valid < size) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    ch.truncate(valid);
                    ch.force(true);
                }
                log.atWarn()
                        .addKeyValue("file", p)
                        .addKeyValue("offset", valid)
                        .addKeyValue("droppedBytes", size - valid)
                        .log("journal tail was torn or corrupt (crash during a write); cut off at the last "
                                + "intact record."
                                + " Nothing acknowledged is lost: acks are sent only after a record is on "
                                + "disk");
                if (k < indexes.size() - 1) {
                    log.error(
                            "corruption in the middle of the journal ({} is not the newest segment); records after "
                                    + "offset {} of that segment were skipped",
                            p,
                            valid);
                }
            }
            total += valid;
        }
        if (indexes.isEmpty()) {
            segments.setTotalBytes(0);
            segments.start(1);
        } else if (lastValid < SegmentFile.HEADER_BYTES) {
            // the newest segment holds no record and no complete header (any record is longer than a header): an
            // empty file, or a crash right after a roll. Started over in the current format.
            segments.setTotalBytes(total - lastValid);
            segments.start(indexes.get(indexes.size() - 1));
        } else {
            segments.resume(indexes.get(indexes.size() - 1), lastValid, total);
        }
    }

    private enum CheckpointState {
        NONE,
        COMPLETE,
        INCOMPLETE
    }

    private static CheckpointState checkpointState(Path p) throws IOException {
        boolean[] begin = {false};
        boolean[] end = {false};
        boolean[] firstSeen = {false};
        SegmentFile.readRecords(p, e -> {
            if (!firstSeen[0]) {
                firstSeen[0] = true;
                begin[0] = e.type() == SegmentFile.CHECKPOINT_BEGIN;
            }
            if (e.type() == SegmentFile.CHECKPOINT_END) {
                end[0] = true;
            }
        });
        if (!begin[0]) {
            return CheckpointState.NONE;
        }
        return end[0] ? CheckpointState.COMPLETE : CheckpointState.INCOMPLETE;
    }

    private static long replaySegment(Path p, Consumer<JournalEntry> replay) throws IOException {
        return SegmentFile.readRecords(p, e -> {
            if (e.type() != SegmentFile.CHECKPOINT_BEGIN && e.type() != SegmentFile.CHECKPOINT_END) {
                replay.accept(e);
            }
        });
    }
}
