package io.k8s4claw.bridge.runtime;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;

/**
 * Optional for connectors that must describe the pod's channels to the runtime (the Hermes relay answers each
 * {@code hello} with a descriptor built from the channel's capabilities). The core calls it whenever a channel
 * sidecar registers on the bus (its {@code Hello}), including re-registrations; connectors that do not implement it
 * are not told. Must not block.
 */
public interface ChannelAware {

    void onChannelRegistered(String channelName, String channelType, ChannelCapabilities capabilities);
}
