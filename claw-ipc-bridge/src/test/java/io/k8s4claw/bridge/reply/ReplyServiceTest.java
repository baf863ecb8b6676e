package io.k8s4claw.bridge.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.ReplyDelta;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.bridge.ops.BridgeMetrics;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.bridge.wal.Journal;
import io.k8s4claw.bridge.wal.JournalOptions;
import io.k8s4claw.bridge.wal.JournalRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplyServiceTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private Journal journal;

    @AfterEach
    void close() {
        if (journal != null) {
            journal.close();
        }
        scheduler.shutdownNow();
    }

    /** A sidecar link that records what it was sent (runs tasks inline, like an event loop would). */
    static final class RecordingLink implements SidecarLink {
        final List<Reply> sent = new CopyOnWriteArrayList<>();
        volatile boolean writable = true;

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public void send(Reply reply) {
            sent.add(reply);
        }

        @Override
        public void flush() {}

        @Override
        public void execute(Runnable task) {
            task.run();
        }
    }

    private ReplyService open() throws Exception {
        journal = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        return new ReplyService(journal, new BridgeMetrics(), scheduler);
    }

    private static Reply.Builder delta(String stream, String text) {
        return Reply.newBuilder()
                .setStreamId(stream)
                .setInReplyTo("m-" + stream)
                .setConversationId("C")
                .setDelta(ReplyDelta.newBuilder().setText(text));
    }

    private static Reply.Builder fin(String stream, String text) {
        return Reply.newBuilder()
                .setStreamId(stream)
                .setInReplyTo("m-" + stream)
                .setConversationId("C")
                .setFinal(ReplyFinal.newBuilder().setText(text));
    }

    @Test
    void deltasAreCoalescedWhileAwayFinalsNeverAndOrderIsKept() throws Exception {
        ReplyService replies = open();
        replies.append("ch", delta("a", "H")).get();
        replies.append("ch", delta("b", "x")).get();
        replies.append("ch", delta("a", "He")).get();
        replies.append("ch", delta("a", "Hel")).get();
        replies.append("ch", fin("b", "xyz")).get();
        replies.append("ch", delta("a", "Hell")).get();
        assertThat(replies.pendingCount("ch")).as("one delta of a, final of b").isEqualTo(2);

        RecordingLink link = new RecordingLink();
        replies.attach("ch", "slack", link, 0);
        assertThat(link.sent)
                .extracting(r -> r.getStreamId() + ":" + r.getEventCase() + ":"
                        + (r.hasDelta() ? r.getDelta().getText() : r.getFinal().getText()))
                .containsExactly("b:FINAL:xyz", "a:DELTA:Hell");
        assertThat(link.sent).extracting(Reply::getReplySeq).isSorted().doesNotHaveDuplicates();

        replies.append("ch", fin("a", "Hello")).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> link.sent.size() == 3);
        assertThat(link.sent.get(2).getFinal().getText()).isEqualTo("Hello");
    }

    @Test
    void unackedRepliesSurviveARestartAndResumeAboveLastReplySeq() throws Exception {
        ReplyService first = open();
        RecordingLink link = new RecordingLink();
        first.attach("ch", "slack", link, 0);
        first.append("ch", fin("a", "one")).get();
        first.append("ch", fin("b", "two")).get();
        first.append("ch", fin("c", "three")).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> link.sent.size() == 3);
        first.onReplyAck(
                "ch",
                ReplyAck.newBuilder()
                        .setReplySeq(link.sent.get(0).getReplySeq())
                        .setOk(true)
                        .build());
        journal.close();

        List<JournalRecord> records = new ArrayList<>();
        journal = Journal.open(
                dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> records.add(JournalRecord.read(e)));
        ReplyService second = new ReplyService(journal, new BridgeMetrics(), scheduler);
        records.forEach(second::apply);
        second.afterRecovery();
        assertThat(second.pendingCount("ch")).isEqualTo(2);
        RecordingLink back = new RecordingLink();
        // the sidecar had handled "two" but its ack was lost: it says so with last_reply_seq
        second.attach("ch", "slack", back, link.sent.get(1).getReplySeq());
        assertThat(back.sent).extracting(r -> r.getFinal().getText()).containsExactly("three");
        // numbering continues above everything issued before the restart
        second.append("ch", fin("d", "four")).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> back.sent.size() == 2);
        assertThat(back.sent.get(1).getReplySeq())
                .isGreaterThan(link.sent.get(2).getReplySeq());
    }

    @Test
    void unwritableSocketHoldsRepliesUntilItDrains() throws Exception {
        ReplyService replies = open();
        RecordingLink link = new RecordingLink();
        link.writable = false;
        replies.attach("ch", "slack", link, 0);
        // durable: the pump it triggers has already run (RecordingLink runs it inline, before the future completes)
        replies.append("ch", fin("a", "held")).get();
        assertThat(link.sent).isEmpty();
        link.writable = true;
        replies.pump("ch"); // what channelWritabilityChanged does
        assertThat(link.sent).extracting(r -> r.getFinal().getText()).containsExactly("held");
    }
}
