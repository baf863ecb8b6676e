package io.k8s4claw.bridge.delivery;

import io.k8s4claw.api.bus.v1.Nack;

/** Sends a Nack to a channel's sidecar if it is connected (best effort: the durable notice is a Reply error). */
@FunctionalInterface
public interface SidecarNotifier {
    void nack(String channel, Nack nack);
}
