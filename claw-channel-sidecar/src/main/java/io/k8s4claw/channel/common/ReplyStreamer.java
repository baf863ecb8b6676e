package io.k8s4claw.channel.common;

import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.ReplyHandler;
import io.k8s4claw.channel.sdk.ReplyOutcome;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers agent reply streams to a platform through a {@link PlatformOutbox}, the same way for every
 * channel:
 * <ul>
 *   <li>{@code start}/{@code typing}: a typing indicator where the platform has one;</li>
 *   <li>{@code delta} (cumulative): with streaming on and an editable platform, one preview message is
 *       posted and then edited at most every {@code minEditInterval}; otherwise deltas are skipped (each
 *       carries the whole text so far, the final carries all of it);</li>
 *   <li>{@code final}: split to the platform's limit without breaking code fences; the first chunk
 *       replaces the preview, the rest are posted in order in the same thread. Chunks already posted are
 *       remembered per stream, so a retried final continues where it stopped instead of posting twice;</li>
 *   <li>{@code error}: the user-visible text in the thread; {@code approval_request}: a question the next
 *       matching user message answers; {@code edit}: an edit of an earlier platform message.</li>
 * </ul>
 * Rate limits are waited out (Retry-After), pausing reply delivery on the bus while waiting long; auth
 * failures mark the platform failed and pause replies (kept by the bridge) instead of looping.
 */
public final class ReplyStreamer implements ReplyHandler {
    private static final System.Logger LOG = System.getLogger(ReplyStreamer.class.getName());

    private final PlatformOutbox outbox;
    private final ChannelMetrics metrics;
    private final PlatformStatus status;
    private final ApprovalRouter approvals;
    private final boolean streamEdits;
    private final Duration minEditInterval;
    private final int maxAttempts;
    private final Duration maxRetryWait;
    private volatile BusClient bus;
    private final Map<String, StreamState> streams = new ConcurrentHashMap<>();

    private static final class StreamState {
        String previewId;
        long lastEditNanos;
        final List<String> finalIds = new ArrayList<>();
    }

    public ReplyStreamer(
            PlatformOutbox outbox,
            ChannelMetrics metrics,
            PlatformStatus status,
            ApprovalRouter approvals,
            boolean streamEdits,
            Duration minEditInterval) {
        this(outbox, metrics, status, approvals, streamEdits, minEditInterval, 4, Duration.ofSeconds(60));
    }

    public ReplyStreamer(
            PlatformOutbox outbox,
            ChannelMetrics metrics,
            PlatformStatus status,
            ApprovalRouter approvals,
            boolean streamEdits,
            Duration minEditInterval,
            int maxAttempts,
            Duration maxRetryWait) {
        this.outbox = outbox;
        this.metrics = metrics;
        this.status = status;
        this.approvals = approvals;
        this.streamEdits = streamEdits && outbox.supportsEdit();
        this.minEditInterval = minEditInterval;
        this.maxAttempts = maxAttempts;
        this.maxRetryWait = maxRetryWait;
    }

    /** The bus client, to pause reply delivery while rate-limited (set once the client exists). */
    public void attach(BusClient bus) {
        this.bus = bus;
    }

    @Override
    public CompletionStage<ReplyOutcome> handle(Reply reply) {
        return CompletableFuture.completedFuture(handleNow(reply));
    }

    ReplyOutcome handleNow(Reply reply) {
        PlatformOutbox.Target target =
                new PlatformOutbox.Target(reply.getConversationId(), reply.getThreadId(), reply.getInReplyTo());
        try {
            return switch (reply.getEventCase()) {
                case START, TYPING -> {
                    try {
                        outbox.typing(target);
                    } catch (PlatformException e) {
                        LOG.log(Level.DEBUG, "typing indicator failed: {0}", e.getMessage());
                    }
                    yield ReplyOutcome.delivered();
                }
                case DELTA -> delta(reply, target);
                case FINAL ->
                    finalText(
                            reply,
                            target,
                            reply.getFinal().getText(),
                            !"plain".equals(reply.getFinal().getFormat()));
                case ERROR -> {
                    String text = reply.getError().getUserVisibleText().isBlank()
                            ? "Sorry, I could not finish that ("
                                    + reply.getError().getCode() + ")."
                            : reply.getError().getUserVisibleText();
                    yield finalText(reply, target, text, false);
                }
                case APPROVAL_REQUEST -> {
                    approvals.asked(
                            reply.getConversationId(),
                            reply.getThreadId(),
                            reply.getStreamId(),
                            reply.getApprovalRequest());
                    yield finalText(reply, target, ApprovalRouter.question(reply.getApprovalRequest()), false);
                }
                case EDIT -> {
                    List<String> chunks =
                            outbox.splitter().split(reply.getEdit().getText());
                    String text = chunks.isEmpty() ? " " : chunks.get(0);
                    call(() -> {
                        outbox.update(target, reply.getEdit().getPlatformMessageId(), text, true);
                        return null;
                    });
                    metrics.replyOut();
                    yield ReplyOutcome.delivered(reply.getEdit().getPlatformMessageId());
                }
                case EVENT_NOT_SET -> ReplyOutcome.failed("unsupported_reply_event", false);
            };
        } catch (PlatformException e) {
            return failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ReplyOutcome.failed("interrupted", true);
        }
    }

