package io.k8s4claw.operator.desired;

import io.k8s4claw.operator.OperatorVersion;
import java.util.Objects;

/**
 * The images of the bridge and of the channel sidecars when a Claw or ClawChannel does not name its own:
 * by default the operator's own version ({@code ghcr.io/k8s4claw/claw-ipc-bridge:<version>}), overridable by
 * operator flags.
 */
public record SidecarImages(String bridge, String channelSidecar) {

    public SidecarImages {
        Objects.requireNonNull(bridge, "bridge");
        Objects.requireNonNull(channelSidecar, "channelSidecar");
    }

    public static SidecarImages defaults() {
        OperatorVersion v = OperatorVersion.current();
        return new SidecarImages(v.bridgeImage(), v.channelSidecarImage());
    }

    public SidecarImages withOverrides(String bridgeOverride, String channelOverride) {
        return new SidecarImages(
                blank(bridgeOverride) ? bridge : bridgeOverride,
                blank(channelOverride) ? channelSidecar : channelOverride);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
