package io.k8s4claw.channel.sdk;

import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Remembers which replies were handled, so that
 * <ul>
 *   <li>a reply the bridge resends (its ReplyAck got lost in a reconnect, or the sidecar restarted before
 *       sending it) is acknowledged again from here instead of being posted to the platform twice, and</li>
 *   <li>{@code Hello.last_reply_seq} is a safe resume point: the highest seq at or below which every
 *       reply received has been handled (a later reply of another conversation may finish first).</li>
 * </ul>
 * A handled reply is recognised by its seq <em>and</em> a fingerprint of its content: a bridge whose state was
 * reset numbers new replies from 1 again, and one of those must not be taken for an old one. With a
 * {@link ReplyLedgerFile} the handled replies outlive the process; the resume point does not (a restarted
 * sidecar says 0 and the bridge resends everything unacknowledged, which this ledger then answers).
 * Not thread-safe; {@link BusClient} guards it.
 */
final class ReplyLedger {
    private final int capacity;
    private final Map<Long, ReplyLedgerFile.Handled> recentAcks;
    /** seq -> fingerprint of the replies being handled. */
    private final TreeMap<Long, Long> inProgress = new TreeMap<>();

    private final ReplyLedgerFile file;
    private long highestAcked;
    private long watermark;

    ReplyLedger(int capacity, long initialWatermark) {
        this(capacity, initialWatermark, null);
    }

    ReplyLedger(int capacity, long initialWatermark, ReplyLedgerFile file) {
        this.capacity = capacity;
        this.recentAcks = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ReplyLedgerFile.Handled> eldest) {
                return size() > ReplyLedger.this.capacity;
            }
        };
        this.highestAcked = initialWatermark;
        this.watermark = initialWatermark;
        this.file = file;
        if (file != null) {
            for (ReplyLedgerFile.Handled h : file.load()) recentAcks.put(h.ack().getReplySeq(), h);
        }
    }

    enum Seen {
        NEW,
        IN_PROGRESS,
        ALREADY_ACKED
    }

    /** What identifies a reply's content: the first 8 bytes of SHA-256 over its encoding. */
    static long fingerprint(Reply reply) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(reply.toByteArray()))
                    .getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records that reply {@code seq} with content {@code fingerprint} arrived; says whether it must be handled. */
    Seen arrived(long seq, long fingerprint) {
        ReplyLedgerFile.Handled done = recentAcks.get(seq);
        if (done != null) {
            if (done.fingerprint() == fingerprint) return Seen.ALREADY_ACKED;
            recentAcks.remove(seq); // another reply under a reused seq: the old entry is of a bridge that is gone
        }
        if (inProgress.containsKey(seq)) return Seen.IN_PROGRESS;
        inProgress.put(seq, fingerprint);
        return Seen.NEW;
    }

    ReplyAck ackFor(long seq) {
        ReplyLedgerFile.Handled done = recentAcks.get(seq);
        return done == null ? null : done.ack();
    }

    void handled(ReplyAck ack) {
        long seq = ack.getReplySeq();
        Long fingerprint = inProgress.remove(seq);
        ReplyLedgerFile.Handled done = new ReplyLedgerFile.Handled(ack, fingerprint == null ? 0 : fingerprint);
        recentAcks.put(seq, done);
        if (file != null) {
            file.append(done);
            if (file.wantsRewrite()) file.rewrite(recentAcks.values());
        }
        highestAcked = Math.max(highestAcked, seq);
        watermark = inProgress.isEmpty() ? highestAcked : Math.min(highestAcked, inProgress.firstKey() - 1);
    }

    /** A retryable failure: the reply is not handled, the bridge will send it again. */
    void forget(long seq) {
        inProgress.remove(seq);
        watermark = inProgress.isEmpty() ? highestAcked : Math.min(highestAcked, inProgress.firstKey() - 1);
    }

    /** For Hello.last_reply_seq. */
    long lastReplySeq() {
        return watermark;
    }

    int inProgressCount() {
        return inProgress.size();
    }

    void close() {
        if (file != null) file.close();
    }
}
