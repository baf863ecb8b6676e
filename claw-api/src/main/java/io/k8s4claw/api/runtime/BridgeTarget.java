package io.k8s4claw.api.runtime;

import io.fabric8.kubernetes.api.model.EnvVar;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the in-pod bridge reaches the runtime. The operator adds {@link #bridgeEnv()} to the bridge container
 * (the environment contract of {@code claw-ipc-bridge}: {@code CLAW_RUNTIME_PROTOCOL}, {@code CLAW_RUNTIME_URL},
 * {@code CLAW_RUNTIME_TOKEN}, {@code CLAW_RELAY_PORT}, {@code CLAW_RELAY_SECRET}). Tokens are always references
 * to generated Secrets, never values.
 */
public sealed interface BridgeTarget {

    /** The protocol, or empty for {@link None}. */
    Optional<BridgeProtocol> protocol();

    /** Environment variables for the bridge container (empty for {@link None}). */
    List<EnvVar> bridgeEnv();

    /**
     * The runtime speaks no protocol the bridge implements: a Claw of this runtime cannot use {@code spec.channels}.
     */
    record None(String reason) implements BridgeTarget {
        public None {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Optional<BridgeProtocol> protocol() {
            return Optional.empty();
        }

        @Override
        public List<EnvVar> bridgeEnv() {
            return List.of();
        }
    }

    /**
     * Hermes API server (runs + SSE).
     *
     * @param runtimeUrl e.g. {@code http://127.0.0.1:8642}
     * @param token      the Secret key holding {@code API_SERVER_KEY}
     */
    record HermesSse(URI runtimeUrl, SecretKeyReference token) implements BridgeTarget {
        public HermesSse {
            Objects.requireNonNull(runtimeUrl, "runtimeUrl");
            Objects.requireNonNull(token, "token");
        }

        @Override
        public Optional<BridgeProtocol> protocol() {
            return Optional.of(BridgeProtocol.HERMES_SSE);
        }

        @Override
        public List<EnvVar> bridgeEnv() {
            return BridgeEnv.common(BridgeProtocol.HERMES_SSE, runtimeUrl, token);
        }
    }

    /**
     * Hermes relay: Hermes dials the bridge at {@code ws://127.0.0.1:<relayPort>/relay}, authenticating with an
     * HMAC token made from {@code relayId} and the relay secret. The API server stays on for health and
     * {@code runtimeUrl}/{@code token} point at it.
     *
     * @param runtimeUrl  Hermes API server URL (health, approvals), e.g. {@code http://127.0.0.1:8642}
     * @param token       the Secret key holding {@code API_SERVER_KEY}
     * @param relayPort   the loopback port the bridge's relay server listens on
     * @param relaySecret the Secret key holding the shared HMAC secret ({@code GATEWAY_RELAY_SECRET})
     * @param relayId     the gateway id Hermes signs ({@code GATEWAY_RELAY_ID})
     * @param platforms   the platforms Hermes announces in its {@code hello}s ({@code GATEWAY_RELAY_PLATFORMS}), first
     *                    is default
     */
    record HermesRelay(
            URI runtimeUrl,
            SecretKeyReference token,
            int relayPort,
            SecretKeyReference relaySecret,
            String relayId,
            List<String> platforms)
            implements BridgeTarget {
        public HermesRelay {
            Objects.requireNonNull(runtimeUrl, "runtimeUrl");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(relaySecret, "relaySecret");
            Objects.requireNonNull(relayId, "relayId");
            platforms = List.copyOf(platforms);
            if (relayPort < 1 || relayPort > 65535) {
                throw new IllegalArgumentException("relay port " + relayPort + " is outside 1..65535");
            }
        }

        @Override
        public Optional<BridgeProtocol> protocol() {
            return Optional.of(BridgeProtocol.HERMES_RELAY);
        }

        @Override
        public List<EnvVar> bridgeEnv() {
            List<EnvVar> env = new ArrayList<>(BridgeEnv.common(BridgeProtocol.HERMES_RELAY, runtimeUrl, token));
            env.add(new EnvVar("CLAW_RELAY_PORT", Integer.toString(relayPort), null));
            env.add(relaySecret.toEnvVar("CLAW_RELAY_SECRET"));
            env.add(new EnvVar("CLAW_RELAY_GATEWAY_ID", relayId, null));
            return List.copyOf(env);
        }
    }

    /**
     * OpenClaw gateway protocol v4.
     *
     * @param runtimeUrl e.g. {@code ws://127.0.0.1:18789}
     * @param token      the Secret key holding the gateway token ({@code OPENCLAW_GATEWAY_TOKEN})
     */
    record OpenClawGateway(URI runtimeUrl, SecretKeyReference token) implements BridgeTarget {
        public OpenClawGateway {
            Objects.requireNonNull(runtimeUrl, "runtimeUrl");
            Objects.requireNonNull(token, "token");
        }

        @Override
        public Optional<BridgeProtocol> protocol() {
            return Optional.of(BridgeProtocol.OPENCLAW_GATEWAY);
        }

        @Override
        public List<EnvVar> bridgeEnv() {
            return BridgeEnv.common(BridgeProtocol.OPENCLAW_GATEWAY, runtimeUrl, token);
        }
    }
}
