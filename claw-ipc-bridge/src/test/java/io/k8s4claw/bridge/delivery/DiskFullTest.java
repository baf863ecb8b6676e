package io.k8s4claw.bridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.testing.FaultyFileChannel;
import io.k8s4claw.bridge.testing.ScriptedConnector;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.testing.TestSidecar;
import io.k8s4claw.bridge.wal.FileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full with an injected {@code IOException("No space left on device")} (the portable variant of
 * BridgeFaultTest's tmpfs test): new messages are nacked STORAGE_FAILED, acked ones are kept and delivered.
 */
class DiskFullTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    /** While set, every write to the journal fails as a full volume does. */
    private final AtomicBoolean full = new AtomicBoolean();
    /** Writes refused because of {@link #full}: the sign that the bridge tried while the volume was full. */
    private final AtomicInteger refusedWrites = new AtomicInteger();

    private final FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {
        if (full.get()) {
            refusedWrites.incrementAndGet();
            throw new IOException("No space left on device");
        }
    });
    /** Holds every run open until the test finishes it. */
    private final ScriptedConnector runtime = new ScriptedConnector();

    @BeforeEach
    void holdRuns() {
        runtime.script(m -> ScriptedConnector.Action.ACCEPT_AND_HOLD);
    }

    @Test
    void fullVolumeNacksNewMessagesWithAClearReasonAndLosesNothingAcked() throws Exception {
        try (Bridge bridge = Bridge.start(TestConfigs.config(dir), runtime, store);
                TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            s.sendMessage("kept", "C1", "before");
            assertThat(s.await(Frame::hasAck, T).getAck().getMessageId()).isEqualTo("kept");
            full.set(true);
            s.sendMessage("refused", "C2", "during");
            Frame nack = s.await(Frame::hasNack, T);
            assertThat(nack.getNack().getMessageId()).isEqualTo("refused");
            assertThat(nack.getNack().getReason()).isEqualTo(Nack.Reason.STORAGE_FAILED);
            assertThat(nack.getNack().getRetryable()).isTrue();
            assertThat(nack.getNack().getDetail()).contains("volume is full").contains("No space left on device");
            assertThat(nack.getNack().getUserVisibleText()).contains("try again");
            assertThat(runtime.callsFor("refused")).isZero();
            full.set(false);
            s.sendMessage("refused", "C2", "during");
            Frame ack = s.await(Frame::hasAck, T);
            assertThat(ack.getAck().getMessageId()).isEqualTo("refused");
            assertThat(ack.getAck().getDuplicate())
                    .as("the refused copy left no trace")
                    .isFalse();
            Awaitility.await().atMost(T).until(() -> runtime.openRuns.size() == 2);
        }
    }

    @Test
    void aReplyWhoseRecordHitsAFullVolumeIsStoredOnceThereIsRoomAndLaterRepliesWaitBehindIt() throws Exception {
        try (Bridge bridge = Bridge.start(TestConfigs.config(dir), runtime, store);
                TestSidecar s = TestSidecar.connect(dir.resolve("bus.sock"))) {
            s.hello("ch", 0);
            s.sendMessage("first", "C1", "1");
            s.sendMessage("second", "C2", "2");
            s.await(Frame::hasAck, T);
            s.await(Frame::hasAck, T);
            Awaitility.await().atMost(T).until(() -> runtime.openRuns.size() == 2);
            full.set(true);
            int refusedBefore = refusedWrites.get();
            runtime.finish("first", "answer 1"); // its record cannot be written now
            // the bridge did try to write it into the full volume (not merely "300 ms passed")
            Awaitility.await().atMost(T).until(() -> refusedWrites.get() > refusedBefore);
            full.set(false);
            runtime.finish("second", "answer 2");
            Frame r1 = s.await(f -> f.hasReply() && f.getReply().hasFinal(), T);
            Frame r2 = s.await(f -> f.hasReply() && f.getReply().hasFinal(), T);
            assertThat(r1.getReply().getFinal().getText()).isEqualTo("answer 1");
            assertThat(r2.getReply().getFinal().getText()).isEqualTo("answer 2");
            assertThat(r1.getReply().getReplySeq()).isLessThan(r2.getReply().getReplySeq());
        }
        // both are in the log: a restart has nothing left to deliver or send
        try (Bridge again = Bridge.start(TestConfigs.config(dir), new ScriptedConnector(), FileStore.DEFAULT)) {
            assertThat(again.ledger().pendingCount()).isZero();
            // each run's start and final, never acked by this sidecar: kept to be sent to the next one
            assertThat(again.replies().pendingCount("ch")).isEqualTo(4);
        }
    }
}
