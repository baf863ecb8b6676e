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
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.k8s4claw.api.v1alpha1.ChannelMode;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.ChannelType;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawChannelSpec;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.KeyMapping;
import io.k8s4claw.api.v1alpha1.SidecarSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The channel sidecars of a Claw, talking to the bridge over the bus socket, each channel on its own HTTP port
 * (8081, 8082, … in {@code spec.channels} order) so they never clash. Two or more built-in channels (the four
 * types of the channel sidecar image, with no image, resources, probes or ports of their own) share ONE
 * container, {@code claw-channels}: one JVM hosting each channel on its own bus connection, config, secrets and
 * port (claw-channel-sidecar's ChannelGroup), since a JVM per channel costs ~60 MiB and a channel in the shared
 * one a few (ClawPodMemoryBenchmark). Every other channel — its own image, or the only built-in one — is its own
 * native sidecar {@code channel-<name>}. The shared container reads its channels' Secrets from mounted volumes
 * and restarts a channel whose Secret changed by itself, so those Secrets do not roll the pod.
 */
final class ChannelSidecars {

    /**
     * JVM flags of the channel sidecars and the bridge, as measured by the channel sidecar's SidecarRssReport and
     * claw-benchmarks' ClawPodMemoryBenchmark: a small SerialGC heap and C1 only, plus fewer, later C1 compilations
     * and a periodic native heap trim (why each flag: claw-channel-sidecar/docs/operations.md). Both JVMs of a Claw pod
     * handle chat rates, so both keep the smaller compiler. SidecarJvmFlagsTest keeps them equal to the images'.
     */
    static final String JAVA_TOOL_OPTIONS = "-XX:+UseSerialGC -Xss512k -XX:MaxRAM=128m -Xmx32m"
            + " -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=64m"
            + " -XX:C1MaxInlineSize=15 -XX:Tier3InvocationThreshold=2000 -XX:Tier3MinInvocationThreshold=1000"
            + " -XX:Tier3CompileThreshold=20000 -XX:Tier3BackEdgeThreshold=600000 -XX:TrimNativeHeapInterval=2000";

    static final int FIRST_PORT = 8081;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChannelSidecars() {}

    /** The shared channel container's name. */
    static final String SHARED_NAME = "claw-channels";
    /** Where the shared container finds channel {@code <name>}'s secrets, one file per variable. */
    static final String SECRETS_DIR = "/etc/claw/channel-secrets/";

    private static final Set<ChannelType> BUILT_IN =
            EnumSet.of(ChannelType.SLACK, ChannelType.DISCORD, ChannelType.TELEGRAM, ChannelType.WEBHOOK);

    /**
     * Memory request of the shared container beside its heap: what its JVM holds besides the heap after 10,000
     * messages per channel on the container flags (ClawPodMemoryBenchmark, 2026-12-07: 92.6 / 95.9 / 97.2 MiB RSS for
     * one / two / three channels, a 32 MiB heap in each, so ~61 MiB plus ~2 MiB a further channel). The request
     * follows what the container holds after traffic, as the bridge's and a lone sidecar's 96Mi do: a Serial-GC heap
     * that grew to its maximum stays committed, and a pod using more than its requests is among the first evicted
     * under node memory pressure. See claw-channel-sidecar/docs/operations.md, "The shared channel container".
     */
    static final int SHARED_REQUEST_NON_HEAP_MIB = 64;

    static final int SHARED_REQUEST_PER_FURTHER_CHANNEL_MIB = 2;
    /** The limit: room above the request for a burst, growing faster than the heap's 8 MiB a channel. */
    static final int SHARED_LIMIT_BASE_MIB = 128;

    static final int SHARED_LIMIT_PER_CHANNEL_MIB = 16;

    /**
     * Whether a channel can live in the shared container: a built-in type on the default image, nothing of its own to
     * honour.
     */
    static boolean shareable(ClawChannel channel, String defaultImage) {
        ClawChannelSpec spec = channel.getSpec();
        SidecarSpec sidecar = spec.getSidecar();
        boolean ownImage = sidecar != null
                && sidecar.getImage() != null
                && !sidecar.getImage().isBlank()
                && !sidecar.getImage().equals(defaultImage);
        boolean ownContainerSettings = sidecar != null
                && (sidecar.getResources() != null
                        || sidecar.getLivenessProbe() != null
                        || sidecar.getReadinessProbe() != null
                        || (sidecar.getPorts() != null && !sidecar.getPorts().isEmpty()));
        return BUILT_IN.contains(spec.getType()) && !ownImage && !ownContainerSettings && spec.getResources() == null;
    }

    /**
     * Indexes (in {@code spec.channels} order) of the channels in the shared container: none unless two or more
     * qualify.
     */
    static List<Integer> sharedIndexes(List<ClawChannel> channels, String defaultImage) {
        List<Integer> shared = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            if (shareable(channels.get(i), defaultImage)) {
                shared.add(i);
            }
        }
        return shared.size() >= 2 ? shared : List.of();
    }

    /**
     * Every channel container of the pod, in {@code spec.channels} order (the shared one where its first channel is).
     */
    static List<Container> containers(List<ClawChannel> channels, List<ChannelRef> refs, String defaultImage) {
        List<Integer> shared = sharedIndexes(channels, defaultImage);
        List<Container> out = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            if (!shared.contains(i)) {
                out.add(build(channels.get(i), refs.get(i), i, defaultImage));
            } else if (i == shared.get(0)) {
                out.add(buildShared(channels, refs, shared, defaultImage));
            }
        }
        return out;
    }

    /** The shared container's secret volumes, one projected volume per channel with credentials. */
    static List<Volume> volumes(List<ClawChannel> channels, String defaultImage) {
        List<Volume> out = new ArrayList<>();
        for (int i : sharedIndexes(channels, defaultImage)) {
            List<VolumeProjection> sources =
                    secretSources(channels.get(i).getSpec().getCredentials());
            if (!sources.isEmpty()) {
                out.add(new VolumeBuilder()
                        .withName(secretVolumeName(i))
                        .withNewProjected()
                        .withSources(sources)
                        .endProjected()
                        .build());
            }
        }
        return out;
    }

    /**
     * The Secrets whose change rolls the pod (hashed into its template): all it references except those only the
     * shared channel container reads — it reloads them itself, restarting that one channel.
     */
    static List<String> podRollingSecrets(
            Claw claw, List<ClawChannel> channels, List<String> referenced, String defaultImage) {
        List<Integer> shared = sharedIndexes(channels, defaultImage);
        if (shared.isEmpty()) {
            return referenced;
        }
        List<ClawChannel> others = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            if (!shared.contains(i)) {
                others.add(channels.get(i));
            }
        }
        Set<String> podWide = new TreeSet<>(ReferencedSecrets.of(claw, others));
        Set<String> inPlace = new TreeSet<>(ReferencedSecrets.of(claw, channels));
        inPlace.removeAll(podWide);
        return referenced.stream().filter(s -> !inPlace.contains(s)).toList();
    }

    private static String secretVolumeName(int index) {
        return "channel-secrets-" + (index + 1);
    }

    private static List<VolumeProjection> secretSources(CredentialSpec credentials) {
        List<VolumeProjection> sources = new ArrayList<>();
        if (credentials == null) {
            return sources;
        }
        if (credentials.getSecretRef() != null && credentials.getSecretRef().getName() != null) {
            sources.add(new VolumeProjectionBuilder()
                    .withNewSecret()
                    .withName(credentials.getSecretRef().getName())
                    .withOptional(false)
                    .endSecret()
                    .build());
        }
        if (credentials.getKeys() != null) {
            for (KeyMapping key : credentials.getKeys()) {
                sources.add(new VolumeProjectionBuilder()
                        .withNewSecret()
                        .withName(key.getSecretKeyRef().getName())
                        .withOptional(false)
                        .withItems(new KeyToPathBuilder()
                                .withKey(key.getSecretKeyRef().getKey())
                                .withPath(key.getName())
                                .build())
                        .endSecret()
                        .build());
            }
        }
        return sources;
    }

    /** The sidecar flags with the heap of {@link #sharedHeapMib} for {@code n} channels. */
    static String sharedJavaToolOptions(int n) {
        return JAVA_TOOL_OPTIONS.replace("-Xmx32m", "-Xmx" + sharedHeapMib(n) + "m");
    }

    /**
     * The shared container's heap for {@code n} channels, in MiB: the measured live set after 10,000 messages per
     * channel was ~6 MiB a channel (18 MiB for three), so 8 MiB a channel plus 8, and never below a lone sidecar's 32.
     */
    static int sharedHeapMib(int n) {
        return Math.max(32, 8 + 8 * n);
    }

    /**
     * Requests and limit of the shared container for {@code n} channels: the request its heap at the maximum plus
     * what the JVM holds beside it after traffic (see the constants), the limit room above that.
     */
    static ResourceRequirements sharedResources(int n) {
        int request = sharedHeapMib(n) + SHARED_REQUEST_NON_HEAP_MIB + SHARED_REQUEST_PER_FURTHER_CHANNEL_MIB * (n - 1);
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("50m"))
                .addToRequests("memory", new Quantity(request + "Mi"))
                .addToLimits(
                        "memory", new Quantity((SHARED_LIMIT_BASE_MIB + SHARED_LIMIT_PER_CHANNEL_MIB * (n - 1)) + "Mi"))
                .build();
    }

    static Container buildShared(
            List<ClawChannel> channels, List<ChannelRef> refs, List<Integer> shared, String image) {
        List<EnvVar> env = new ArrayList<>();
        env.add(BridgeContainer.env("CHANNEL_COUNT", Integer.toString(shared.size())));
        env.add(BridgeContainer.env("CLAW_BUS_SOCKET", BridgeContainer.BUS_SOCKET));
        env.add(BridgeContainer.env("JAVA_TOOL_OPTIONS", sharedJavaToolOptions(shared.size())));
        ContainerBuilder c =
                new ContainerBuilder().withName(SHARED_NAME).withImage(image).withRestartPolicy("Always");
        List<VolumeMount> mounts = new ArrayList<>();
        for (int j = 0; j < shared.size(); j++) {
            int i = shared.get(j);
            ClawChannel channel = channels.get(i);
            ClawChannelSpec spec = channel.getSpec();
            ChannelRef ref = refs.get(i);
            ChannelMode mode = ref != null && ref.getMode() != null
                    ? ref.getMode()
                    : spec.getMode() != null ? spec.getMode() : ChannelMode.BIDIRECTIONAL;
            String p = "CHANNEL_" + (j + 1) + "_";
            env.add(BridgeContainer.env(p + "NAME", channel.getMetadata().getName()));
            env.add(BridgeContainer.env(p + "TYPE", spec.getType().wireValue()));
            env.add(BridgeContainer.env(p + "MODE", mode.wireValue()));
            env.add(BridgeContainer.env(p + "CONFIG", json(spec.getConfig())));
            env.add(BridgeContainer.env(p + "HTTP_PORT", Integer.toString(port(i))));
            if (spec.getBackpressure() != null && spec.getBackpressure().getBufferSize() != null) {
                env.add(BridgeContainer.env(
                        p + "BUFFER_SIZE",
                        spec.getBackpressure().getBufferSize().toString()));
            }
            if (!secretSources(spec.getCredentials()).isEmpty()) {
                String dir = SECRETS_DIR + channel.getMetadata().getName();
                env.add(BridgeContainer.env(p + "SECRETS_DIR", dir));
                mounts.add(new VolumeMountBuilder()
                        .withName(secretVolumeName(i))
                        .withMountPath(dir)
                        .withReadOnly(true)
                        .build());
            }
            if (spec.getSidecar() != null && spec.getSidecar().getEnv() != null) {
                for (EnvVar e : spec.getSidecar().getEnv()) {
                    env.add(new EnvVarBuilder(e).withName(p + e.getName()).build());
                }
            }
            c.addNewPort()
                    .withName(portName(i))
                    .withContainerPort(port(i))
                    .withProtocol("TCP")
                    .endPort();
        }
        String first = portName(shared.get(0));
        return c.withEnv(env)
                .withStartupProbe(BridgeContainer.httpProbe("/healthz", first, 1, 60))
                .withLivenessProbe(BridgeContainer.httpProbe("/healthz", first, 10, 3))
                // every channel ready (its platform and the bridge), as the pod asked of one sidecar per channel
                .withReadinessProbe(BridgeContainer.httpProbe("/readyz/channels", first, 5, 3))
                .withResources(sharedResources(shared.size()))
                .withSecurityContext(BridgeContainer.sidecarSecurityContext())
                .addNewVolumeMount()
                .withName(BridgeContainer.BUS_VOLUME)
                .withMountPath(BridgeContainer.BUS_DIR)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName(BridgeContainer.TMP_VOLUME)
                .withMountPath("/tmp")
                .withSubPath(SHARED_NAME)
                .endVolumeMount()
                .addAllToVolumeMounts(mounts)
                .build();
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
        return type == ChannelType.TELEGRAM
                && config != null
                && ("webhook".equals(config.path("mode").asText()) || config.hasNonNull("webhookUrl"));
    }

    static Container build(ClawChannel channel, ChannelRef ref, int index, String defaultImage) {
        ClawChannelSpec spec = channel.getSpec();
        SidecarSpec sidecar = spec.getSidecar();
        String image = sidecar != null
                        && sidecar.getImage() != null
                        && !sidecar.getImage().isBlank()
                ? sidecar.getImage()
                : defaultImage;
        int port = port(index);
        ChannelMode mode = ref != null && ref.getMode() != null
                ? ref.getMode()
                : spec.getMode() != null ? spec.getMode() : ChannelMode.BIDIRECTIONAL;

        List<EnvVar> env = new ArrayList<>();
        env.add(BridgeContainer.env("CHANNEL_NAME", channel.getMetadata().getName()));
        env.add(BridgeContainer.env("CHANNEL_TYPE", spec.getType().wireValue()));
        env.add(BridgeContainer.env("CHANNEL_MODE", mode.wireValue()));
        env.add(BridgeContainer.env("CHANNEL_CONFIG", json(spec.getConfig())));
        env.add(BridgeContainer.env("CLAW_BUS_SOCKET", BridgeContainer.BUS_SOCKET));
        env.add(BridgeContainer.env("CHANNEL_HTTP_PORT", Integer.toString(port)));
        if (spec.getBackpressure() != null && spec.getBackpressure().getBufferSize() != null) {
            env.add(BridgeContainer.env(
                    "CHANNEL_BUFFER_SIZE",
                    spec.getBackpressure().getBufferSize().toString()));
        }
        env.add(BridgeContainer.env("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS));
        List<EnvFromSource> envFrom = new ArrayList<>();
        CredentialSpec credentials = spec.getCredentials();
        if (credentials != null) {
            if (credentials.getSecretRef() != null && credentials.getSecretRef().getName() != null) {
                envFrom.add(new EnvFromSourceBuilder()
                        .withNewSecretRef()
                        .withName(credentials.getSecretRef().getName())
                        .withOptional(false)
                        .endSecretRef()
                        .build());
            }
            if (credentials.getKeys() != null) {
                for (KeyMapping key : credentials.getKeys()) {
                    env.add(new EnvVarBuilder()
                            .withName(key.getName())
                            .withNewValueFrom()
                            .withNewSecretKeyRef(
                                    key.getSecretKeyRef().getKey(),
                                    key.getSecretKeyRef().getName(),
                                    false)
                            .endValueFrom()
                            .build());
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
                .addNewPort()
                .withName(portName(index))
                .withContainerPort(port)
                .withProtocol("TCP")
                .endPort();
        if (sidecar != null && sidecar.getPorts() != null) {
            for (ContainerPort p : sidecar.getPorts()) {
                c.addToPorts(p);
            }
        }
        c.withStartupProbe(BridgeContainer.httpProbe("/healthz", portName(index), 1, 60))
                .withLivenessProbe(
                        sidecar != null && sidecar.getLivenessProbe() != null
                                ? sidecar.getLivenessProbe()
                                : BridgeContainer.httpProbe("/healthz", portName(index), 10, 3))
                .withReadinessProbe(
                        sidecar != null && sidecar.getReadinessProbe() != null
                                ? sidecar.getReadinessProbe()
                                : BridgeContainer.httpProbe("/readyz", portName(index), 5, 3))
                .withResources(
                        spec.getResources() != null
                                ? spec.getResources()
                                : sidecar != null && sidecar.getResources() != null
                                        ? sidecar.getResources()
                                        : BridgeContainer.defaultResources())
                .withSecurityContext(BridgeContainer.sidecarSecurityContext())
                .addNewVolumeMount()
                .withName(BridgeContainer.BUS_VOLUME)
                .withMountPath(BridgeContainer.BUS_DIR)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName(BridgeContainer.TMP_VOLUME)
                .withMountPath("/tmp")
                .withSubPath(containerName(channel))
                .endVolumeMount();
        return c.build();
    }

    private static String json(JsonNode config) {
        if (config == null || config.isNull()) {
            return "{}";
        }
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "channel config cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
