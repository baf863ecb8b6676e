package io.k8s4claw.bridge.connect;

import io.k8s4claw.bridge.runtime.RuntimeConnector;
import java.net.URI;
import java.util.Map;

/** {@code CLAW_RUNTIME_PROTOCOL=echo}: see {@link EchoConnector}. */
public final class EchoConnectorProvider implements RuntimeConnectorProvider {

    @Override
    public String protocol() {
        return "echo";
    }

    @Override
    public RuntimeConnector create(URI url, String token, Map<String, String> env) {
        return new EchoConnector();
    }
}
