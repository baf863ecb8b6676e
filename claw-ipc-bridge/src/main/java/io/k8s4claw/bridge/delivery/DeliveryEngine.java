package io.k8s4claw.bridge.delivery;

import com.google.protobuf.ByteString;
import io.k8s4claw.api.bus.v1.ApprovalRequest;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyDelta;
import io.k8s4claw.api.bus.v1.ReplyError;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.ReplyStart;
import io.k8s4claw.api.bus.v1.Typing;
import io.k8s4claw.bridge.ops.BridgeMetrics;
import io.k8s4claw.bridge.reply.ReplyService;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.SessionKey;
import io.k8s4claw.bridge.wal.Journal;
import io.k8s4claw.bridge.wal.JournalRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers durably accepted messages to the runtime.
 * <ul>
 *   <li>per conversation (channel, conversation, thread) one message at a time, in acceptance order: the next
 *       one starts when the previous run ended (final/error) or was dead-lettered;</li>
 *   <li>at most {@code maxConcurrentRuns} runs across conversations (a permit is held from the delivery
 *       attempt until the run's terminal event; a message waiting for a retry holds none);</li>
 *   <li>retryable failures are retried with jittered exponential backoff (honouring the runtime's
 *       Retry-After); past the age/attempt limit — or on a permanent refusal — the message is dead-lettered:
 *       journaled, a Nack{DEAD_LETTERED} to the sidecar if connected, and a durable Reply error the channel
 *       shows the user;</li>
 *   <li>the run reference is journaled when the runtime accepts, so after a crash an accepted-but-unfinished
 *       run is {@linkplain RuntimeConnector#resume resumed} instead of re-sent.</li>
 * </ul>
 */
public final class DeliveryEngine {

    private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);

    private final RuntimeConnector connector;
    private final InboundLedger ledger;
    private final Journal journal;
    private final ReplyService replies;
    private final BridgeMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final DeliveryPolicy policy;
    private final SidecarNotifier notifier;
    private final LongSupplier clock;

    private final Map<SessionKey, Conversation> conversations = new HashMap<>();
    private final ArrayDeque<Conversation> ready = new ArrayDeque<>();
    private int running;
    private int waitingRetry;
    /**
     * Safety net for a connector whose delivery stage never completes (a bug, a hung socket without a timeout):
     * the attempt counts as a retryable failure and its sink is detached, so the conversation cannot stall
     * forever. Connectors answer far sooner (Hermes: 10 s request timeout).
     */
    private volatile Duration attemptTimeout = Duration.ofMinutes(5);
    /** Attempts the connector has not answered yet, with their deadline ({@link System#nanoTime}). */
    private final Map<CompletableFuture<Accepted>, Long> unanswered = new ConcurrentHashMap<>();

    private ScheduledFuture<?> sweeper;
    private long sweepPeriodMs;
    private boolean stopped;

    private static final class Conversation {
        final SessionKey key;
        // Most conversations hold one message at a time: the default 16 slots were a per-message allocation.
        final ArrayDeque<PendingMessage> queue = new ArrayDeque<>(1);
        boolean busy;

        Conversation(SessionKey key) {
            this.key = key;
        }
    }

    public DeliveryEngine(
            RuntimeConnector connector,
            InboundLedger ledger,
            Journal journal,
            ReplyService replies,
            BridgeMetrics metrics,
            ScheduledExecutorService scheduler,
            DeliveryPolicy policy,
            SidecarNotifier notifier,
            LongSupplier clock) {
        this.connector = connector;
        this.ledger = ledger;
        this.journal = journal;
        this.replies = replies;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.policy = policy;
        this.notifier = notifier;
        this.clock = clock;
    }

    /** Queues a durable message behind the earlier ones of its conversation. */
    public void submit(PendingMessage m) {
        List<Start> starts;
        synchronized (this) {
            Conversation c = conversations.computeIfAbsent(m.conversation(), Conversation::new);
            c.queue.add(m);
            if (!c.busy) {
                c.busy = true;
                ready.add(c);
            }
            starts = takeStarts();
        }
        starts.forEach(this::attempt);
    }

    /**
     * Stops the run delivering the conversation's current message (a channel's StopRequest). Completes with the
     * stopped run's reference, or empty when nothing runs there, its run is not accepted by the runtime yet, or
     * {@code streamId} (when not empty) names another run. The run ends through its own terminal event
     * ({@code run_cancelled}), which completes the message as any terminal reply does.
     */
    public CompletionStage<Optional<String>> stop(SessionKey key, String streamId) {
        String runRef;
        synchronized (this) {
            Conversation c = conversations.get(key);
            PendingMessage current = c == null || !c.busy ? null : c.queue.peek();
            runRef = current == null ? null : current.runRef();
        }
        if (runRef == null || (!streamId.isEmpty() && !streamId.equals(runRef))) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        log.atInfo()
                .addKeyValue("channel", key.channelName())
                .addKeyValue("runRef", runRef)
                .log("stopping a run on the user's request");
        return connector.stop(runRef).thenApply(v -> Optional.of(runRef));
    }

    public void attemptTimeout(Duration timeout) {
        this.attemptTimeout = timeout;
    }

    /** Runs in progress (accepted or being delivered). */
    public synchronized int running() {
        return running;
    }

    /** Messages queued or waiting, across conversations. */
    public synchronized int queued() {
        int n = 0;
        for (Conversation c : conversations.values()) {
            n += c.queue.size();
        }
        return n;
    }

    /** No new attempts from now on (shutdown); runs in progress continue until the process exits. */
    public synchronized void stop() {
        stopped = true;
    }

    /** Replays a dead letter by its id; false when there is none. */
    public boolean replayDeadLetter(String id) {
        Optional<MessageKey> key = ledger.deadLetterById(id);
        if (key.isEmpty()) {
            return false;
        }
        Optional<PendingMessage> m = ledger.replay(key.get());
        if (m.isEmpty()) {
            return false;
        }
        journal.append(new JournalRecord.DeadLetterReplayed(
                key.get().channel(), key.get().messageId(), clock.getAsLong()));
        log.atInfo()
                .addKeyValue("channel", key.get().channel())
                .addKeyValue("messageId", key.get().messageId())
                .log("dead letter replayed");
        submit(m.get());
        return true;
    }

    private record Start(Conversation conversation, PendingMessage message) {}

    /** Under the monitor. Nearly always none or one (a message ended, the next starts): no list for those. */
    private List<Start> takeStarts() {
        Start first = null;
        List<Start> more = null;
        while (!stopped && running < policy.maxConcurrentRuns() && !ready.isEmpty()) {
            Conversation c = ready.poll();
            PendingMessage m = c.queue.peek();
            if (m == null) {
                c.busy = false;
                conversations.remove(c.key);
                continue;
            }
            running++;
            Start s = new Start(c, m);
            if (first == null) {
                first = s;
            } else {
                if (more == null) {
                    more = new ArrayList<>();
                    more.add(first);
                }
                more.add(s);
            }
        }
        return more != null ? more : first != null ? List.of(first) : List.of();
    }

    private void attempt(Start s) {
        PendingMessage m = s.message();
        synchronized (ledger) {
            m.attempts++;
            if (m.firstAttemptAtMs == 0) {
                m.firstAttemptAtMs = clock.getAsLong();
            }
        }
        RunSink sink = new RunSink(s.conversation(), m);
        InboundMessage inbound = m.toInbound();
        CompletionStage<Accepted> stage;
        try {
            String runRef = m.runRef();
            stage = runRef != null ? connector.resume(inbound, runRef, sink) : connector.deliver(inbound, sink);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(
                    DeliveryException.retryable("protocol_error", "connector threw: " + e, null, e));
        }
        if (stage instanceof CompletableFuture<Accepted> f && f.isDone()) {
            // Answered already (an in-process runtime, a connector refusing at once): no watch, no callbacks.
            try {
                if (f.state() == Future.State.SUCCESS) {
                    onAccepted(m, sink, f.resultNow());
                } else {
                    sink.detach();
                    onFailed(
                            s.conversation(),
                            m,
                            unwrap(
                                    f.state() == Future.State.FAILED
                                            ? f.exceptionNow()
                                            : new CancellationException("delivery cancelled")));
                }
            } catch (RuntimeException e) {
                // Kept from the caller (the journal completion that submitted the message), as a callback would.
                log.error(
                        "handling the runtime's answer for message {} failed",
                        m.key().messageId(),
                        e);
            }
            return;
        }
        CompletableFuture<Accepted> guarded = new CompletableFuture<>();
        stage.whenComplete((accepted, err) -> {
            if (err == null) {
                guarded.complete(accepted);
            } else {
                guarded.completeExceptionally(err);
            }
        });
        if (!guarded.isDone()) {
            watch(guarded);
        }
        guarded.whenComplete((accepted, err) -> {
            if (err == null) {
                onAccepted(m, sink, accepted);
            } else {
                sink.detach(); // a late success of this attempt must not feed replies
                onFailed(s.conversation(), m, unwrap(err));
            }
        });
    }

    /**
     * Arms the safety timeout of an attempt the connector has not answered yet. One periodic sweep over the
     * (at most {@code maxConcurrentRuns}) unanswered attempts instead of a timer per message: a timer per
     * message cost a priority-queue insert and removal on the delivery path at thousands of messages a second.
     */
    private void watch(CompletableFuture<Accepted> attempt) {
        Duration timeout = attemptTimeout;
        long deadline = System.nanoTime() + timeout.toNanos();
        unanswered.put(attempt, deadline);
        attempt.whenComplete((a, e) -> unanswered.remove(attempt));
        synchronized (this) {
            if (sweeper == null || sweepPeriodMs > sweepPeriodFor(timeout)) {
                if (sweeper != null) {
                    sweeper.cancel(false);
                }
                sweepPeriodMs = sweepPeriodFor(timeout);
                sweeper = scheduler.scheduleWithFixedDelay(
                        this::sweep, sweepPeriodMs, sweepPeriodMs, TimeUnit.MILLISECONDS);
            }
        }
        if (attempt.isDone()) {
            unanswered.remove(attempt);
        }
    }

    private static long sweepPeriodFor(Duration timeout) {
        return Math.max(10, Math.min(1000, timeout.toMillis() / 4));
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Map.Entry<CompletableFuture<Accepted>, Long> e : unanswered.entrySet()) {
            if (now - e.getValue() >= 0) {
                e.getKey()
                        .completeExceptionally(DeliveryException.retryable(
                                "timeout",
                                "the runtime connector did not answer the delivery within " + attemptTimeout));
            }
        }
    }

    private void onAccepted(PendingMessage m, RunSink sink, Accepted accepted) {
        // A run that already ended (its terminal event reached the sink before this acceptance) needs no run
        // reference: its terminal reply's record completes the message, and were that record lost in a crash,
        // a redelivery under the same idempotency key finds the same run.
        if (!sink.ended() && !accepted.runRef().equals(m.runRef())) {
            ledger.recordRun(m.key(), accepted.runRef());
            journal.appendNoWait(
                    new JournalRecord.RunAccepted(m.key().channel(), m.key().messageId(), accepted.runRef()));
        }
        metrics.delivered(m.key().channel(), Math.max(0, clock.getAsLong() - m.acceptedAtMs()) / 1000.0);
        log.atDebug()
                .addKeyValue("channel", m.key().channel())
                .addKeyValue("messageId", m.key().messageId())
                .addKeyValue("runRef", accepted.runRef())
                .addKeyValue("replayed", accepted.replayed())
                .log("runtime accepted message");
        sink.bind(accepted.runRef());
    }

    private void onFailed(Conversation c, PendingMessage m, DeliveryException e) {
        long now = clock.getAsLong();
        boolean tooOld = now - m.acceptedAtMs() > policy.deadLetterAfter().toMillis();
        boolean tooMany = m.attempts >= policy.maxAttempts();
        synchronized (ledger) {
            m.lastError = e.code() + ": " + e.getMessage();
        }
        if (e.retryable() && !tooOld && !tooMany) {
            Duration delay = policy.backoff(m.attempts, e.retryAfter().orElse(null));
            metrics.retry(e.code());
            log.atInfo()
                    .addKeyValue("channel", m.key().channel())
                    .addKeyValue("messageId", m.key().messageId())
                    .addKeyValue("attempt", m.attempts)
                    .addKeyValue("code", e.code())
                    .addKeyValue("retryInMs", delay.toMillis())
                    .log("runtime did not accept the message; will retry");
            List<Start> starts;
            synchronized (this) {
                running--;
                waitingRetry++;
                starts = takeStarts();
            }
            starts.forEach(this::attempt);
            scheduler.schedule(
                    () -> {
                        List<Start> next;
                        synchronized (this) {
                            waitingRetry--;
                            ready.addFirst(c);
                            next = takeStarts();
                        }
                        next.forEach(this::attempt);
                    },
                    delay.toMillis(),
                    TimeUnit.MILLISECONDS);
            return;
        }
        String reason = !e.retryable()
                ? "runtime_rejected: " + e.code() + ": " + e.getMessage()
                : tooOld
                        ? "not accepted by the runtime within " + policy.deadLetterAfter() + " (last error " + e.code()
                                + ": " + e.getMessage() + ")"
                        : "not accepted by the runtime after " + m.attempts + " attempts (last error " + e.code() + ")";
        deadLetter(m, reason, !e.retryable());
        finish(c);
    }

    private void deadLetter(PendingMessage m, String reason, boolean rejected) {
        long now = clock.getAsLong();
        DeadLetter d = ledger.deadLetter(m.key(), reason, m.attempts, now);
        if (d == null) {
            return;
        }
        journal.append(new JournalRecord.DeadLettered(m.key().channel(), m.key().messageId(), reason, m.attempts, now));
        metrics.deadLettered(m.key().channel(), rejected ? "runtime_rejected" : "undeliverable");
        log.atWarn()
                .addKeyValue("channel", m.key().channel())
                .addKeyValue("messageId", m.key().messageId())
                .addKeyValue("attempts", m.attempts)
                .addKeyValue("reason", reason)
                .addKeyValue("deadLetterId", d.id())
                .log("message dead-lettered (list: GET /v1/dead-letters, replay: POST /v1/dead-letters/{id}/replay)");
        String text = rejected
                ? "Sorry — the assistant could not process your message (it was refused)."
                : "Sorry — the assistant is unavailable and your message could not be processed. Please try again "
                        + "later.";
        notifier.nack(
                m.key().channel(),
                Nack.newBuilder()
                        .setMessageId(m.key().messageId())
                        .setReason(rejected ? Nack.Reason.RUNTIME_REJECTED : Nack.Reason.DEAD_LETTERED)
                        .setRetryable(false)
                        .setDetail(reason)
                        .setUserVisibleText(text)
                        .build());
        // Durable notice: reaches the channel even if its sidecar is away right now.
        replies.append(
                m.key().channel(),
                Reply.newBuilder()
                        .setStreamId(ReplyService.DEAD_LETTER_STREAM_PREFIX + d.id())
                        .setInReplyTo(m.key().messageId())
                        .setConversationId(m.message().getConversationId())
                        .setThreadId(m.message().getThreadId())
                        .setError(
                                ReplyError.newBuilder().setCode("dead_lettered").setUserVisibleText(text)));
    }

    private void complete(Conversation c, PendingMessage m, String outcome) {
        ledger.complete(m.key(), clock.getAsLong());
        journal.appendNoWait(
                new JournalRecord.MessageCompleted(m.key().channel(), m.key().messageId(), outcome, clock.getAsLong()));
        finish(c);
    }

    /** Completes a message whose completion is already implied by a journaled terminal reply. */
    private void completeJournaled(Conversation c, PendingMessage m) {
        ledger.complete(m.key(), clock.getAsLong());
        finish(c);
    }

    /** The head message of {@code c} is done: release its permit, move on to the next. */
    private void finish(Conversation c) {
        List<Start> starts;
        synchronized (this) {
            running--; // the attempt's permit (held until the run's end or its dead-lettering)
            c.queue.poll();
            if (c.queue.isEmpty()) {
                c.busy = false;
                conversations.remove(c.key);
            } else {
                ready.add(c);
            }
            starts = takeStarts();
        }
        starts.forEach(this::attempt);
    }

    private static DeliveryException unwrap(Throwable err) {
        Throwable t = err;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof DeliveryException de) {
            return de;
        }
        return DeliveryException.retryable("internal", "delivery failed: " + t, null, t);
    }

    /**
     * Turns one run's events into durable Reply events. Events arriving before the run reference is known
     * (a connector completing the stage on another thread) are held and flushed by {@link #bind}.
     */
    private final class RunSink implements ReplySink {
        private final Conversation conversation;
        private final PendingMessage message;
        private String runRef;
        private ByteString streamId;
        private ByteString inReplyTo;
        private ByteString conversationId;
        private ByteString threadId;
        /** Set by {@link #bind}: events until then are held. */
        private boolean bound;
        /** The first event held before the bind (typically the only one: an instant final), then any others. */
        private Reply.Builder firstEarly;

        private List<Reply.Builder> moreEarly;
        private boolean terminated;
        private boolean streamed;
        /** The run's first reply text went out (for the first-reply latency). */
        private boolean answered;

        RunSink(Conversation conversation, PendingMessage message) {
            this.conversation = conversation;
            this.message = message;
        }

        /** True once the run's terminal event arrived (or the attempt was detached). */
        synchronized boolean ended() {
            return terminated;
        }

        /** Ignores every later event of this attempt. */
        synchronized void detach() {
            terminated = true;
        }

        synchronized void bind(String runRef) {
            this.runRef = runRef;
            this.streamId = utf8(runRef);
            bound = true;
            if (firstEarly != null) {
                emit(firstEarly);
                firstEarly = null;
            }
            if (moreEarly != null) {
                for (int i = 0; i < moreEarly.size(); i++) {
                    emit(moreEarly.get(i));
                }
                moreEarly = null;
            }
        }

        /**
         * The fields every event of the run repeats, as UTF-8 once per run: set as Strings, protobuf would walk
         * each a character at a time twice per event (to size it, then to write it).
         */
        private Reply.Builder base() {
            if (inReplyTo == null) {
                inReplyTo = utf8(message.key().messageId());
                conversationId = utf8(message.message().getConversationId());
                threadId = utf8(message.message().getThreadId());
            }
            return Reply.newBuilder()
                    .setInReplyToBytes(inReplyTo)
                    .setConversationIdBytes(conversationId)
                    .setThreadIdBytes(threadId);
        }

        private synchronized void event(Reply.Builder b) {
            if (terminated) {
                return;
            }
            if (b.hasFinal() || b.hasError()) {
                terminated = true;
            }
            if (bound) {
                emit(b);
            } else if (firstEarly == null) {
                firstEarly = b;
            } else {
                if (moreEarly == null) {
                    moreEarly = new ArrayList<>();
                }
                moreEarly.add(b);
            }
        }

        private void emit(Reply.Builder b) {
            b.setStreamIdBytes(streamId);
            // getTextBytes, not getText: getText would decode the bytes and keep the String in their place, and
            // every serialization after would walk it a character at a time again (see utf8).
            if (b.hasFinal() && b.getFinal().getTextBytes().isEmpty() && !streamed) {
                // Nothing to post: the runtime answers elsewhere (Hermes relay: through outbound actions) or chose
                // silence (OpenClaw NO_REPLY). An empty final would make the channel post "(empty reply)".
                complete(conversation, message, "final");
                return;
            }
            streamed |= b.hasDelta();
            if (!answered && (b.hasDelta() || b.hasFinal() || b.hasError())) {
                answered = true;
                metrics.firstReply(Math.max(0, clock.getAsLong() - message.acceptedAtMs()) / 1000.0);
            }
            replies.log(message.key().channel(), b);
            if (b.hasFinal() || b.hasError()) {
                // The terminal reply's own record marks the message completed on replay (Bridge recovery), so no
                // MessageCompleted record: one journal record less per message.
                completeJournaled(conversation, message);
            }
        }

        /**
         * Reply texts go in as UTF-8 bytes: protobuf then sizes and writes them as bytes instead of walking the
         * string a character at a time, twice, on every serialization.
         */
        private static final ByteString MARKDOWN = utf8("markdown");

        private static ByteString utf8(String text) {
            return ByteString.copyFromUtf8(text);
        }

        @Override
        public void onStart() {
            event(base().setStart(ReplyStart.getDefaultInstance()));
        }

        @Override
        public void onDelta(String textSoFar) {
            event(base().setDelta(ReplyDelta.newBuilder().setTextBytes(utf8(textSoFar))));
        }

        @Override
        public void onFinal(String text) {
            event(base().setFinal(
                            ReplyFinal.newBuilder().setTextBytes(utf8(text)).setFormatBytes(MARKDOWN)));
        }

        @Override
        public void onError(String code, String userVisibleText) {
            event(base().setError(ReplyError.newBuilder().setCode(code).setUserVisibleText(userVisibleText)));
        }

        @Override
        public void onTyping() {
            event(base().setTyping(Typing.getDefaultInstance()));
        }

        @Override
        public void onApprovalRequest(String approvalId, String text, List<String> choices) {
            event(base().setApprovalRequest(ApprovalRequest.newBuilder()
                    .setApprovalId(approvalId)
                    .setText(text)
                    .addAllChoices(choices)));
        }
    }
}
