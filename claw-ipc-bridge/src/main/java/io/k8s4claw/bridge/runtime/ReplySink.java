package io.k8s4claw.bridge.runtime;

import java.util.List;

/**
 * Receives the events of one run, in order, one call at a time, on a connector-owned thread. Implementations
 * must not block (they hand events to the durable reply log). After {@link #onFinal} or {@link #onError} no
 * further call happens for that run, except that a {@link RuntimeConnector#resume resumed} run may replay
 * events, including the terminal one, that a previous process already received.
 */
public interface ReplySink {

    /** The runtime started working on the message. Called at most once per attachment, before any other event. */
    void onStart();

    /** The reply text so far (cumulative, never a fragment): any delta but the last may be skipped or coalesced. */
    void onDelta(String textSoFar);

    /** The complete reply (terminal). {@code text} may be empty when the runtime produced no text. */
    void onFinal(String text);

    /**
     * The run ended without a reply (terminal).
     *
     * @param code            stable machine code, e.g. {@code run_failed}, {@code run_cancelled},
     *                        {@code run_interrupted}, {@code run_lost}
     * @param userVisibleText what the channel may show the user; never secrets or stack traces
     */
    void onError(String code, String userVisibleText);

    /** The runtime is working (tool call, thinking): channels may show a typing indicator. May repeat. */
    void onTyping();

    /**
     * The run waits for the user's decision. The answer goes back with
     * {@link RuntimeConnector#answerApproval(String, String, String)}.
     *
     * @param approvalId identifies this request within the run
     * @param text       what is being asked (e.g. the command the agent wants to run), for the user
     * @param choices    the answers the runtime accepts, e.g. {@code once, session, always, deny}
     */
    void onApprovalRequest(String approvalId, String text, List<String> choices);
}
