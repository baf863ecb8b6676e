package io.k8s4claw.bridge.delivery;

import com.google.protobuf.InvalidProtocolBufferException;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.wal.JournalEntry;
import io.k8s4claw.bridge.wal.JournalRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-memory view of the inbound side of the journal: messages pending delivery (in acceptance order), ids
 * seen recently (deduplication), and dead letters. Rebuilt from the journal on start; every change is
 * journaled by its caller. Thread-safe (monitor).
 */
public final class InboundLedger {

    /** What {@link #lookup} found for a message id. */
    public enum Known { NEW, PENDING, DONE, DEAD_LETTERED }

    private final Map<MessageKey, PendingMessage> pending = new LinkedHashMap<>();
    private final LinkedHashMap<MessageKey, Long> seen = new LinkedHashMap<>();
    private final Map<MessageKey, DeadLetter> deadLetters = new LinkedHashMap<>();
    private final Map<MessageKey, PendingMessage> deadLetterMessages = new LinkedHashMap<>();
    private final int seenRetention;

    public InboundLedger(int seenRetention) {
        this.seenRetention = seenRetention;
    }

    public synchronized Known lookup(MessageKey key) {
        if (pending.containsKey(key)) {
            return Known.PENDING;
        }
        if (deadLetters.containsKey(key)) {
            return Known.DEAD_LETTERED;
        }
        return seen.containsKey(key) ? Known.DONE : Known.NEW;
    }

    public synchronized PendingMessage add(MessageKey key, String channelType, UserMessage message, long atMs) {
        PendingMessage m = new PendingMessage(key, channelType, message, atMs);
        pending.put(key, m);
        return m;
    }

    /** Removes a message whose journal record could not be written (it was never acked). */
    public synchronized void forget(MessageKey key) {
        pending.remove(key);
    }

    public synchronized void recordRun(MessageKey key, String runRef) {
        PendingMessage m = pending.get(key);
        if (m != null) {
            m.runRef = runRef;
        }
    }

    public synchronized void complete(MessageKey key, long atMs) {
        if (pending.remove(key) != null) {
            remember(key, atMs);
        }
    }

    public synchronized DeadLetter deadLetter(MessageKey key, String reason, int attempts, long atMs) {
        PendingMessage m = pending.remove(key);
        if (m == null) {
            return null;
        }
        DeadLetter d = DeadLetter.of(m, reason, attempts, atMs);
        deadLetters.put(key, d);
        deadLetterMessages.put(key, m);
        return d;
    }

    /** Moves a dead letter back to pending; empty when there is no such dead letter. */
    public synchronized Optional<PendingMessage> replay(MessageKey key) {
        DeadLetter d = deadLetters.remove(key);
        PendingMessage m = deadLetterMessages.remove(key);
        if (d == null || m == null) {
            return Optional.empty();
        }
        PendingMessage fresh = new PendingMessage(key, m.channelType, m.message, m.acceptedAtMs);
        fresh.runRef = null; // a replay starts a new delivery (same idempotency key)
        pending.put(key, fresh);
        return Optional.of(fresh);
    }

    public synchronized List<DeadLetter> deadLetters() {
        return List.copyOf(deadLetters.values());
    }

    public synchronized Optional<MessageKey> deadLetterById(String id) {
        return deadLetters.entrySet().stream().filter(e -> e.getValue().id().equals(id)).map(Map.Entry::getKey)
                .findFirst();
    }

    public synchronized List<PendingMessage> pendingInOrder() {
        return new ArrayList<>(pending.values());
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    public synchronized PendingMessage pending(MessageKey key) {
        return pending.get(key);
    }

    private void remember(MessageKey key, long atMs) {
        seen.put(key, atMs);
        if (seen.size() > seenRetention) {
            Iterator<MessageKey> it = seen.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    /** Replays one journal record (idempotent: a record may appear in a checkpoint and after it). */
    public synchronized void apply(JournalRecord r) {
        switch (r) {
            case JournalRecord.MessageAccepted a -> {
                UserMessage msg;
                try {
                    msg = UserMessage.parseFrom(a.userMessage());
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException("journal holds an unparsable UserMessage on channel "
                            + a.channel() + ": " + e.getMessage(), e);
                }
                MessageKey key = new MessageKey(a.channel(), msg.getMessageId());
                if (!pending.containsKey(key) && !deadLetters.containsKey(key) && !seen.containsKey(key)) {
                    pending.put(key, new PendingMessage(key, a.channelType(), msg, a.acceptedAtMs()));
                }
            }
            case JournalRecord.RunAccepted ra -> recordRun(new MessageKey(ra.channel(), ra.messageId()), ra.runRef());
            case JournalRecord.MessageCompleted c -> complete(new MessageKey(c.channel(), c.messageId()), c.atMs());
            case JournalRecord.DeadLettered d ->
                    deadLetter(new MessageKey(d.channel(), d.messageId()), d.reason(), d.attempts(), d.atMs());
            case JournalRecord.DeadLetterReplayed rp -> replay(new MessageKey(rp.channel(), rp.messageId()));
            case JournalRecord.MessageSeen s -> {
                MessageKey key = new MessageKey(s.channel(), s.messageId());
                if (!pending.containsKey(key)) {
                    remember(key, s.atMs());
                }
            }
            default -> {
                // reply records belong to the ReplyLedger
            }
        }
    }

    /** The live inbound state as records, for a journal checkpoint. */
    public synchronized void snapshot(List<JournalEntry> out) {
        for (Map.Entry<MessageKey, Long> s : seen.entrySet()) {
            out.add(new JournalRecord.MessageSeen(s.getKey().channel(), s.getKey().messageId(), s.getValue()).toEntry());
        }
        for (PendingMessage m : pending.values()) {
            out.add(accepted(m).toEntry());
            if (m.runRef != null) {
                out.add(new JournalRecord.RunAccepted(m.key.channel(), m.key.messageId(), m.runRef).toEntry());
            }
        }
        for (Map.Entry<MessageKey, DeadLetter> e : deadLetters.entrySet()) {
            PendingMessage m = deadLetterMessages.get(e.getKey());
            DeadLetter d = e.getValue();
            out.add(accepted(m).toEntry());
            out.add(new JournalRecord.DeadLettered(d.channel(), d.messageId(), d.reason(), d.attempts(),
                    d.deadLetteredAtMs()).toEntry());
        }
    }

    static JournalRecord.MessageAccepted accepted(PendingMessage m) {
        return new JournalRecord.MessageAccepted(m.key.channel(), m.channelType, m.acceptedAtMs, m.message.toByteArray());
    }
}
