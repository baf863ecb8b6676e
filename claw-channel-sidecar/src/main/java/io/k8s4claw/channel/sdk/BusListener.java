package io.k8s4claw.channel.sdk;

import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.Welcome;

/** Optional notifications about the bus link. All methods have no-op defaults; they must not block. */
public interface BusListener {
    default void connected(Welcome welcome) {}

    default void disconnected(String why) {}

    /**
     * A Nack for a message whose publish stage already completed (e.g. {@code DEAD_LETTERED}: accepted
     * earlier, never delivered to the runtime). The channel may tell the user {@code nack.getUserVisibleText()}.
     */
    default void lateNack(Nack nack) {}

    /** The client stopped for good (see {@link ConnectionState#FAILED}); {@code why} says what to do. */
    default void failed(String why) {}
}
