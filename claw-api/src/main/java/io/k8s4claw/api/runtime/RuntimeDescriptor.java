package io.k8s4claw.api.runtime;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Static facts about a runtime, available without a Claw (for {@code claw runtimes}, docs, auto-update).
 *
 * @param runtimeId        the {@code spec.runtime} value, e.g. {@code hermesclaw}
 * @param displayName      human name, e.g. {@code Hermes Agent}
 * @param image            default image, pinned tag and tag policy
 * @param ports            every port the runtime listens on (loopback ones included)
 * @param bridgeProtocols  protocols the bridge can use with this runtime; the first is the default; empty when
 *                         the bridge cannot talk to it (then {@code spec.channels} is rejected)
 * @param configFormat     the format of the runtime's own configuration file
 * @param defaultMergeMode the merge mode when {@code spec.configMergeMode} is unset
 * @param shutdown         termination grace and what the runtime does on SIGTERM
 * @param summary          one paragraph on what the adapter renders
 */
public record RuntimeDescriptor(
        String runtimeId,
        String displayName,
        ImagePolicy image,
        List<RuntimePort> ports,
        List<BridgeProtocol> bridgeProtocols,
        ConfigFormat configFormat,
        MergeMode defaultMergeMode,
        ShutdownPolicy shutdown,
        String summary) {
    public RuntimeDescriptor {
        Objects.requireNonNull(runtimeId, "runtimeId");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(configFormat, "configFormat");
        Objects.requireNonNull(defaultMergeMode, "defaultMergeMode");
        Objects.requireNonNull(shutdown, "shutdown");
        Objects.requireNonNull(summary, "summary");
        ports = List.copyOf(ports);
        bridgeProtocols = List.copyOf(bridgeProtocols);
        if (!runtimeId.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException(
                    "runtime id '" + runtimeId + "' must be lower-case letters, digits and '-'");
        }
    }

    /** The protocol the bridge uses unless the Claw asks for another, or empty when there is none. */
    public Optional<BridgeProtocol> defaultBridgeProtocol() {
        return bridgeProtocols.stream().findFirst();
    }
}
