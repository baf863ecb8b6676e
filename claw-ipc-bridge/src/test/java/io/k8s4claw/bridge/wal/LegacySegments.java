package io.k8s4claw.bridge.wal;

import java.util.List;

/**
 * The records of the journal fixtures under {@code src/test/resources/wal/}: segments written by the bridge before
 * segments had a header (format 0: records from byte 0), kept so that a bridge upgraded over an existing volume
 * is shown to recover it.
 *
 * <ul>
 *   <li>{@code headerless-plain/journal-000001.log}: {@link #PLAIN}, appended one by one.</li>
 *   <li>{@code headerless-compacted/journal-000002.log}: a checkpoint of {@link #CHECKPOINT}, then {@link #AFTER}
 *       appended behind it (segment 1 was deleted by that compaction).</li>
 * </ul>
 */
final class LegacySegments {

    static final List<JournalRecord> PLAIN = List.of(
            new JournalRecord.MessageAccepted("slack-main", "slack", 1_700_000_000_000L, new byte[] {1, 2, 3, 0, -1}),
            new JournalRecord.RunAccepted("slack-main", "m-1", "run-é-€"),
            new JournalRecord.MessageCompleted("slack-main", "m-1", "final", 1_700_000_000_100L),
            new JournalRecord.DeadLettered("slack-main", "m-2", "runtime refused: 400", 3, 1_700_000_000_200L),
            new JournalRecord.DeadLetterReplayed("slack-main", "m-2", 1_700_000_000_300L),
            new JournalRecord.ReplyRecorded("slack-main", new byte[] {9, 8, 7}),
            new JournalRecord.ReplyAcked("slack-main", 1L),
            new JournalRecord.MessageSeen("slack-main", "m-0", 1_699_999_999_000L),
            new JournalRecord.ReplySeqFloor("slack-main", 41L),
            new JournalRecord.SeenDigests(new long[] {Long.MIN_VALUE, -1L, 3L, 0L, Long.MAX_VALUE, 4L}));

    static final List<JournalRecord> CHECKPOINT = List.of(
            new JournalRecord.SeenDigests(new long[] {11L, 12L, 13L}),
            new JournalRecord.ReplySeqFloor("tg", 7L),
            new JournalRecord.MessageAccepted("tg", "telegram", 1_700_000_001_000L, new byte[] {42}),
            new JournalRecord.RunAccepted("tg", "m-9", "run-9"),
            new JournalRecord.ReplyRecorded("tg", new byte[] {5}));

    static final List<JournalRecord> AFTER = List.of(
            new JournalRecord.MessageAccepted("tg", "telegram", 1_700_000_002_000L, new byte[] {43}),
            new JournalRecord.MessageCompleted("tg", "m-9", "final", 1_700_000_002_100L));

    private LegacySegments() {}
}
