package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.ReplySink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One message's run, keyed by runId (= idempotency key). Confined to the connector thread. */
final class OpenClawRun {
    final String runId;
    final String sessionKey;
    final InboundMessage message;
    final ReplySink sink;
    final CompletableFuture<Accepted> accepted;
    /** Chat events that overtook the chat.send answer, applied once it comes. */
    final List<Json> early = new ArrayList<>();

    boolean attached;
    boolean detached;
    boolean terminal;
    boolean resending;
    /** Its input is in the transcript but its own run is gone (gateway crash): a resumed turn may answer for it. */
    boolean orphaned;

    int idleChecks;
    String text = "";

    OpenClawRun(InboundMessage message, ReplySink sink, CompletableFuture<Accepted> accepted) {
        this.runId = message.idempotencyKey();
        this.sessionKey = OpenClawSessionKeys.forMessage(message);
        this.message = message;
        this.sink = sink;
        this.accepted = accepted;
    }
}
