package io.k8s4claw.channel.sdk;

import io.k8s4claw.api.bus.v1.Reply;
import java.util.concurrent.CompletionStage;

/**
 * Turns one {@link Reply} event (start, cumulative delta, final, error, typing, approval request, edit)
 * into platform messages.
 *
 * <p>Replies of one conversation (conversation id + thread id) are handed over one at a time, in
 * {@code reply_seq} order: the next one is dispatched only after the stage returned for the previous one
 * completed. Different conversations run concurrently. The client answers the bridge with a
 * {@code ReplyAck} built from the outcome, so the bridge keeps (and resends) the reply until then.
 * A reply the bridge resends after a reconnect that was already handled is acknowledged again from a
 * ledger without calling the handler twice.
 */
@FunctionalInterface
public interface ReplyHandler {
    /**
     * Handles one reply event. Completing the stage exceptionally is treated as a non-retryable failure
     * ({@code ReplyAck{ok=false, retryable=false}}); return {@link ReplyOutcome#failed} to choose.
     */
    CompletionStage<ReplyOutcome> handle(Reply reply);
}
