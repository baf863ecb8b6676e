package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import java.util.Objects;
import java.util.Optional;

/**
 * The channels of this pod as the relay needs them: which channel fronts a Hermes platform, and what it can do
 * (from its sidecar's bus {@code Hello}). Implemented by the bridge core; thread-safe.
 */
@FunctionalInterface
public interface RelayChannels {

    /** A channel registered on the bus. */
    record Channel(String channelName, String channelType, ChannelCapabilities capabilities) {
        public Channel {
            Objects.requireNonNull(channelName, "channelName");
            Objects.requireNonNull(channelType, "channelType");
            Objects.requireNonNull(capabilities, "capabilities");
        }
    }

    /**
     * The channel fronting {@code platform} (a Hermes platform name such as {@code telegram}, equal to the channel
     * type), or empty when no sidecar of that type has registered (yet).
     */
    Optional<Channel> forPlatform(String platform);
}
