package io.k8s4claw.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.k8s4claw.api.v1alpha1.ChannelMode;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.ChannelType;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawChannelSpec;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.KeyMapping;
import io.k8s4claw.api.v1alpha1.SidecarSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * One native sidecar per ClawChannel: {@code channel-<name>}, each on its own HTTP port (8081, 8082, … in
 * {@code spec.channels} order) so sidecars never clash, talking to the bridge over the bus socket.
 */
final class ChannelSidecars {

    /** The channel sidecars run with the bridge's measured JVM flags. */
    /**
     * JVM flags of the channel sidecars, as measured by the channel sidecar's SidecarRssReport: a small SerialGC
     * heap and C1 only, plus fewer, later C1 compilations and a periodic native heap trim that keep idle RSS under
     * 64 MiB (why each flag: claw-channel-sidecar/docs/operations.md). A channel sidecar handles a platform's
     * rate, not the bus's, so it keeps the smaller compiler. SidecarJvmFlagsTest keeps them equal to the image's.
     */
    static final String JAVA_TOOL_OPTIONS = "-XX:+UseSerialGC -Xss512k -XX:MaxRAM=128m -XX:MaxRAMPercentage=60"
            + " -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=64m"
            + " -XX:C1MaxInlineSize=15 -XX:Tier3InvocationThreshold=2000 -XX:Tier3MinInvocationThreshold=1000"
            + " -XX:Tier3CompileThreshold=20000 -XX:Tier3BackEdgeThreshold=600000 -XX:TrimNativeHeapInterval=2000";

    static final int FIRST_PORT = 8081;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChannelSidecars() {
    }

    static String containerName(ClawChannel channel) {
        return "channel-" + channel.getMetadata().getName();
    }

    static String portName(int index) {
        return "ch" + (index + 1) + "-http";
    }

    static int port(int index) {
        return FIRST_PORT + index;
    }

    /** Channels whose sidecar receives platform HTTP requests (webhooks) on its port. */
    static boolean receivesHttp(ClawChannel channel) {
        ChannelType type = channel.getSpec().getType();
        if (type == ChannelType.WEBHOOK) {
            return true;
        }
        JsonNode config = channel.getSpec().getConfig();
        return type == ChannelType.TELEGRAM && config != null
                && ("webhook".equals(config.path("mode").asText()) || config.hasNonNull("webhookUrl"));
    }

    static Container build(ClawChannel channel, ChannelRef ref, int index, String defaultImage) {
        ClawChannelSpec spec = channel.getSpec();
        SidecarSpec sidecar = spec.getSidecar();
        String image = sidecar != null && sidecar.getImage() != null && !sidecar.getImage().isBlank() ? sidecar.getImage() : defaultImage;
        int port = port(index);
        ChannelMode mode = ref != null && ref.getMode() != null ? ref.getMode()
                : spec.getMode() != null ? spec.getMode() : ChannelMode.BIDIRECTIONAL;

        List<EnvVar> env = new ArrayList<>();
        env.add(BridgeContainer.env("CHANNEL_NAME", channel.getMetadata().getName()));
        env.add(BridgeContainer.env("CHANNEL_TYPE", spec.getType().wireValue()));
        env.add(BridgeContainer.env("CHANNEL_MODE", mode.wireValue()));
        env.add(BridgeContainer.env("CHANNEL_CONFIG", json(spec.getConfig())));
        env.add(BridgeContainer.env("CLAW_BUS_SOCKET", BridgeContainer.BUS_SOCKET));
        env.add(BridgeContainer.env("CHANNEL_HTTP_PORT", Integer.toString(port)));
        if (spec.getBackpressure() != null && spec.getBackpressure().getBufferSize() != null) {
            env.add(BridgeContainer.env("CHANNEL_BUFFER_SIZE", spec.getBackpressure().getBufferSize().toString()));
        }
        env.add(BridgeContainer.env("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS));
        List<EnvFromSource> envFrom = new ArrayList<>();
        CredentialSpec credentials = spec.getCredentials();
        if (credentials != null) {
            if (credentials.getSecretRef() != null && credentials.getSecretRef().getName() != null) {
                envFrom.add(new EnvFromSourceBuilder().withNewSecretRef().withName(credentials.getSecretRef().getName())
                        .withOptional(false).endSecretRef().build());
            }
            if (credentials.getKeys() != null) {
                for (KeyMapping key : credentials.getKeys()) {
                    env.add(new EnvVarBuilder().withName(key.getName()).withNewValueFrom().withNewSecretKeyRef(
                            key.getSecretKeyRef().getKey(), key.getSecretKeyRef().getName(), false).endValueFrom().build());
                }
            }
        }
        if (sidecar != null && sidecar.getEnv() != null) {
            env.addAll(sidecar.getEnv());
        }
        ContainerBuilder c = new ContainerBuilder()
                .withName(containerName(channel))
                .withImage(image)
                .withRestartPolicy("Always")
                .withEnv(env)
                .withEnvFrom(envFrom)
                .addNewPort().withName(portName(index)).withContainerPort(port).withProtocol("TCP").endPort();
        if (sidecar != null && sidecar.getPorts() != null) {
            for (ContainerPort p : sidecar.getPorts()) {
                c.addToPorts(p);
            }
        }
        c.withStartupProbe(BridgeContainer.httpProbe("/healthz", portName(index), 1, 60))
                .withLivenessProbe(sidecar != null && sidecar.getLivenessProbe() != null ? sidecar.getLivenessProbe()
                        : BridgeContainer.httpProbe("/healthz", portName(index), 10, 3))
                .withReadinessProbe(sidecar != null && sidecar.getReadinessProbe() != null ? sidecar.getReadinessProbe()
                        : BridgeContainer.httpProbe("/readyz", portName(index), 5, 3))
                .withResources(spec.getResources() != null ? spec.getResources()
                        : sidecar != null && sidecar.getResources() != null ? sidecar.getResources()
                        : BridgeContainer.defaultResources())
                .withSecurityContext(BridgeContainer.sidecarSecurityContext())
                .addNewVolumeMount().withName(BridgeContainer.BUS_VOLUME).withMountPath(BridgeContainer.BUS_DIR).endVolumeMount()
                .addNewVolumeMount().withName(BridgeContainer.TMP_VOLUME).withMountPath("/tmp").withSubPath(containerName(channel)).endVolumeMount();
        return c.build();
    }

    private static String json(JsonNode config) {
        if (config == null || config.isNull()) {
            return "{}";
        }
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("channel config cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
