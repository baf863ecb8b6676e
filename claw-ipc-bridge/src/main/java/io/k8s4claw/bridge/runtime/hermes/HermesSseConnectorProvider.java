package io.k8s4claw.bridge.runtime.hermes;

import io.k8s4claw.bridge.connect.RuntimeConnectorProvider;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import java.net.URI;
import java.util.Map;

/** {@code CLAW_RUNTIME_PROTOCOL=hermes-sse}: the bridge calls Hermes's API at {@code CLAW_RUNTIME_URL}. */
public final class HermesSseConnectorProvider implements RuntimeConnectorProvider {

    @Override
    public String protocol() {
        return "hermes-sse";
    }

    @Override
    public RuntimeConnector create(URI url, String token, Map<String, String> env) {
        return new HermesSseConnector(HermesSseSettings.of(url, token));
    }
}
