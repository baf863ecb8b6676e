package io.k8s4claw.bridge.runtime;

import java.util.concurrent.CompletionStage;

/**
 * Where a connector sends messages the runtime originates on its own (proactive: cron output, background
 * results; relay {@code send}/{@code edit}/{@code typing}). Implemented by the bridge core: each call becomes a
 * durable {@code Reply} to the target channel, and the stage completes when that channel's sidecar answers with
 * {@code ReplyAck} (the platform accepted it) — or fails with {@link OutboundException}.
 *
 * <p>Thread-safe, non-blocking. Stages complete on a core thread; connectors must not block in callbacks.
 */
public interface OutboundRouter {

    /**
     * Posts a new message.
     *
     * @param replyToPlatformMessageId the platform message to reply to / quote, or {@code null}
     * @return the platform ids of the message(s) carrying the text (a long text may be split)
     */
    CompletionStage<OutboundResult> send(OutboundTarget target, String text, String replyToPlatformMessageId);

    /** Replaces the text of a message posted earlier (its platform id as returned by {@link #send}). */
    CompletionStage<OutboundResult> edit(OutboundTarget target, String platformMessageId, String text);

    /** Shows a typing indicator, best effort. */
    CompletionStage<Void> typing(OutboundTarget target);
}
