package io.k8s4claw.bridge.reply;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.k8s4claw.api.bus.v1.EditMessage;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.Typing;
import io.k8s4claw.bridge.ops.BridgeMetrics;
import io.k8s4claw.bridge.runtime.OutboundException;
import io.k8s4claw.bridge.runtime.OutboundResult;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.OutboundTarget;
import io.k8s4claw.bridge.wal.Journal;
import io.k8s4claw.bridge.wal.JournalEntry;
import io.k8s4claw.bridge.wal.JournalRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound (agent → user) side: a durable reply log per channel. Every reply event gets the channel's
 * next {@code reply_seq}, is journaled, and is sent to the channel's sidecar only once durable; it stays in
 * the log until the sidecar's {@code ReplyAck}. While a sidecar is away (or has paused replies) events
 * accumulate, superseded deltas of a stream are coalesced away, and on its return everything above its
 * {@code Hello.last_reply_seq} is sent in order. A final or error is never dropped.
 *
 * <p>Also the {@link OutboundRouter} the runtime connector uses for proactive messages.
 */
public final class ReplyService implements OutboundRouter {

    private static final Logger log = LoggerFactory.getLogger(ReplyService.class);

    private static final class Entry {
        final Reply reply;
        /** The reply as journaled: sent as is, not serialized again. */
        final byte[] encoded;

        boolean durable;

        Entry(Reply reply, byte[] encoded, boolean durable) {
            this.reply = reply;
            this.encoded = encoded;
            this.durable = durable;
        }
    }

    private final class ChannelReplies {
        final String channel;
        final ReplyLog<Entry> pending = new ReplyLog<>();
        long lastSeq;
        long sentUpTo;
        SidecarLink link;
        boolean paused;
        boolean pumpScheduled;
        /** Per stream, the seq of its latest delta (the only one a later event can still supersede). */
        final Map<ByteString, Long> latestDelta = new HashMap<>();

        ChannelReplies(String channel) {
            this.channel = channel;
        }
    }

    private final Journal journal;
    private final BridgeMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ChannelReplies> channels = new ConcurrentHashMap<>();
    private final Map<String, String> channelTypes = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<OutboundResult>> proactive = new ConcurrentHashMap<>();

    public ReplyService(Journal journal, BridgeMetrics metrics, ScheduledExecutorService scheduler) {
        this.journal = journal;
        this.metrics = metrics;
        this.scheduler = scheduler;
    }

    private ChannelReplies of(String channel) {
        return channels.computeIfAbsent(channel, ChannelReplies::new);
    }

    /** Declares a channel the pod has (CLAW_CHANNELS, or learnt from a Hello), for proactive routing. */
    public void knowChannel(String channel, String type) {
        if (type != null && !type.isEmpty()) {
            channelTypes.put(channel, type);
        }
        of(channel);
    }

    // ------------------------------------------------------------------ appending

    /**
     * Assigns the next reply_seq, journals the event and sends it once durable. Returns the numbered reply;
     * the future completes when it is durable.
     */
    public CompletableFuture<Reply> append(String channel, Reply.Builder event) {
        CompletableFuture<Reply> durable = new CompletableFuture<>();
        log(channel, event, durable);
        return durable;
    }

    /** {@link #append} for a caller that does not wait for durability (a run's events): no future per event. */
    public void log(String channel, Reply.Builder event) {
        log(channel, event, null);
    }

    private void log(String channel, Reply.Builder event, CompletableFuture<Reply> durable) {
        ChannelReplies c = of(channel);
        Reply reply;
        byte[] encoded;
        synchronized (c) {
            reply = event.setReplySeq(++c.lastSeq).build();
            encoded = reply.toByteArray();
            coalesceBefore(c, reply);
            c.pending.put(reply.getReplySeq(), new Entry(reply, encoded, false));
        }
        metrics.replyQueued(channel);
        store(c, reply, encoded, durable, 0);
    }

