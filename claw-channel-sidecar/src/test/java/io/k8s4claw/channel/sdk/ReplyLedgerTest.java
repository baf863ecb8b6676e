package io.k8s4claw.channel.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.bus.v1.ReplyAck;
import org.junit.jupiter.api.Test;

class ReplyLedgerTest {
    private static ReplyAck ack(long seq) {
        return ReplyAck.newBuilder().setReplySeq(seq).setOk(true).build();
    }

    @Test
    void resumePointNeverSkipsAReplyStillBeingHandled() {
        ReplyLedger ledger = new ReplyLedger(100, 0);
        assertThat(ledger.arrived(1)).isEqualTo(ReplyLedger.Seen.NEW); // conversation A, slow (rate limited)
        assertThat(ledger.arrived(2)).isEqualTo(ReplyLedger.Seen.NEW); // conversation B
        ledger.handled(ack(2));
        assertThat(ledger.lastReplySeq()).as("2 is done but 1 is not: resume from 0").isZero();
        ledger.handled(ack(1));
        assertThat(ledger.lastReplySeq()).isEqualTo(2);
        assertThat(ledger.arrived(2)).isEqualTo(ReplyLedger.Seen.ALREADY_ACKED);
        assertThat(ledger.ackFor(2).getReplySeq()).isEqualTo(2);
    }

    @Test
    void aResentReplyInProgressIsNotHandledTwiceAndRetryableFailuresAreForgotten() {
        ReplyLedger ledger = new ReplyLedger(100, 10);
        assertThat(ledger.lastReplySeq()).isEqualTo(10);
        assertThat(ledger.arrived(11)).isEqualTo(ReplyLedger.Seen.NEW);
        assertThat(ledger.arrived(11)).isEqualTo(ReplyLedger.Seen.IN_PROGRESS);
        ledger.forget(11); // retryable failure: the bridge will send it again
        assertThat(ledger.lastReplySeq()).isEqualTo(10);
        assertThat(ledger.arrived(11)).isEqualTo(ReplyLedger.Seen.NEW);
    }

    @Test
    void memoryIsBounded() {
        ReplyLedger ledger = new ReplyLedger(3, 0);
        for (long s = 1; s <= 5; s++) {
            ledger.arrived(s);
            ledger.handled(ack(s));
        }
        assertThat(ledger.ackFor(1)).isNull();
        assertThat(ledger.ackFor(5)).isNotNull();
        assertThat(ledger.lastReplySeq()).isEqualTo(5);
    }
}
