package io.k8s4claw.bridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.wal.JournalEntry;
import io.k8s4claw.bridge.wal.JournalRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InboundLedgerTest {

    private static UserMessage message(String id) {
        return UserMessage.newBuilder()
                .setMessageId(id)
                .setConversationId("c")
                .setText("hi")
                .build();
    }

    private static void completeAll(InboundLedger ledger, String channel, int from, int to) {
        for (int i = from; i < to; i++) {
            MessageKey key = new MessageKey(channel, "m-" + i);
            ledger.add(key, "slack", message("m-" + i), i);
            ledger.complete(key, i);
        }
    }

    /**
     * A checkpoint carries the dedupe window as digests, in records of bounded size, and a ledger rebuilt from it
     * knows exactly the same completed ids: the newest {@code window}, not the older ones, and not another
     * channel's message with the same id.
     */
    @Test
    void theDedupeWindowSurvivesACheckpointAsDigests() {
        int window = InboundLedger.SEEN_PER_RECORD + 10;
        InboundLedger ledger = new InboundLedger(window);
        completeAll(ledger, "slack", 0, window + 5);
        List<JournalEntry> checkpoint = new ArrayList<>();
        ledger.snapshot(checkpoint);
        assertThat(checkpoint).hasSize(2).allSatisfy(e -> assertThat(e.type()).isEqualTo((byte) 10));

        InboundLedger rebuilt = new InboundLedger(window);
        checkpoint.forEach(e -> rebuilt.apply(JournalRecord.read(e)));
        assertThat(rebuilt.seenCount()).isEqualTo(window);
        for (int i = 0; i < window + 5; i++) {
            assertThat(rebuilt.lookup(new MessageKey("slack", "m-" + i)))
                    .as("m-%d", i)
                    .isEqualTo(i < 5 ? InboundLedger.Known.NEW : InboundLedger.Known.DONE);
        }
        assertThat(rebuilt.lookup(new MessageKey("discord", "m-100"))).isEqualTo(InboundLedger.Known.NEW);
    }

    /** A journal written before the window kept digests (MessageSeen records) deduplicates the same. */
    @Test
    void messageSeenRecordsOfEarlierCheckpointsStillDeduplicate() {
        InboundLedger ledger = new InboundLedger(10);
        ledger.apply(new JournalRecord.MessageSeen("slack", "old-1", 5L));
        assertThat(ledger.lookup(new MessageKey("slack", "old-1"))).isEqualTo(InboundLedger.Known.DONE);
        assertThat(ledger.lookup(new MessageKey("slack", "old-2"))).isEqualTo(InboundLedger.Known.NEW);
    }

    @Test
    void aPendingMessageIsPendingAndDoneOnlyOnceCompleted() {
        InboundLedger ledger = new InboundLedger(10);
        MessageKey key = new MessageKey("slack", "m");
        ledger.add(key, "slack", message("m"), 1);
        assertThat(ledger.lookup(key)).isEqualTo(InboundLedger.Known.PENDING);
        ledger.complete(key, 2);
        assertThat(ledger.lookup(key)).isEqualTo(InboundLedger.Known.DONE);
        assertThat(ledger.pendingCount()).isZero();
    }
}
