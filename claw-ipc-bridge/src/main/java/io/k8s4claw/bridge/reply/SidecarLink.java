package io.k8s4claw.bridge.reply;

import io.k8s4claw.api.bus.v1.Reply;

/** The live bus connection of one channel sidecar, as the reply side sees it. */
public interface SidecarLink {

    /** False while the socket's outbound buffer is above its high-water mark: stop sending until it drains. */
    boolean writable();

    /** Queues a Reply frame (not flushed). */
    void send(Reply reply);

    /** Queues a Reply frame whose Reply is already serialized as {@code encoded} (not flushed). */
    default void send(Reply reply, byte[] encoded) {
        send(reply);
    }

    void flush();

    /** Runs {@code task} on the connection's I/O thread (writes from there need no cross-thread hand-off). */
    void execute(Runnable task);
}
