package io.k8s4claw.bridge.delivery;

import com.google.protobuf.InvalidProtocolBufferException;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.wal.JournalEntry;
import io.k8s4claw.bridge.wal.JournalRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
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
    public enum Known {
        NEW,
        PENDING,
        DONE,
        DEAD_LETTERED
    }

    private final Map<MessageKey, PendingMessage> pending = new LinkedHashMap<>();
    private final SeenWindow seen;
    private final Map<MessageKey, DeadLetter> deadLetters = new LinkedHashMap<>();
    private final Map<MessageKey, PendingMessage> deadLetterMessages = new LinkedHashMap<>();
    /** Dedupe entries per checkpoint record (about 98 KB of digests). */
    static final int SEEN_PER_RECORD = 4096;

    public InboundLedger(int seenRetention) {
        this.seen = new SeenWindow(seenRetention);
    }

    /** The digest {@link #lookup(MessageKey, byte[])} and {@link #add} take: computed once per message. */
    public static byte[] digest(MessageKey key) {
        return InboundMessage.digestOf(key.channel(), key.messageId());
    }

    public Known lookup(MessageKey key) {
        return lookup(key, digest(key));
    }

    public synchronized Known lookup(MessageKey key, byte[] digest) {
        return pending.containsKey(key) ? Known.PENDING : lookupSettled(key, digest);
    }

    /** {@link #lookup(MessageKey, byte[])} for a caller that found no {@link #pending} message already. */
    public synchronized Known lookupSettled(MessageKey key, byte[] digest) {
        if (!deadLetters.isEmpty() && deadLetters.containsKey(key)) { // an empty map still hashes the key
            return Known.DEAD_LETTERED;
        }
        return seen.contains(hi(digest), lo(digest)) ? Known.DONE : Known.NEW;
    }

    public PendingMessage add(MessageKey key, String channelType, UserMessage message, long atMs) {
        return add(key, digest(key), channelType, message, atMs);
    }

    public synchronized PendingMessage add(
            MessageKey key, byte[] digest, String channelType, UserMessage message, long atMs) {
        PendingMessage m = new PendingMessage(key, digest, channelType, message, atMs);
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
        PendingMessage m = pending.remove(key);
        if (m != null) {
            seen.add(hi(m.digest), lo(m.digest), atMs);
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
        PendingMessage fresh = new PendingMessage(key, m.digest, m.channelType, m.message, m.acceptedAtMs);
        fresh.runRef = null; // a replay starts a new delivery (same idempotency key)
        pending.put(key, fresh);
        return Optional.of(fresh);
    }

    public synchronized List<DeadLetter> deadLetters() {
        return List.copyOf(deadLetters.values());
    }

    public synchronized Optional<MessageKey> deadLetterById(String id) {
        return deadLetters.entrySet().stream()
                .filter(e -> e.getValue().id().equals(id))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    public synchronized List<PendingMessage> pendingInOrder() {
        return new ArrayList<>(pending.values());
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Acceptance time of the oldest message not yet completed, or {@code nowMs} when none is pending. */
    public synchronized long oldestPendingAcceptedAtMs(long nowMs) {
        long oldest = nowMs;
        for (PendingMessage m : pending.values()) {
            oldest = Math.min(oldest, m.acceptedAtMs);
        }
        return oldest;
    }

    public synchronized PendingMessage pending(MessageKey key) {
        return pending.get(key);
    }

    /** Completed messages remembered for deduplication (at most the configured window). */
    public synchronized int seenCount() {
        return seen.size();
    }

    static long hi(byte[] digest) {
        return (long) LONGS.get(digest, 0);
    }

    static long lo(byte[] digest) {
        return (long) LONGS.get(digest, 8);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Replays one journal record (idempotent: a record may appear in a checkpoint and after it). */
    public synchronized void apply(JournalRecord r) {
        switch (r) {
            case JournalRecord.MessageAccepted a -> {
                UserMessage msg;
                try {
                    msg = UserMessage.parseFrom(a.userMessage());
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException(
                            "journal holds an unparsable UserMessage on channel " + a.channel() + ": " + e.getMessage(),
                            e);
                }
                MessageKey key = new MessageKey(a.channel(), msg.getMessageId());
                byte[] digest = digest(key);
                if (!pending.containsKey(key)
                        && !deadLetters.containsKey(key)
                        && !seen.contains(hi(digest), lo(digest))) {
                    pending.put(key, new PendingMessage(key, digest, a.channelType(), msg, a.acceptedAtMs()));
                }
            }
            case JournalRecord.RunAccepted ra -> recordRun(new MessageKey(ra.channel(), ra.messageId()), ra.runRef());
            case JournalRecord.MessageCompleted c -> complete(new MessageKey(c.channel(), c.messageId()), c.atMs());
            case JournalRecord.DeadLettered d ->
                deadLetter(new MessageKey(d.channel(), d.messageId()), d.reason(), d.attempts(), d.atMs());
            case JournalRecord.DeadLetterReplayed rp -> replay(new MessageKey(rp.channel(), rp.messageId()));
            case JournalRecord.MessageSeen s -> {
                // written by checkpoints before the window kept digests only
                MessageKey key = new MessageKey(s.channel(), s.messageId());
                if (!pending.containsKey(key)) {
                    byte[] digest = digest(key);
                    seen.add(hi(digest), lo(digest), s.atMs());
                }
            }
            case JournalRecord.SeenDigests d -> {
                long[] e = d.entries();
                for (int i = 0; i + 2 < e.length; i += 3) {
                    seen.add(e[i], e[i + 1], e[i + 2]);
                }
            }
            default -> {
                // reply records belong to the ReplyLedger
            }
        }
    }

    /** The live inbound state as records, for a journal checkpoint. */
    public synchronized void snapshot(List<JournalEntry> out) {
        // the window as digests, oldest first, in records of at most SEEN_PER_RECORD entries (24 bytes each)
        long[] window = seen.entries();
        for (int from = 0; from < window.length; from += 3 * SEEN_PER_RECORD) {
            out.add(new JournalRecord.SeenDigests(
                            Arrays.copyOfRange(window, from, Math.min(window.length, from + 3 * SEEN_PER_RECORD)))
                    .toEntry());
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
            out.add(new JournalRecord.DeadLettered(
                            d.channel(), d.messageId(), d.reason(), d.attempts(), d.deadLetteredAtMs())
                    .toEntry());
        }
    }

    static JournalRecord.MessageAccepted accepted(PendingMessage m) {
        return new JournalRecord.MessageAccepted(
                m.key.channel(), m.channelType, m.acceptedAtMs, m.message.toByteArray());
    }
}
