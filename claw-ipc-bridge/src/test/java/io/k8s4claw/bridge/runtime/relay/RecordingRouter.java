package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.bridge.runtime.OutboundException;
import io.k8s4claw.bridge.runtime.OutboundResult;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.OutboundTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A channel side for relay tests: records every call and answers like a platform that numbers its messages. */
final class RecordingRouter implements OutboundRouter {

    record Call(String op, OutboundTarget target, String text, String messageId) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger nextId = new AtomicInteger(4712);
    volatile boolean hang;
    volatile String unknownChat;

    @Override
    public CompletionStage<OutboundResult> send(OutboundTarget target, String text, String replyTo) {
        calls.add(new Call("send", target, text, replyTo));
        if (hang) {
            return new CompletableFuture<>();
        }
        if (target.conversationId().equals(unknownChat)) {
            return CompletableFuture.failedFuture(
                    new OutboundException("unknown_channel", "no channel owns " + unknownChat, false));
        }
        return CompletableFuture.completedFuture(
                new OutboundResult(List.of(Integer.toString(nextId.getAndIncrement()))));
    }

    @Override
    public CompletionStage<OutboundResult> edit(OutboundTarget target, String platformMessageId, String text) {
        calls.add(new Call("edit", target, text, platformMessageId));
        return CompletableFuture.completedFuture(new OutboundResult(List.of(platformMessageId)));
    }

    @Override
    public CompletionStage<Void> typing(OutboundTarget target) {
        calls.add(new Call("typing", target, null, null));
        return CompletableFuture.completedFuture(null);
    }
}
