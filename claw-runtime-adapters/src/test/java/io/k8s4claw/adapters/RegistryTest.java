package io.k8s4claw.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.runtime.BridgeProtocol;
import io.k8s4claw.api.runtime.PortExposure;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.v1alpha1.RuntimeType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The adapters this module registers cover every {@code spec.runtime} value, with the upstream facts. */
class RegistryTest {

    private final RuntimeAdapters adapters = RuntimeAdapters.load();

    @Test
    void everyRuntimeOfTheCrdHasAnAdapter() {
        assertThat(adapters.runtimeIds())
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(RuntimeType.values())
                        .map(RuntimeType::wireValue)
                        .toList());
    }

    @Test
    void descriptorsCarryTheUpstreamFacts() {
        RuntimeDescriptor hermes = adapters.require("hermesclaw").descriptor();
        assertThat(hermes.image().defaultImage()).contains("nousresearch/hermes-agent:v2026.8.19");
        assertThat(hermes.ports()).singleElement().satisfies(p -> {
            assertThat(p.port()).isEqualTo(8642);
            assertThat(p.exposure()).isEqualTo(PortExposure.LOOPBACK);
        });
        assertThat(hermes.bridgeProtocols()).containsExactly(BridgeProtocol.HERMES_SSE, BridgeProtocol.HERMES_RELAY);
        assertThat(hermes.shutdown().terminationGracePeriodSeconds()).isGreaterThanOrEqualTo(90);

        RuntimeDescriptor openclaw = adapters.require("openclaw").descriptor();
        assertThat(openclaw.image().defaultImage()).contains("ghcr.io/openclaw/openclaw:2026.9.6");
        assertThat(openclaw.ports()).singleElement().extracting(p -> p.port()).isEqualTo(18789);
        assertThat(openclaw.defaultBridgeProtocol()).contains(BridgeProtocol.OPENCLAW_GATEWAY);

        assertThat(adapters.require("zeroclaw").descriptor().ports())
                .extracting(p -> p.port())
                .containsExactly(42617);
        assertThat(adapters.require("picoclaw").descriptor().ports())
                .extracting(p -> p.port())
                .containsExactly(18790);
        assertThat(adapters.require("ironclaw").descriptor().ports())
                .extracting(p -> p.port())
                .containsExactly(3000, 8080);
        for (RuntimeDescriptor d : adapters.descriptors()) {
            d.image()
                    .defaultImage()
                    .ifPresent(image -> assertThat(image)
                            .as(d.runtimeId())
                            .doesNotEndWith(":latest")
                            .doesNotEndWith(":main"));
        }
    }
}
