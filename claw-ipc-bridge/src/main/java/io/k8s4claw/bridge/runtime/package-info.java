/**
 * The runtime side of the bridge: one {@link io.k8s4claw.bridge.runtime.RuntimeConnector} per agent-runtime
 * protocol (Hermes over SSE, Hermes relay WebSocket, OpenClaw gateway), behind one contract.
 *
 * <h2>Flow</h2>
 * <ol>
 *   <li>The bridge core {@linkplain io.k8s4claw.bridge.runtime.RuntimeConnector#start starts} the connector
 *       once, giving it an {@link io.k8s4claw.bridge.runtime.OutboundRouter} for messages the runtime sends
 *       on its own (cron output, background results). The connector (re)connects forever in the background;
 *       a runtime that is not up yet is the normal case at pod start.</li>
 *   <li>For every inbound message taken from the write-ahead log the core calls
 *       {@link io.k8s4claw.bridge.runtime.RuntimeConnector#deliver deliver(message, sink)}. The returned stage
 *       completes with {@link io.k8s4claw.bridge.runtime.Accepted} once the runtime has <em>accepted</em> the
 *       message (a run exists on the runtime's side that will produce the reply), or fails with a
 *       {@link io.k8s4claw.bridge.runtime.DeliveryException} saying whether a retry can help.</li>
 *   <li>The core records {@code Accepted.runRef()} durably. Reply events then arrive on the
 *       {@link io.k8s4claw.bridge.runtime.ReplySink}: {@code onStart}, cumulative {@code onDelta}s,
 *       {@code onTyping}, {@code onApprovalRequest}, and exactly one terminal {@code onFinal} or
 *       {@code onError}.</li>
 *   <li>After a bridge crash or a lost runtime link, the core calls
 *       {@link io.k8s4claw.bridge.runtime.RuntimeConnector#resume resume(message, runRef, sink)} for every run
 *       that was accepted but whose terminal event was not recorded, instead of delivering again.</li>
 * </ol>
 *
 * <h2>Idempotency</h2>
 * {@link io.k8s4claw.bridge.runtime.InboundMessage#idempotencyKey()} is derived from (channel name, bus message
 * id) only, so a re-delivery of the same bus message — after a crash between "runtime accepted" and "core
 * recorded the run reference", or a retried request whose answer was lost — carries the same key and the
 * runtime absorbs it (Hermes: {@code Idempotency-Key} replay; OpenClaw: {@code idempotencyKey} dedupe; relay:
 * {@code message_id} dedupe). Connectors must send the key unchanged and must send byte-for-byte the same
 * request for the same message (Hermes answers 409 to a reused key with a different body).
 *
 * <h2>Threading</h2>
 * Connectors are thread-safe: {@code deliver}, {@code resume}, {@code answerApproval} and {@code health} may be
 * called concurrently from any thread and never block the caller (I/O happens on connector-owned threads).
 * The sink callbacks of one run are called one at a time, in order, on a connector-owned thread; they must not
 * block (hand the event off). No sink callback of a run happens before the {@code deliver}/{@code resume}
 * stage of that run has completed successfully; dependents attached to the stage before it completes run before
 * the first callback, but a dependent attached later (the stage may complete on another thread at any time) can
 * run after the first callbacks — so a sink that needs the run reference buffers events until it has it.
 */
package io.k8s4claw.bridge.runtime;
