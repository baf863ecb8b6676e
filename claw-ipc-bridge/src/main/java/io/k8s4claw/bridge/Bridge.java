package io.k8s4claw.bridge;

import io.k8s4claw.bridge.bus.BusServer;
import io.k8s4claw.bridge.bus.BusSettings;
import io.k8s4claw.bridge.delivery.DeliveryEngine;
import io.k8s4claw.bridge.delivery.InboundLedger;
import io.k8s4claw.bridge.delivery.InboundService;
import io.k8s4claw.bridge.delivery.MessageKey;
import io.k8s4claw.bridge.delivery.PendingMessage;
import io.k8s4claw.bridge.ops.BridgeMetrics;
import io.k8s4claw.bridge.ops.OpsHttpServer;
import io.k8s4claw.bridge.reply.ReplyService;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.bridge.wal.Journal;
import io.k8s4claw.bridge.wal.JournalEntry;
import io.k8s4claw.bridge.wal.JournalException;
import io.k8s4claw.bridge.wal.JournalOptions;
import io.k8s4claw.bridge.wal.JournalRecord;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The assembled bridge: journal, delivery engine, reply log, bus server, ops endpoints. */
public final class Bridge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Bridge.class);
    public static final String VERSION = "0.1.0";

    private final BridgeConfig config;
    private final RuntimeConnector connector;
    private final BridgeMetrics metrics = new BridgeMetrics();
    private final ScheduledExecutorService scheduler = newScheduler();

    /**
     * Removes cancelled tasks at once: every delivery attempt arms a 5-minute safety timer and cancels it when
     * the runtime answers, so without this each message left a dead task (and what it captured) in the queue
     * for 5 minutes — at thousands of messages a second, a heap full of garbage.
     */
    private static ScheduledExecutorService newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "bridge-scheduler");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private Journal journal;
    private InboundLedger ledger;
    private ReplyService replies;
    private DeliveryEngine engine;
    private InboundService inbound;
    private BusServer bus;
    /** The one event loop: bus connections, journal commits and completions, delivery and reply state. */
    private EventLoopGroup loopGroup;

    private OpsHttpServer http;
    private volatile boolean closed;

    private Bridge(BridgeConfig config, RuntimeConnector connector) {
        this.config = config;
        this.connector = connector;
    }

    /** Recovers the journal, starts delivering what was pending, and opens the bus and the ops port. */
    public static Bridge start(BridgeConfig config, RuntimeConnector connector, FileStore store)
            throws IOException, InterruptedException {
        Bridge b = new Bridge(config, connector);
        b.doStart(store);
        return b;
    }

    private void doStart(FileStore store) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ledger = new InboundLedger(config.dedupeEntries());
        ReplyService[] replyRef = new ReplyService[1];
        List<JournalRecord> replayed = new ArrayList<>();
        loopGroup = BusServer.newLoopGroup();
        journal = Journal.open(
                config.dataDir(),
                JournalOptions.defaults().withFsync(config.fsync()).withSegmentBytes(config.walSegmentBytes()),
                store,
                e -> {
                    JournalRecord r = JournalRecord.read(e);
                    if (r != null) {
                        replayed.add(r);
                    }
                },
                loopGroup.next());
        replies = new ReplyService(journal, metrics, scheduler);
        replyRef[0] = replies;
        for (JournalRecord r : replayed) {
            ledger.apply(r);
            String answered = replies.apply(r);
            if (answered != null && r instanceof JournalRecord.ReplyRecorded rr) {
                // The terminal reply's record is the message's completion record (no MessageCompleted follows it).
                ledger.complete(new MessageKey(rr.channel(), answered), System.currentTimeMillis());
            }
        }
        int records = replayed.size();
        replayed.clear();
        // A run whose terminal reply is in the log is done even if its completion record was not written.
        for (String[] t : replies.afterRecovery()) {
            MessageKey key = new MessageKey(t[0], t[1]);
            if (ledger.pending(key) != null) {
                ledger.complete(key, System.currentTimeMillis());
                journal.append(new JournalRecord.MessageCompleted(t[0], t[1], "final", System.currentTimeMillis()));
            }
        }
        for (String ch : config.channels()) {
            replies.knowChannel(ch, null);
        }
        journal.setListener(new Journal.Listener() {
            @Override
            public void onBatch(int n, long bytes, long fsyncNanos) {
                metrics.walBatch(n, bytes, fsyncNanos);
            }

            @Override
            public void onFailure(JournalException e) {
                metrics.walFailure();
            }
        });
        journal.setSnapshotSource(
                () -> {
                    List<JournalEntry> out = new ArrayList<>();
                    ledger.snapshot(out);
                    replies.snapshot(out);
                    return out;
                },
                Math.min(64L << 20, Math.max(1L << 20, config.walMaxBytes() / 4)));
        metrics.gauge("claw_bridge_wal_bytes", "Bytes of the write-ahead log on disk", journal::sizeBytes);
        metrics.gauge("claw_bridge_pending_messages", "Accepted messages not yet completed", ledger::pendingCount);
        metrics.gauge(
                "claw_bridge_oldest_pending_message_age_seconds",
                "Age of the oldest accepted message not yet completed (0 when none is pending)",
                () -> {
                    long now = System.currentTimeMillis();
                    return Math.max(0, now - ledger.oldestPendingAcceptedAtMs(now)) / 1000.0;
                });
        metrics.gauge(
                "claw_bridge_wal_max_bytes",
                "The write-ahead log's size limit (CLAW_BRIDGE_WAL_MAX_BYTES): new messages are" + " refused beyond it",
                config::walMaxBytes);
        metrics.dataVolumeGauges(config.dataDir());
        metrics.gauge(
                "claw_bridge_dead_letter_messages",
                "Messages in the dead-letter list",
                () -> ledger.deadLetters().size());
        metrics.gauge(
                "claw_bridge_pending_replies", "Reply events not yet acked by their channel", replies::pendingTotal);
        metrics.gauge(
                "claw_bridge_runtime_up",
                "Runtime link state: 1 up, 0.5 starting, 0 down",
                () -> switch (connector.health().state()) {
                    case UP -> 1.0;
                    case STARTING -> 0.5;
                    case DOWN -> 0.0;
                });

        bus = null;
        engine = new DeliveryEngine(
                connector,
                ledger,
                journal,
                replies,
                metrics,
                scheduler,
                config.delivery(),
                (channel, nack) -> {
                    if (bus != null) {
                        bus.nack(channel, nack);
                    }
                },
                System::currentTimeMillis);
        metrics.gauge(
                "claw_bridge_runs_in_progress", "Runs delivered to the runtime and not yet ended", engine::running);
        inbound = new InboundService(
                ledger, journal, engine, config.maxPendingMessages(), config.walMaxBytes(), System::currentTimeMillis);
        connector.start(replies, loopGroup.next());
        List<PendingMessage> pending = ledger.pendingInOrder();
        for (PendingMessage m : pending) {
            engine.submit(m);
        }
        bus = new BusServer(
                new BusSettings(
                        config.busSocket(),
                        config.busTcpPort(),
                        config.maxFrameBytes(),
                        config.heartbeatIntervalMs(),
                        config.window(),
                        config.channels(),
                        config.allowedUids(),
                        VERSION),
                inbound,
                replies,
                connector,
                metrics);
        bus.start(scheduler, loopGroup);
        if (config.httpPort() >= 0) {
            http = new OpsHttpServer(config.httpPort(), loopGroup, metrics, bus, connector, ledger, engine, journal);
            http.start();
        }
        journal.requestCompaction();
        log.atInfo()
                .addKeyValue("recoveredRecords", records)
                .addKeyValue("pendingMessages", pending.size())
                .addKeyValue("pendingReplies", replies.pendingTotal())
                .addKeyValue("deadLetters", ledger.deadLetters().size())
                .addKeyValue("walBytes", journal.sizeBytes())
                .addKeyValue("runtime", connector.protocol())
                .addKeyValue("startupMs", (System.nanoTime() - t0) / 1_000_000)
                .log("bridge started");
    }

    public int busTcpPort() {
        return bus.tcpPort();
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public BridgeMetrics metrics() {
        return metrics;
    }

    public InboundLedger ledger() {
        return ledger;
    }

    public ReplyService replies() {
        return replies;
    }

    public DeliveryEngine engine() {
        return engine;
    }

    public Journal journal() {
        return journal;
    }

    /**
     * Graceful stop (SIGTERM): refuse new messages, tell sidecars to drain, give runs in progress until the
     * grace period (minus a safety margin) to finish, then fsync and close. Whatever is still running is
     * resumed after the restart from its recorded run reference.
     */
    public void shutdown() {
        if (closed) {
            return;
        }
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        long margin = Math.min(config.shutdownGrace().toNanos() / 5, TimeUnit.SECONDS.toNanos(3));
        log.atInfo().addKeyValue("graceMs", config.shutdownGrace().toMillis()).log("shutting down: draining");
        inbound.startDraining();
        bus.drain("bridge shutting down", (int) config.shutdownGrace().toMillis());
        engine.stop();
        while (engine.running() > 0 && System.nanoTime() < deadline - margin) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int unfinished = engine.running();
        close();
        log.atInfo().addKeyValue("runsLeftForResume", unfinished).log("bridge stopped; journal fsynced");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.close();
        }
        if (bus != null) {
            bus.close();
        }
        connector.close();
        journal.close();
        if (loopGroup != null) {
            loopGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
        }
        scheduler.shutdownNow();
    }
}
