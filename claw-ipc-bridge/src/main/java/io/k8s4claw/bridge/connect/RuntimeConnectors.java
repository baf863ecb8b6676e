package io.k8s4claw.bridge.connect;

import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.hermes.HermesSseConnector;
import io.k8s4claw.bridge.runtime.hermes.HermesSseSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Chooses the connector for {@code CLAW_RUNTIME_PROTOCOL}. */
public final class RuntimeConnectors {

    private RuntimeConnectors() {
    }

    public static RuntimeConnector create(String protocol, URI url, String token, Map<String, String> env) {
        switch (protocol) {
            case "hermes-sse":
                return new HermesSseConnector(HermesSseSettings.of(url, token));
            case "echo":
                return new EchoConnector();
            default:
                List<String> known = new ArrayList<>(List.of("hermes-sse", "echo"));
                for (RuntimeConnectorProvider p : ServiceLoader.load(RuntimeConnectorProvider.class)) {
                    if (p.protocol().equals(protocol)) {
                        return p.create(url, token, env);
                    }
                    known.add(p.protocol());
                }
                throw new IllegalArgumentException("CLAW_RUNTIME_PROTOCOL '" + protocol + "' is not supported by this"
                        + " bridge; known: " + known);
        }
    }
}
