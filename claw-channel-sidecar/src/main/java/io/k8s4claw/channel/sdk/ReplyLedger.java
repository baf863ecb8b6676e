package io.k8s4claw.channel.sdk;

import io.k8s4claw.api.bus.v1.ReplyAck;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Remembers which replies were handled, so that
 * <ul>
 *   <li>a reply the bridge resends (its ReplyAck got lost in a reconnect) is acknowledged again from
 *       here instead of being posted to the platform twice, and</li>
 *   <li>{@code Hello.last_reply_seq} is a safe resume point: the highest seq at or below which every
 *       reply received has been handled (a later reply of another conversation may finish first).</li>
 * </ul>
 * Not thread-safe; {@link BusClient} guards it.
 */
final class ReplyLedger {
    private final int capacity;
    private final Map<Long, ReplyAck> recentAcks;
    private final TreeSet<Long> inProgress = new TreeSet<>();
    private long highestAcked;
    private long watermark;

    ReplyLedger(int capacity, long initialWatermark) {
        this.capacity = capacity;
        this.recentAcks = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ReplyAck> eldest) {
                return size() > ReplyLedger.this.capacity;
            }
        };
        this.highestAcked = initialWatermark;
        this.watermark = initialWatermark;
    }

    enum Seen { NEW, IN_PROGRESS, ALREADY_ACKED }

    /** Records that reply {@code seq} arrived; says whether it must be handled. */
    Seen arrived(long seq) {
        if (recentAcks.containsKey(seq)) return Seen.ALREADY_ACKED;
        if (inProgress.contains(seq)) return Seen.IN_PROGRESS;
        inProgress.add(seq);
        return Seen.NEW;
    }

    ReplyAck ackFor(long seq) {
        return recentAcks.get(seq);
    }

    void handled(ReplyAck ack) {
        long seq = ack.getReplySeq();
        inProgress.remove(seq);
        recentAcks.put(seq, ack);
        highestAcked = Math.max(highestAcked, seq);
        watermark = inProgress.isEmpty() ? highestAcked : Math.min(highestAcked, inProgress.first() - 1);
    }

    /** A retryable failure: the reply is not handled, the bridge will send it again. */
    void forget(long seq) {
        inProgress.remove(seq);
        watermark = inProgress.isEmpty() ? highestAcked : Math.min(highestAcked, inProgress.first() - 1);
    }

    /** For Hello.last_reply_seq. */
    long lastReplySeq() {
        return watermark;
    }

    int inProgressCount() {
        return inProgress.size();
    }
}
