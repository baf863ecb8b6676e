package io.k8s4claw.bridge.connect;

import io.k8s4claw.bridge.runtime.RuntimeConnector;
import java.net.URI;
import java.util.Map;

/**
 * Makes a {@link RuntimeConnector} for one {@code CLAW_RUNTIME_PROTOCOL} value. Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.k8s4claw.bridge.connect.RuntimeConnectorProvider}),
 * so connectors for new protocols plug in without changing the core.
 */
public interface RuntimeConnectorProvider {

    /** e.g. {@code hermes-relay}, {@code openclaw-gateway}. */
    String protocol();

    /**
     * @param url   {@code CLAW_RUNTIME_URL}
     * @param token {@code CLAW_RUNTIME_TOKEN} (may be empty); never log it
     * @param env   the process environment, for protocol-specific settings ({@code CLAW_RELAY_PORT}, …)
     */
    RuntimeConnector create(URI url, String token, Map<String, String> env);
}
