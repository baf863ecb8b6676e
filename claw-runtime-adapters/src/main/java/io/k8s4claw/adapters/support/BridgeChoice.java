package io.k8s4claw.adapters.support;

import io.k8s4claw.api.runtime.BridgeProtocol;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.v1alpha1.BridgeProtocolSetting;
import io.k8s4claw.api.v1alpha1.Claw;
import java.util.List;
import java.util.Optional;

/** Maps {@code spec.bridge.protocol} ({@code auto|sse|relay|gateway}) to the runtime's {@link BridgeProtocol}. */
public final class BridgeChoice {

    private BridgeChoice() {}

    static boolean matches(BridgeProtocolSetting spec, BridgeProtocol protocol) {
        return switch (spec) {
            case AUTO -> true;
            case SSE -> protocol == BridgeProtocol.HERMES_SSE;
            case RELAY -> protocol == BridgeProtocol.HERMES_RELAY;
            case GATEWAY -> protocol == BridgeProtocol.OPENCLAW_GATEWAY;
        };
    }

    static String specNames(List<BridgeProtocol> protocols) {
        return protocols.stream()
                .map(p -> switch (p) {
                    case HERMES_SSE -> "sse";
                    case HERMES_RELAY -> "relay";
                    case OPENCLAW_GATEWAY -> "gateway";
                })
                .toList()
                .toString();
    }

    /** The protocol a validated Claw uses: the requested one, or the runtime's default for {@code auto}. */
    public static Optional<BridgeProtocol> resolve(Claw claw, RuntimeDescriptor descriptor) {
        var requested = Specs.spec(claw).effectiveBridgeProtocol();
        return descriptor.bridgeProtocols().stream()
                .filter(p -> matches(requested, p))
                .findFirst();
    }
}
