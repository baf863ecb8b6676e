package io.k8s4claw.bridge.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.bridge.connect.EchoConnector;
import io.k8s4claw.bridge.connect.RuntimeConnectors;
import io.k8s4claw.bridge.runtime.hermes.HermesSseConnector;
import io.k8s4claw.bridge.runtime.openclaw.OpenClawGatewayConnector;
import io.k8s4claw.bridge.runtime.openclaw.OpenClawSettings;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CLAW_RUNTIME_PROTOCOL selects every connector, built in or not, through the core's one ServiceLoader lookup. */
class ConnectorProvidersTest {

    @Test
    void bothProtocolsAreFoundAndConfiguredFromTheEnvironment() {
        try (var relay = RuntimeConnectors.create(
                "hermes-relay",
                null,
                "",
                Map.of("CLAW_RELAY_PORT", "0", "CLAW_RELAY_SECRET", "a-secret-of-some-length"))) {
            assertThat(relay).isInstanceOf(HermesRelayConnector.class);
            assertThat(relay.protocol()).isEqualTo("hermes-relay");
        }
        try (var openclaw =
                RuntimeConnectors.create("openclaw-gateway", URI.create("ws://127.0.0.1:18789"), "tok", Map.of())) {
            assertThat(openclaw).isInstanceOf(OpenClawGatewayConnector.class);
            assertThat(openclaw.protocol()).isEqualTo("openclaw-gateway");
        }
    }

    @Test
    void theBuiltInConnectorsAreFoundTheSameWayAndAnUnknownProtocolNamesThemAll() {
        try (var sse = RuntimeConnectors.create("hermes-sse", URI.create("http://127.0.0.1:8642"), "key", Map.of())) {
            assertThat(sse).isInstanceOf(HermesSseConnector.class);
            assertThat(sse.protocol()).isEqualTo("hermes-sse");
        }
        try (var echo = RuntimeConnectors.create("echo", null, "", Map.of())) {
            assertThat(echo).isInstanceOf(EchoConnector.class);
        }
        assertThatThrownBy(() -> RuntimeConnectors.create("carrier-pigeon", null, "", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CLAW_RUNTIME_PROTOCOL 'carrier-pigeon' is not supported")
                .hasMessageContaining("[hermes-sse, echo, hermes-relay, openclaw-gateway]");
    }

    @Test
    void missingSecretsAreClearErrors() {
        assertThatThrownBy(() -> RuntimeConnectors.create("hermes-relay", null, "", Map.of()))
                .hasMessageContaining("CLAW_RELAY_SECRET");
        assertThatThrownBy(() ->
                        RuntimeConnectors.create("openclaw-gateway", URI.create("ws://127.0.0.1:18789/"), "", Map.of()))
                .hasMessageContaining("CLAW_RUNTIME_TOKEN");
        assertThatThrownBy(() -> RelaySettings.fromEnv(Map.of("CLAW_RELAY_PORT", "x", "CLAW_RELAY_SECRET", "s")))
                .hasMessageContaining("CLAW_RELAY_PORT must be a number");
        assertThat(RelaySettings.fromEnv(Map.of("CLAW_RELAY_SECRET", "new, old"))
                        .toString())
                .doesNotContain("new")
                .contains("secrets=2");
        var settings = OpenClawSettings.fromEnv(
                Map.of("CLAW_RUNTIME_URL", "http://127.0.0.1:18789", "CLAW_RUNTIME_TOKEN", "t0ken"));
        assertThat(settings.url()).hasToString("ws://127.0.0.1:18789/");
        assertThat(settings.toString()).doesNotContain("t0ken");
        assertThatThrownBy(() -> OpenClawSettings.fromEnv(
                        Map.of("CLAW_RUNTIME_URL", "tcp://127.0.0.1:1", "CLAW_RUNTIME_TOKEN", "t")))
                .hasMessageContaining("ws://127.0.0.1:<port>/");
    }
}
