package io.k8s4claw.bridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.ops.BridgeMetrics;
import io.k8s4claw.bridge.reply.ReplyService;
import io.k8s4claw.bridge.testing.FaultyFileChannel;
import io.k8s4claw.bridge.testing.ScriptedConnector;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.bridge.wal.Journal;
import io.k8s4claw.bridge.wal.JournalOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answer to a message comes only once its record is stored, and a repeat of an id still being stored waits
 * for that same outcome. The journal's loop is run by hand here, so "not stored yet" is a state the test holds
 * rather than a race it hopes to hit.
 */
class InboundServiceTest {

    /** The journal's loop, run when the test says so (directly once closing). */
    private static final class ManualLoop implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private volatile boolean direct;

        @Override
        public synchronized void execute(Runnable task) {
            if (direct) {
                task.run();
            } else {
                tasks.add(task);
            }
        }

        synchronized void runPending() {
            Runnable t;
            while ((t = tasks.poll()) != null) {
                t.run();
            }
        }
    }

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final AtomicBoolean diskFull = new AtomicBoolean();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedConnector runtime = new ScriptedConnector();
    private Journal journal;
    private InboundLedger ledger;
    private InboundService inbound;
    private final List<AcceptResult> answers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        FileStore store = file -> new FaultyFileChannel(FileStore.DEFAULT.openForAppend(file), () -> {
            if (diskFull.get()) {
                throw new IOException("No space left on device");
            }
        });
        journal = Journal.open(dir, JournalOptions.defaults().withFsync(false), store, e -> {}, loop);
        ledger = new InboundLedger(100);
        BridgeMetrics metrics = new BridgeMetrics();
        ReplyService replies = new ReplyService(journal, metrics, scheduler);
        runtime.script(m -> ScriptedConnector.Action.ACCEPT_AND_HOLD);
        DeliveryEngine engine = new DeliveryEngine(
                runtime,
                ledger,
                journal,
                replies,
                metrics,
                scheduler,
                new DeliveryPolicy(10, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMinutes(5), 10),
                (channel, nack) -> {},
                System::currentTimeMillis);
        inbound = new InboundService(ledger, journal, engine, 1000, Long.MAX_VALUE, System::currentTimeMillis);
    }

    @AfterEach
    void tearDown() {
        loop.direct = true;
        loop.runPending();
        journal.close();
        scheduler.shutdownNow();
    }

    private static UserMessage message(String id) {
        return UserMessage.newBuilder()
                .setMessageId(id)
                .setConversationId("C1")
                .setText("hi")
                .build();
    }

    private void accept(String id) {
        inbound.accept("ch", "webhook", message(id), null, answers::add);
    }

    @Test
    void aRepeatWhileTheFirstCopyIsBeingStoredIsAnsweredWithItOnceStored() {
        accept("m1");
        accept("m1");
        assertThat(answers).as("nothing is acked before its record is written").isEmpty();
        assertThat(runtime.calls).isEmpty();

        loop.runPending();
        assertThat(answers).containsExactly(new AcceptResult.Acked(false), new AcceptResult.Acked(true));
        assertThat(runtime.callsFor("m1")).as("delivered once").isEqualTo(1);

        accept("m1"); // stored and pending: answered at once
        assertThat(answers).hasSize(3).last().isEqualTo(new AcceptResult.Acked(true));
        assertThat(runtime.callsFor("m1")).isEqualTo(1);
    }

    @Test
    void aFailedWriteRefusesTheMessageAndItsRepeatsAndLeavesNoTrace() {
        diskFull.set(true);
        accept("m2");
        accept("m2");
        loop.runPending();
        assertThat(answers).hasSize(2).allSatisfy(a -> {
            assertThat(a).isInstanceOf(AcceptResult.Refused.class);
            AcceptResult.Refused r = (AcceptResult.Refused) a;
            assertThat(r.reason()).isEqualTo(Nack.Reason.STORAGE_FAILED);
            assertThat(r.retryable()).isTrue();
            assertThat(r.detail()).contains("volume is full");
        });
        assertThat(ledger.pendingCount()).isZero();
        assertThat(runtime.calls).isEmpty();

        diskFull.set(false);
        answers.clear();
        accept("m2");
        loop.runPending();
        assertThat(answers).containsExactly(new AcceptResult.Acked(false));
        assertThat(runtime.callsFor("m2")).isEqualTo(1);
    }
}
