package io.k8s4claw.api.runtime;

import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import java.util.List;
import java.util.Objects;

/**
 * Everything an adapter may look at when rendering. Adapters read nothing else (no cluster, no files, no
 * clock, no randomness), so the same context always renders the same {@link PodContribution}.
 *
 * @param claw      a Claw for which {@link RuntimeAdapter#validateCreate} returned no errors
 * @param channels  the ClawChannels the Claw's {@code spec.channels} refer to, in the same order (resolved by
 *                  the operator; empty when the Claw has no channels)
 * @param names     the names the operator chose for ConfigMaps, Secrets and volumes
 * @param relayPort the loopback port of the bridge's Hermes relay server ({@code CLAW_RELAY_PORT}, default 8765)
 */
public record RenderContext(Claw claw, List<ClawChannel> channels, RenderNames names, int relayPort) {

    /** The bridge's default relay port. */
    public static final int DEFAULT_RELAY_PORT = 8765;

    public RenderContext {
        Objects.requireNonNull(claw, "claw");
        Objects.requireNonNull(names, "names");
        channels = List.copyOf(channels);
        if (relayPort < 1 || relayPort > 65535) {
            throw new IllegalArgumentException("relay port " + relayPort + " is outside 1..65535");
        }
    }

    /** A context with the default names ({@link RenderNames#defaults(String)}) and relay port. */
    public static RenderContext of(Claw claw, List<ClawChannel> channels) {
        return new RenderContext(
                claw, channels, RenderNames.defaults(claw.getMetadata().getName()), DEFAULT_RELAY_PORT);
    }

    /** The Claw's name. */
    public String clawName() {
        return claw.getMetadata().getName();
    }
}
