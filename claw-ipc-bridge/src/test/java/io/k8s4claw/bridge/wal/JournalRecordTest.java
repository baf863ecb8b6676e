package io.k8s4claw.bridge.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JournalRecordTest {

    /** ASCII, NUL (2 bytes in modified UTF-8), 2-byte, 3-byte and surrogate-pair characters. */
    private static final String ODD = "ch-\u0000-é-€-\uD83D\uDE00";

    @Test
    void everyRecordEncodesToExactlyItsSizeAndReadsBack() {
        byte[] blob = {1, 2, 3, 0, -1};
        List<JournalRecord> records = List.of(
                new JournalRecord.MessageAccepted(ODD, "slack", 42L, blob),
                new JournalRecord.RunAccepted(ODD, "m-1", "run-" + ODD),
                new JournalRecord.MessageCompleted("ch", ODD, "final", 7L),
                new JournalRecord.DeadLettered("ch", "m", "reason " + ODD, 3, 9L),
                new JournalRecord.DeadLetterReplayed("ch", ODD, 1L),
                new JournalRecord.ReplyRecorded(ODD, blob),
                new JournalRecord.ReplyAcked("", 5L),
                new JournalRecord.MessageSeen(ODD, "", 2L),
                new JournalRecord.ReplySeqFloor(ODD, Long.MAX_VALUE));
        for (JournalRecord r : records) {
            JournalEntry e = r.toEntry();
            assertThat(e.payload()).as(r.getClass().getSimpleName()).hasSize(r.size());
            assertThat(e.type()).isEqualTo(r.type());
            JournalRecord back = JournalRecord.read(e);
            assertThat(back.toEntry().payload()).as(r.getClass().getSimpleName()).isEqualTo(e.payload());
            assertThat(back.getClass()).isEqualTo(r.getClass());
        }
        JournalRecord.MessageAccepted a = (JournalRecord.MessageAccepted) JournalRecord.read(records.get(0).toEntry());
        assertThat(a.channel()).isEqualTo(ODD);
        assertThat(a.userMessage()).isEqualTo(blob);
    }
}
