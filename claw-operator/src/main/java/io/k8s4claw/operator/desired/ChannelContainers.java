package io.k8s4claw.operator.desired;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;

/** Which container of a Claw's pod hosts a channel: its own sidecar, or the shared channel container. */
public final class ChannelContainers {

    private ChannelContainers() {}

    /**
     * The name of the container that runs channel {@code channelName} in the desired StatefulSet:
     * {@code channel-<name>}, or {@code claw-channels} when the channel is one of the shared container's (whose
     * readiness is every one of its channels ready, so the channel's readiness is that container's).
     */
    public static String hosting(StatefulSet desired, String channelName) {
        String own = "channel-" + channelName;
        List<Container> init = desired.getSpec().getTemplate().getSpec().getInitContainers();
        if (init == null || init.stream().anyMatch(c -> c.getName().equals(own))) {
            return own;
        }
        boolean shared = init.stream()
                .filter(c -> c.getName().equals(ChannelSidecars.SHARED_NAME))
                .flatMap(c -> c.getEnv().stream())
                .anyMatch(e -> e.getName().matches("CHANNEL_[0-9]+_NAME") && channelName.equals(e.getValue()));
        return shared ? ChannelSidecars.SHARED_NAME : own;
    }
}