    /**
     * Journals a logged reply; once durable it may be sent. A run's reply whose record cannot be written (disk
     * full, an I/O error) is written again with backoff until it is: its run already counts as answered, and the
     * channel's later replies wait behind it (they are sent in order), so giving up would hold them until a
     * restart. A proactive message's caller is told instead, and the message dropped: it may try again.
     */
    private void store(ChannelReplies c, Reply reply, byte[] encoded, CompletableFuture<Reply> durable, int failures) {
        journal.append(new JournalRecord.ReplyRecorded(c.channel, encoded), failure -> {
            if (failure == null) {
                synchronized (c) {
                    Entry e = c.pending.get(reply.getReplySeq());
                    if (e != null) {
                        e.durable = true;
                    }
                }
                schedulePump(c);
                if (durable != null) {
                    durable.complete(reply);
                }
                return;
            }
            if (durable != null) {
                synchronized (c) {
                    c.pending.remove(reply.getReplySeq());
                }
                schedulePump(c); // the replies behind it may go now
                durable.completeExceptionally(failure);
                return;
            }
            synchronized (c) {
                if (c.pending.get(reply.getReplySeq()) == null) {
                    return; // coalesced away meanwhile: a later event of its stream carries it
                }
            }
            long delayMs = Math.min(5_000, 100L << Math.min(failures, 6));
            log.atWarn()
                    .addKeyValue("channel", c.channel)
                    .addKeyValue("replySeq", reply.getReplySeq())
                    .addKeyValue("attempt", failures + 1)
                    .addKeyValue("retryInMs", delayMs)
                    .addKeyValue("error", failure.getMessage())
                    .log("reply not stored; the channel's replies wait until it is");
            try {
                scheduler.schedule(() -> store(c, reply, encoded, null, failures + 1), delayMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                // the bridge is stopping: the message has no reply record, so it is delivered again after the restart
            }
        });
    }

    /**
     * Drops the un-sent delta of the same stream that {@code next} supersedes (deltas are cumulative). Each
     * stream has at most one un-sent delta (every newer event removes the older), so this is O(1).
     */
    private static void coalesceBefore(ChannelReplies c, Reply next) {
        if (!supersedes(next)) {
            return;
        }
        // Keyed by the stream id's bytes, as the engine sets them: getStreamId() would decode them into a String
        // (and keep that in their place) for every event.
        Long previous = next.getEventCase() == Reply.EventCase.DELTA
                ? c.latestDelta.put(next.getStreamIdBytes(), next.getReplySeq())
                : c.latestDelta.isEmpty() ? null : c.latestDelta.remove(next.getStreamIdBytes());
        if (previous != null && previous > c.sentUpTo) {
            c.pending.remove(previous);
        }
    }

    private static boolean supersedes(Reply r) {
        return switch (r.getEventCase()) {
            case DELTA, FINAL, ERROR -> true;
            default -> false;
        };
    }

    /** Coalesces a whole backlog (after recovery or before a resend): keep each stream's latest delta only. */
    private static void coalesceAll(ChannelReplies c) {
        List<Long> drop = new ArrayList<>();
        Map<ByteString, Long> laterSupersedes = new HashMap<>();
        for (int i = c.pending.end() - 1; i >= c.pending.start(); i--) {
            Entry e = c.pending.entryAt(i);
            if (e == null) {
                continue;
            }
            Reply r = e.reply;
            if (r.getEventCase() == Reply.EventCase.DELTA && laterSupersedes.containsKey(r.getStreamIdBytes())) {
                drop.add(c.pending.seqAt(i));
            }
            if (supersedes(r)) {
                laterSupersedes.put(r.getStreamIdBytes(), c.pending.seqAt(i));
            }
        }
        drop.forEach(c.pending::remove);
    }

    // ------------------------------------------------------------------ sidecar side

    /** A sidecar registered: resend everything above its high-water mark, in order. */
    public void attach(String channel, String type, SidecarLink link, long lastReplySeq) {
        knowChannel(channel, type);
        ChannelReplies c = of(channel);
        List<Long> acked = new ArrayList<>();
        synchronized (c) {
            c.link = link;
            c.paused = false;
            if (lastReplySeq > c.lastSeq) {
                // The sidecar has seen more than this log remembers (data dir lost?): keep numbering above it
                // so that its high-water mark does not swallow new replies.
                log.warn(
                        "channel {} reports last_reply_seq {} above the bridge's {}; continuing above it",
                        channel,
                        lastReplySeq,
                        c.lastSeq);
                c.lastSeq = lastReplySeq;
                journal.append(new JournalRecord.ReplySeqFloor(channel, lastReplySeq));
            }
            acked.addAll(c.pending.removeThrough(lastReplySeq));
            c.sentUpTo = lastReplySeq;
            coalesceAll(c);
        }
        for (Long seq : acked) {
            journal.appendNoWait(new JournalRecord.ReplyAcked(channel, seq));
        }
        pump(c);
    }

    public void detach(String channel, SidecarLink link) {
        ChannelReplies c = of(channel);
        synchronized (c) {
            if (c.link == link) {
                c.link = null;
                // everything sent but not acked is resent to the next connection (from its last_reply_seq)
            }
        }
    }

    public void setPaused(String channel, boolean paused) {
        ChannelReplies c = of(channel);
        synchronized (c) {
            c.paused = paused;
        }
        if (!paused) {
            pump(c);
        }
    }

    /** Sends durable, un-sent replies in order while the socket is writable. Called again on writability. */
    public void pump(String channel) {
        ChannelReplies c = channels.get(channel);
        if (c != null) {
            pump(c);
        }
    }

    /**
     * Pumps on the sidecar's I/O thread, once for all replies made durable by one group commit: one flush
     * per batch instead of one cross-thread write and flush per reply.
     */
    private void schedulePump(ChannelReplies c) {
        SidecarLink link;
        synchronized (c) {
            if (c.link == null || c.pumpScheduled) {
                return;
            }
            c.pumpScheduled = true;
            link = c.link;
        }
        link.execute(() -> {
            synchronized (c) {
                c.pumpScheduled = false;
            }
            pump(c);
        });
    }

    private void pump(ChannelReplies c) {
        synchronized (c) {
            SidecarLink link = c.link;
            if (link == null || c.paused) {
                return;
            }
            int sent = 0;
            for (int i = c.pending.firstAfter(c.sentUpTo); i < c.pending.end(); i++) {
                Entry e = c.pending.entryAt(i);
                if (e == null) {
                    continue;
                }
                if (!e.durable || !link.writable()) {
                    break;
                }
                link.send(e.reply, e.encoded);
                c.sentUpTo = c.pending.seqAt(i);
                sent++;
            }
            if (sent > 0) {
                link.flush();
                metrics.repliesSent(c.channel, sent);
            }
        }
    }

    public void onReplyAck(String channel, ReplyAck ack) {
        ChannelReplies c = of(channel);
        Entry e;
        synchronized (c) {
            e = c.pending.get(ack.getReplySeq());
            if (e != null && !(!ack.getOk() && ack.getRetryable())) {
                c.pending.remove(ack.getReplySeq());
            }
        }
        if (e == null) {
            return; // duplicate ack, or a reply coalesced away
        }
        if (!ack.getOk() && ack.getRetryable()) {
            metrics.replyRetried(channel);
            long seq = ack.getReplySeq();
            scheduler.schedule(() -> resendOne(c, seq), 1, TimeUnit.SECONDS);
            return;
        }
        if (!ack.getOk()) {
            log.atWarn()
                    .addKeyValue("channel", channel)
                    .addKeyValue("replySeq", ack.getReplySeq())
                    .addKeyValue("error", ack.getError())
                    .log("platform refused a reply for good; dropping it");
        }
        journal.appendNoWait(new JournalRecord.ReplyAcked(channel, ack.getReplySeq()));
        CompletableFuture<OutboundResult> waiting =
                proactive.isEmpty() ? null : proactive.remove(channel + "#" + ack.getReplySeq());
        if (waiting != null) {
            if (ack.getOk() && ack.getPlatformMessageIdsCount() > 0) {
                waiting.complete(new OutboundResult(ack.getPlatformMessageIdsList()));
            } else if (ack.getOk()) {
                waiting.completeExceptionally(new OutboundException(
                        "platform_error", "the channel acked without a platform message id", false));
            } else {
                waiting.completeExceptionally(new OutboundException("platform_error", ack.getError(), false));
            }
        }
    }

    private void resendOne(ChannelReplies c, long seq) {
        synchronized (c) {
            Entry e = c.pending.get(seq);
            if (e != null && c.link != null && seq <= c.sentUpTo) {
                c.link.send(e.reply, e.encoded);
                c.link.flush();
            }
        }
    }

    /** Replies not yet acked, per channel (for metrics and tests). */
    public int pendingCount(String channel) {
        ChannelReplies c = channels.get(channel);
        if (c == null) {
            return 0;
        }
        synchronized (c) {
            return c.pending.size();
        }
    }

    public int pendingTotal() {
        int n = 0;
        for (String ch : channels.keySet()) {
            n += pendingCount(ch);
        }
        return n;
    }

    // ------------------------------------------------------------------ recovery / checkpoint

    /**
     * Replays one record. Returns the message id a recorded terminal reply (final/error) answers, or null: such
     * a record also marks that message as completed (the engine writes no separate completion record for it).
     */
    public String apply(JournalRecord r) {
        switch (r) {
            case JournalRecord.ReplyRecorded rr -> {
                Reply reply;
                try {
                    reply = Reply.parseFrom(rr.reply());
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException(
                            "journal holds an unparsable Reply on channel " + rr.channel(), e);
                }
                ChannelReplies c = of(rr.channel());
                synchronized (c) {
                    c.pending.put(reply.getReplySeq(), new Entry(reply, rr.reply(), true));
                    c.lastSeq = Math.max(c.lastSeq, reply.getReplySeq());
                }
                return answersMessage(reply) ? reply.getInReplyTo() : null;
            }
            case JournalRecord.ReplyAcked a -> {
                ChannelReplies c = of(a.channel());
                synchronized (c) {
                    c.pending.remove(a.replySeq());
                }
            }
            case JournalRecord.ReplySeqFloor f -> {
                ChannelReplies c = of(f.channel());
                synchronized (c) {
                    c.lastSeq = Math.max(c.lastSeq, f.lastSeq());
                }
            }
            default -> {}
        }
        return null;
    }

    /**
     * True for the terminal reply of a run answering a user message: not a proactive message (no
     * in_reply_to) and not the dead-letter notice (its message stays listed as a dead letter).
     */
    public static boolean answersMessage(Reply r) {
        return (r.hasFinal() || r.hasError())
                && !r.getInReplyTo().isEmpty()
                && !r.getStreamId().startsWith(DEAD_LETTER_STREAM_PREFIX);
    }

    /** Stream id prefix of the durable notice a dead-lettered message gets. */
    public static final String DEAD_LETTER_STREAM_PREFIX = "dead-letter-";

    /** After replay: coalesce each backlog. Returns terminal replies' (channel, in_reply_to) pairs. */
    public List<String[]> afterRecovery() {
        List<String[]> terminal = new ArrayList<>();
        for (ChannelReplies c : channels.values()) {
            synchronized (c) {
                coalesceAll(c);
                c.pending.forEach(e -> {
                    Reply r = e.reply;
                    if ((r.hasFinal() || r.hasError()) && !r.getInReplyTo().isEmpty()) {
                        terminal.add(new String[] {c.channel, r.getInReplyTo()});
                    }
                });
            }
        }
        return terminal;
    }

    public void snapshot(List<JournalEntry> out) {
        for (ChannelReplies c : channels.values()) {
            synchronized (c) {
                out.add(new JournalRecord.ReplySeqFloor(c.channel, c.lastSeq).toEntry());
                // Also replies whose own record is still queued: the ledger may already count their message as
                // completed, so the checkpoint must not go without them (replay is idempotent per reply_seq).
                c.pending.forEach(e -> out.add(new JournalRecord.ReplyRecorded(c.channel, e.encoded).toEntry()));
            }
        }
    }

    // ------------------------------------------------------------------ proactive (OutboundRouter)

    @Override
    public CompletionStage<OutboundResult> send(OutboundTarget target, String text, String replyToPlatformMessageId) {
        return proactive(target, b -> b.setFinal(ReplyFinal.newBuilder().setText(text)));
    }

    @Override
    public CompletionStage<OutboundResult> edit(OutboundTarget target, String platformMessageId, String text) {
        return proactive(
                target,
                b -> b.setEdit(EditMessage.newBuilder()
                        .setPlatformMessageId(platformMessageId)
                        .setText(text)));
    }

    @Override
    public CompletionStage<Void> typing(OutboundTarget target) {
        try {
            String channel = resolve(target);
            return append(channel, base(target).setTyping(Typing.getDefaultInstance()))
                    .thenApply(r -> null);
        } catch (OutboundException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<OutboundResult> proactive(OutboundTarget target, UnaryOperator<Reply.Builder> body) {
        String channel;
        try {
            channel = resolve(target);
        } catch (OutboundException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<OutboundResult> result = new CompletableFuture<>();
        ChannelReplies c = of(channel);
        Reply.Builder b = body.apply(base(target));
        // register before the reply can possibly be acked
        synchronized (c) {
            long seq = c.lastSeq + 1;
            proactive.put(channel + "#" + seq, result);
            append(channel, b).exceptionally(err -> {
                proactive.remove(channel + "#" + seq);
                result.completeExceptionally(
                        new OutboundException("closed", "could not store the message: " + err.getMessage(), true));
                return null;
            });
        }
        return result;
    }

    private static Reply.Builder base(OutboundTarget target) {
        return Reply.newBuilder()
                .setStreamId("proactive-" + UUID.randomUUID())
                .setConversationId(target.conversationId())
                .setThreadId(target.threadId());
    }

    private String resolve(OutboundTarget target) throws OutboundException {
        if (target.channelName() != null && !target.channelName().isEmpty()) {
            if (!channels.containsKey(target.channelName())) {
                throw new OutboundException(
                        "unknown_channel",
                        "no channel named '" + target.channelName() + "' in this pod (known: " + channels.keySet()
                                + ")",
                        false);
            }
            return target.channelName();
        }
        List<String> matching = channelTypes.entrySet().stream()
                .filter(e -> e.getValue().equals(target.channelType()))
                .map(Map.Entry::getKey)
                .toList();
        if (matching.size() != 1) {
            throw new OutboundException(
                    "unknown_channel",
                    matching.isEmpty()
                            ? "no channel of type '" + target.channelType() + "' in this pod"
                            : "several channels of type '" + target.channelType() + "' (" + matching
                                    + "): the runtime must name one",
                    false);
        }
        return matching.get(0);
    }
}
