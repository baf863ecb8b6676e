package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.bridge.connect.RuntimeConnectorProvider;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code CLAW_RUNTIME_PROTOCOL=openclaw-gateway}: {@code CLAW_RUNTIME_URL} (ws://127.0.0.1:18789/) and
 * {@code CLAW_RUNTIME_TOKEN}.
 */
public final class OpenClawGatewayConnectorProvider implements RuntimeConnectorProvider {

    @Override
    public String protocol() {
        return "openclaw-gateway";
    }

    @Override
    public RuntimeConnector create(URI url, String token, Map<String, String> env) {
        Map<String, String> effective = new HashMap<>(env);
        if (url != null) {
            effective.put("CLAW_RUNTIME_URL", url.toString());
        }
        if (token != null) {
            effective.put("CLAW_RUNTIME_TOKEN", token);
        }
        return new OpenClawGatewayConnector(OpenClawSettings.fromEnv(effective), Clock.systemUTC());
    }
}
