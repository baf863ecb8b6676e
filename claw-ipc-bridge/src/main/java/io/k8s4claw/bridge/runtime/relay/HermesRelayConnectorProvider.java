package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.bridge.connect.RuntimeConnectorProvider;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import java.net.URI;
import java.time.Clock;
import java.util.Map;

/**
 * {@code CLAW_RUNTIME_PROTOCOL=hermes-relay}: Hermes dials in, so {@code CLAW_RUNTIME_URL}/{@code CLAW_RUNTIME_TOKEN}
 * are not used; the listener comes from {@code CLAW_RELAY_PORT} and {@code CLAW_RELAY_SECRET}.
 */
public final class HermesRelayConnectorProvider implements RuntimeConnectorProvider {

    @Override
    public String protocol() {
        return "hermes-relay";
    }

    @Override
    public RuntimeConnector create(URI url, String token, Map<String, String> env) {
        return new HermesRelayConnector(RelaySettings.fromEnv(env), Clock.systemUTC());
    }
}
