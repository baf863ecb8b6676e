package io.k8s4claw.bridge.delivery;

import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.runtime.SessionKey;
import io.k8s4claw.bridge.wal.Journal;
import io.k8s4claw.bridge.wal.JournalException;
import io.k8s4claw.bridge.wal.JournalRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
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
    private volatile boolean draining;

    public InboundService(
            InboundLedger ledger,
            Journal journal,
            DeliveryEngine engine,
            long maxPendingMessages,
            long walMaxBytes,
            LongSupplier clock) {
        this.ledger = ledger;
        this.journal = journal;
        this.engine = engine;
        this.maxPendingMessages = maxPendingMessages;
        this.walMaxBytes = walMaxBytes;
        this.clock = clock;
    }

    /** A channel's StopRequest: see {@link DeliveryEngine#stop}. */
    public CompletionStage<Optional<String>> stop(
            String channel, String conversationId, String threadId, String streamId) {
        return engine.stop(new SessionKey(channel, conversationId, threadId), streamId);
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

    /**
     * Validates, deduplicates and stores a message; tells {@code answer} at once when the answer is known now,
     * else on the journal's loop once the message's record is stored.
     *
     * @param bytes {@code m} as received on the bus, journaled as is (null: serialized here) — saves serializing
     *              every message a second time on the event loop
     */
    public void accept(String channel, String channelType, UserMessage m, byte[] bytes, Consumer<AcceptResult> answer) {
        if (draining) {
            answer.accept(
                    new AcceptResult.Refused(Nack.Reason.DRAINING, true, 1000, "the bridge is shutting down", ""));
            return;
        }
        if (m.getMessageId().isEmpty()) {
            answer.accept(invalid("user_message.message_id is empty: every message needs a stable, channel-unique id"));
            return;
        }
        if (m.getConversationId().isEmpty()) {
            answer.accept(invalid("user_message.conversation_id is empty (message " + m.getMessageId() + ")"));
            return;
        }
        MessageKey key = new MessageKey(channel, m.getMessageId());
        byte[] digest = InboundLedger.digest(key); // outside the lock; the message's only SHA-256
        AcceptResult now;
        synchronized (this) {
            now = admit(key, digest, channel, channelType, m, bytes, answer);
        }
        if (now != null) {
            answer.accept(now);
        }
    }

    /** Decides under the monitor; null when the answer comes with the journal's completion. */
    private AcceptResult admit(
            MessageKey key,
            byte[] digest,
            String channel,
            String channelType,
            UserMessage m,
            byte[] bytes,
            Consumer<AcceptResult> answer) {
        PendingMessage known = ledger.pending(key);
        if (known != null) {
            if (known.repeatsWhileStoring == null) {
                return DUPLICATE;
            }
            // The same id is being stored right now: answer the repeat once the first copy is durable.
            if (known.repeatsWhileStoring == NO_REPEATS) {
                known.repeatsWhileStoring = new ArrayList<>(2);
            }
            known.repeatsWhileStoring.add(answer);
            return null;
        }
        if (ledger.lookupSettled(key, digest) != InboundLedger.Known.NEW) {
            return DUPLICATE;
        }
        if (ledger.pendingCount() >= maxPendingMessages) {
            return new AcceptResult.Refused(
                    Nack.Reason.OVERLOADED,
                    true,
                    1000,
                    "backlog to the runtime is at its bound of " + maxPendingMessages + " messages",
                    "");
        }
        if (journal.sizeBytes() > walMaxBytes) {
            return new AcceptResult.Refused(
                    Nack.Reason.STORAGE_FAILED,
                    true,
                    5000,
                    "write-ahead log is at its size limit of " + walMaxBytes + " bytes (backlog not draining)",
                    "I can't take new messages right now; please try again in a little while.");
        }
        long now = clock.getAsLong();
        PendingMessage pm = ledger.add(key, digest, channelType, m, now);
        pm.repeatsWhileStoring = NO_REPEATS;
        journal.append(
                new JournalRecord.MessageAccepted(channel, channelType, now, bytes != null ? bytes : m.toByteArray()),
                failure -> stored(pm, failure, answer));
        return null;
    }

    /** The message's record is stored (or failed): answer it and any repeats that came meanwhile. On the loop. */
    private void stored(PendingMessage pm, JournalException failure, Consumer<AcceptResult> answer) {
        List<Consumer<AcceptResult>> repeats;
        synchronized (this) {
            repeats = pm.repeatsWhileStoring;
            pm.repeatsWhileStoring = null;
            if (failure != null) {
                ledger.forget(pm.key());
            }
        }
        if (failure != null) {
            AcceptResult refused = storageFailed(failure);
            answer.accept(refused);
            repeats.forEach(r -> r.accept(refused));
            return;
        }
        try {
            engine.submit(pm);
        } catch (RuntimeException e) {
            // Stored all the same: acked, and delivered from the journal after a restart at the latest.
            log.atError()
                    .setCause(e)
                    .addKeyValue("channel", pm.key().channel())
                    .addKeyValue("messageId", pm.key().messageId())
                    .log("queueing a stored message for delivery failed");
        }
        answer.accept(ACKED);
        repeats.forEach(r -> r.accept(DUPLICATE));
    }

    /** A message being stored that no repeat has asked about (shared: no list per message). */
    private static final List<Consumer<AcceptResult>> NO_REPEATS = List.of();

    private static final AcceptResult ACKED = new AcceptResult.Acked(false);
    private static final AcceptResult DUPLICATE = new AcceptResult.Acked(true);

    private static AcceptResult storageFailed(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        boolean full = cause instanceof JournalException je && je.diskFull();
        log.atWarn().addKeyValue("error", cause.getMessage()).log("message not stored; answering STORAGE_FAILED");
        return new AcceptResult.Refused(
                Nack.Reason.STORAGE_FAILED,
                true,
                5000,
                full
                        ? "write-ahead log volume is full (No space left on device): " + cause.getMessage()
                        : "write-ahead log write failed: " + cause.getMessage(),
                "I couldn't store your message just now; please try again shortly.");
    }

    private static AcceptResult invalid(String detail) {
        return new AcceptResult.Refused(Nack.Reason.INVALID, false, 0, detail, "");
    }
}
