package io.k8s4claw.bridge.delivery;

import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.wal.Journal;
import io.k8s4claw.bridge.wal.JournalException;
import io.k8s4claw.bridge.wal.JournalRecord;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts UserMessages: validates, deduplicates by (channel, message_id), appends to the journal, and
 * answers Ack only once the record is durable; then hands the message to the {@link DeliveryEngine}.
 */
public final class InboundService {

    private static final Logger log = LoggerFactory.getLogger(InboundService.class);

    private final InboundLedger ledger;
    private final Journal journal;
    private final DeliveryEngine engine;
    private final long maxPendingMessages;
    private final long walMaxBytes;
    private final LongSupplier clock;
    private final Map<MessageKey, CompletableFuture<Void>> notYetDurable = new ConcurrentHashMap<>();
    private volatile boolean draining;

    public InboundService(InboundLedger ledger, Journal journal, DeliveryEngine engine, long maxPendingMessages,
            long walMaxBytes, LongSupplier clock) {
        this.ledger = ledger;
        this.journal = journal;
        this.engine = engine;
        this.maxPendingMessages = maxPendingMessages;
        this.walMaxBytes = walMaxBytes;
        this.clock = clock;
    }

    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** True when the backlog to the runtime is at its bound (sidecars should pause). */
    public boolean saturated() {
        return ledger.pendingCount() >= maxPendingMessages;
    }

    public CompletableFuture<AcceptResult> accept(String channel, String channelType, UserMessage m) {
        return accept(channel, channelType, m, null);
    }

    /**
     * @param bytes {@code m} as received on the bus, journaled as is (null: serialized here) — saves serializing
     *              every message a second time on the event loop
     */
    public CompletableFuture<AcceptResult> accept(String channel, String channelType, UserMessage m, byte[] bytes) {
        if (draining) {
            return done(new AcceptResult.Refused(Nack.Reason.DRAINING, true, 1000,
                    "the bridge is shutting down", ""));
        }
        if (m.getMessageId().isEmpty()) {
            return done(invalid("user_message.message_id is empty: every message needs a stable, channel-unique id"));
        }
        if (m.getConversationId().isEmpty()) {
            return done(invalid("user_message.conversation_id is empty (message " + m.getMessageId() + ")"));
        }
        MessageKey key = new MessageKey(channel, m.getMessageId());
        byte[] digest = InboundLedger.digest(key); // outside the lock; the message's only SHA-256
        CompletableFuture<Void> durable;
        synchronized (this) {
            CompletableFuture<Void> earlier = notYetDurable.get(key);
            if (earlier != null) {
                // The same id is being stored right now: answer the repeat once the first copy is durable.
                return earlier.handle((v, err) -> err == null ? new AcceptResult.Acked(true) : storageFailed(err));
            }
            if (ledger.lookup(key, digest) != InboundLedger.Known.NEW) {
                return done(new AcceptResult.Acked(true));
            }
            if (ledger.pendingCount() >= maxPendingMessages) {
                return done(new AcceptResult.Refused(Nack.Reason.OVERLOADED, true, 1000,
                        "backlog to the runtime is at its bound of " + maxPendingMessages + " messages", ""));
            }
            if (journal.sizeBytes() > walMaxBytes) {
                return done(new AcceptResult.Refused(Nack.Reason.STORAGE_FAILED, true, 5000,
                        "write-ahead log is at its size limit of " + walMaxBytes + " bytes (backlog not draining)",
                        "I can't take new messages right now; please try again in a little while."));
            }
            long now = clock.getAsLong();
            PendingMessage pm = ledger.add(key, digest, channelType, m, now);
            durable = journal.append(new JournalRecord.MessageAccepted(channel, channelType, now,
                    bytes != null ? bytes : m.toByteArray()));
            notYetDurable.put(key, durable);
            final PendingMessage accepted = pm;
            return durable.handle((v, err) -> {
                notYetDurable.remove(key);
                if (err != null) {
                    ledger.forget(key);
                    return storageFailed(err);
                }
                engine.submit(accepted);
                return new AcceptResult.Acked(false);
            });
        }
    }

    private static AcceptResult storageFailed(Throwable err) {
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                ? err.getCause() : err;
        boolean full = cause instanceof JournalException je && je.diskFull();
        log.atWarn().addKeyValue("error", cause.getMessage()).log("message not stored; answering STORAGE_FAILED");
        return new AcceptResult.Refused(Nack.Reason.STORAGE_FAILED, true, 5000,
                full ? "write-ahead log volume is full (No space left on device): " + cause.getMessage()
                        : "write-ahead log write failed: " + cause.getMessage(),
                "I couldn't store your message just now; please try again shortly.");
    }

    private static AcceptResult invalid(String detail) {
        return new AcceptResult.Refused(Nack.Reason.INVALID, false, 0, detail, "");
    }

    private static CompletableFuture<AcceptResult> done(AcceptResult r) {
        return CompletableFuture.completedFuture(r);
    }
}
