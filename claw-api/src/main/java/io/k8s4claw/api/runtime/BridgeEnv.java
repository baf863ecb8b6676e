package io.k8s4claw.api.runtime;

import io.fabric8.kubernetes.api.model.EnvVar;
import java.net.URI;
import java.util.List;

/** The bridge environment every {@link BridgeTarget} shares. */
final class BridgeEnv {
    private BridgeEnv() {}

    static List<EnvVar> common(BridgeProtocol protocol, URI url, SecretKeyReference token) {
        return List.of(
                new EnvVar("CLAW_RUNTIME_PROTOCOL", protocol.wireName(), null),
                new EnvVar("CLAW_RUNTIME_URL", url.toString(), null),
                token.toEnvVar("CLAW_RUNTIME_TOKEN"));
    }
}