    private ReplyOutcome delta(Reply reply, PlatformOutbox.Target target)
            throws PlatformException, InterruptedException {
        if (!streamEdits) return ReplyOutcome.delivered();
        StreamState st = streams.computeIfAbsent(reply.getStreamId(), k -> new StreamState());
        long now = System.nanoTime();
        if (st.previewId != null && now - st.lastEditNanos < minEditInterval.toNanos()) {
            return ReplyOutcome.delivered(st.previewId); // a later delta or the final carries this text
        }
        String preview = preview(reply.getDelta().getText());
        if (preview.isBlank()) return ReplyOutcome.delivered();
        if (st.previewId == null) {
            st.previewId = call(() -> outbox.post(target, preview, true, reply.getStreamId() + ":preview"));
        } else {
            String id = st.previewId;
            call(() -> {
                outbox.update(target, id, preview, true);
                return null;
            });
        }
        st.lastEditNanos = System.nanoTime();
        metrics.replyOut();
        return ReplyOutcome.delivered(st.previewId);
    }

    /** The streaming preview: the text so far, cut to one message with an ellipsis. */
    private String preview(String text) {
        TextSplitter splitter = outbox.splitter();
        if (splitter.length(text) <= splitter.limit()) return text;
        List<String> chunks = new TextSplitter(splitter.limit() - 2, TextSplitter.Unit.UTF16).split(text);
        return chunks.get(0) + " ...";
    }

    private ReplyOutcome finalText(Reply reply, PlatformOutbox.Target target, String text, boolean markdown)
            throws PlatformException, InterruptedException {
        StreamState st = streams.computeIfAbsent(
                reply.getStreamId().isEmpty() ? "seq-" + reply.getReplySeq() : reply.getStreamId(),
                k -> new StreamState());
        List<String> chunks = outbox.splitter().split(text.isEmpty() ? "(empty reply)" : text);
        // st.finalIds holds chunks already posted by an earlier attempt of this same final.
        for (int i = st.finalIds.size(); i < chunks.size(); i++) {
            String chunk = chunks.get(i);
            String id;
            if (i == 0 && st.previewId != null) {
                String preview = st.previewId;
                call(() -> {
                    outbox.update(target, preview, chunk, markdown);
                    return null;
                });
                id = preview;
            } else {
                String key = (reply.getStreamId().isEmpty() ? "seq-" + reply.getReplySeq() : reply.getStreamId()) + ":"
                        + reply.getEventCase().getNumber() + ":" + i;
                id = call(() -> outbox.post(target, chunk, markdown, key));
            }
            st.finalIds.add(id);
            metrics.replyOut();
        }
        streams.remove(reply.getStreamId().isEmpty() ? "seq-" + reply.getReplySeq() : reply.getStreamId());
        return ReplyOutcome.delivered(List.copyOf(st.finalIds));
    }

    @FunctionalInterface
    private interface PlatformCall<T> {
        T run() throws PlatformException;
    }

    /** Runs one platform call, waiting out rate limits and retrying transient failures. */
    private <T> T call(PlatformCall<T> c) throws PlatformException, InterruptedException {
        PlatformException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                return c.run();
            } catch (PlatformException e) {
                last = e;
                switch (e.kind()) {
                    case RATE_LIMITED -> {
                        metrics.rateLimitWait();
                        Duration wait = e.retryAfter().isZero() ? Duration.ofSeconds(1) : e.retryAfter();
                        if (wait.compareTo(maxRetryWait) > 0) throw e;
                        boolean pause = wait.toMillis() >= 1000 && bus != null;
                        if (pause)
                            bus.pauseReplies(
                                    "platform rate limit (" + e.code() + "), retry after " + wait.toMillis() + " ms");
                        try {
                            Thread.sleep(wait);
                        } finally {
                            if (pause) bus.resumeReplies();
                        }
                    }
                    case TRANSIENT -> {
                        metrics.error("transient");
                        Thread.sleep(Math.min(8000, 250L << (attempt - 1)));
                    }
                    default -> throw e;
                }
            }
        }
        throw last;
    }

    private ReplyOutcome failure(PlatformException e) {
        metrics.error(e.kind().name().toLowerCase(Locale.ROOT));
        return switch (e.kind()) {
            case AUTH -> {
                status.failed("platform rejected the credentials (" + e.code() + "): " + e.getMessage());
                if (bus != null) bus.pauseReplies("platform credentials rejected (" + e.code() + ")");
                LOG.log(
                        Level.ERROR,
                        "platform rejected the credentials ({0}); replies are held by the bridge until the sidecar "
                                + "is restarted with valid ones",
                        e.code());
                yield ReplyOutcome.failed(e.code(), true);
            }
            case PERMANENT -> {
                LOG.log(Level.WARNING, "reply not deliverable: {0}", e.getMessage());
                yield ReplyOutcome.failed(e.code(), false);
            }
            case RATE_LIMITED, TRANSIENT -> {
                LOG.log(Level.WARNING, "reply delivery failed after retries: {0}", e.getMessage());
                yield ReplyOutcome.failed(e.code(), true);
            }
        };
    }
}
