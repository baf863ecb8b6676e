package io.k8s4claw.bridge.connect;

import io.k8s4claw.bridge.runtime.RuntimeConnector;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Chooses the connector for {@code CLAW_RUNTIME_PROTOCOL}: every connector, built in or not, is a
 * {@link RuntimeConnectorProvider} found through {@link ServiceLoader}
 * ({@code META-INF/services/io.k8s4claw.bridge.connect.RuntimeConnectorProvider}).
 */
public final class RuntimeConnectors {

    private RuntimeConnectors() {}

    public static RuntimeConnector create(String protocol, URI url, String token, Map<String, String> env) {
        List<String> known = new ArrayList<>();
        for (RuntimeConnectorProvider p : ServiceLoader.load(RuntimeConnectorProvider.class)) {
            if (p.protocol().equals(protocol)) {
                return p.create(url, token, env);
            }
            known.add(p.protocol());
        }
        throw new IllegalArgumentException(
                "CLAW_RUNTIME_PROTOCOL '" + protocol + "' is not supported by this" + " bridge; known: " + known);
    }
}
