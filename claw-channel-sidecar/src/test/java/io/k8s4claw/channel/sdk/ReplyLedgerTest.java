package io.k8s4claw.channel.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.bus.v1.ReplyAck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplyLedgerTest {
    private static ReplyAck ack(long seq) {
        return ReplyAck.newBuilder().setReplySeq(seq).setOk(true).build();
    }

    @Test
    void resumePointNeverSkipsAReplyStillBeingHandled() {
        ReplyLedger ledger = new ReplyLedger(100, 0);
        assertThat(ledger.arrived(1, 1)).isEqualTo(ReplyLedger.Seen.NEW); // conversation A, slow (rate limited)
        assertThat(ledger.arrived(2, 2)).isEqualTo(ReplyLedger.Seen.NEW); // conversation B
        ledger.handled(ack(2));
        assertThat(ledger.lastReplySeq())
                .as("2 is done but 1 is not: resume from 0")
                .isZero();
        ledger.handled(ack(1));
        assertThat(ledger.lastReplySeq()).isEqualTo(2);
        assertThat(ledger.arrived(2, 2)).isEqualTo(ReplyLedger.Seen.ALREADY_ACKED);
        assertThat(ledger.ackFor(2).getReplySeq()).isEqualTo(2);
    }

    @Test
    void aResentReplyInProgressIsNotHandledTwiceAndRetryableFailuresAreForgotten() {
        ReplyLedger ledger = new ReplyLedger(100, 10);
        assertThat(ledger.lastReplySeq()).isEqualTo(10);
        assertThat(ledger.arrived(11, 11)).isEqualTo(ReplyLedger.Seen.NEW);
        assertThat(ledger.arrived(11, 11)).isEqualTo(ReplyLedger.Seen.IN_PROGRESS);
        ledger.forget(11); // retryable failure: the bridge will send it again
        assertThat(ledger.lastReplySeq()).isEqualTo(10);
        assertThat(ledger.arrived(11, 11)).isEqualTo(ReplyLedger.Seen.NEW);
    }

    @Test
    void memoryIsBounded() {
        ReplyLedger ledger = new ReplyLedger(3, 0);
        for (long s = 1; s <= 5; s++) {
            ledger.arrived(s, s);
            ledger.handled(ack(s));
        }
        assertThat(ledger.ackFor(1)).isNull();
        assertThat(ledger.ackFor(5)).isNotNull();
        assertThat(ledger.lastReplySeq()).isEqualTo(5);
    }

    @Test
    void aReusedSeqWithOtherContentIsANewReply() {
        ReplyLedger ledger = new ReplyLedger(100, 0);
        assertThat(ledger.arrived(1, 111)).isEqualTo(ReplyLedger.Seen.NEW);
        ledger.handled(ack(1));
        assertThat(ledger.arrived(1, 111)).isEqualTo(ReplyLedger.Seen.ALREADY_ACKED);
        // A bridge whose state was reset numbers from 1 again: its reply 1 is not the one handled before.
        assertThat(ledger.arrived(1, 222)).isEqualTo(ReplyLedger.Seen.NEW);
    }

    @Test
    void handledRepliesOutliveTheProcessThroughTheFile(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("ch.replies");
        ReplyLedger before = new ReplyLedger(100, 0, new ReplyLedgerFile(path, 200));
        before.arrived(7, 77);
        before.handled(ReplyAck.newBuilder()
                .setReplySeq(7)
                .setOk(true)
                .addPlatformMessageIds("ext-7")
                .build());
        before.arrived(8, 88); // in progress when the process died: not recorded
        before.close();
        // A crash mid-write leaves a torn last line.
        Files.writeString(path, "9 abc", StandardOpenOption.APPEND);

        ReplyLedger after = new ReplyLedger(100, 0, new ReplyLedgerFile(path, 200));
        assertThat(after.lastReplySeq())
                .as("the resume point is not persisted: the bridge resends")
                .isZero();
        assertThat(after.arrived(7, 77)).isEqualTo(ReplyLedger.Seen.ALREADY_ACKED);
        assertThat(after.ackFor(7).getPlatformMessageIdsList()).containsExactly("ext-7");
        assertThat(after.arrived(8, 88)).isEqualTo(ReplyLedger.Seen.NEW);
        assertThat(after.arrived(9, 99)).isEqualTo(ReplyLedger.Seen.NEW);
    }

    @Test
    void theFileIsRewrittenToWhatTheLedgerKeeps(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("ch.replies");
        ReplyLedger ledger = new ReplyLedger(3, 0, new ReplyLedgerFile(path, 6));
        for (long s = 1; s <= 20; s++) {
            ledger.arrived(s, s);
            ledger.handled(ack(s));
        }
        ledger.close();
        assertThat(Files.readAllLines(path).size()).isLessThanOrEqualTo(7);
        ReplyLedger reloaded = new ReplyLedger(3, 0, new ReplyLedgerFile(path, 6));
        assertThat(reloaded.arrived(20, 20)).isEqualTo(ReplyLedger.Seen.ALREADY_ACKED);
        assertThat(reloaded.arrived(1, 1)).isEqualTo(ReplyLedger.Seen.NEW);
    }
}
