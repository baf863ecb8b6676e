package io.k8s4claw.operator.desired;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.k8s4claw.api.runtime.BridgeTarget;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code claw-ipc-bridge} native sidecar (an init container with {@code restartPolicy: Always}, so it starts
 * before and stops after the runtime), with exactly the environment contract the bridge reads.
 */
final class BridgeContainer {

    static final String NAME = "claw-ipc-bridge";
    static final String BUS_VOLUME = "claw-bus";
    static final String BUS_DIR = "/var/run/claw";
    static final String BUS_SOCKET = BUS_DIR + "/bus.sock";
    static final String DATA_DIR = "/var/lib/claw-bridge";
    static final String DATA_SUB_PATH = ".claw-bridge";
    static final int HTTP_PORT = 9090;
    static final int MAX_CONCURRENT_RUNS = 10;
    static final String TMP_VOLUME = "claw-sidecar-tmp";
    /**
     * JVM flags of the bridge: the channel sidecars' set (ChannelSidecars#JAVA_TOOL_OPTIONS, C1 only). C2 code relays
     * about 2.5 times as many messages per CPU-second, but a Claw pod's bus carries chat traffic, and C2's single
     * compilations of the delivery path took up to 26 MB of compiler arena each, resident for seconds after every
     * burst: with C1 the bridge after 10,000 messages is 17-20 MiB smaller (claw-ipc-bridge/README.md, "Container JVM
     * flags"). They replace the image's own JAVA_TOOL_OPTIONS; SidecarJvmFlagsTest keeps them equal.
     */
    static final String JAVA_TOOL_OPTIONS = ChannelSidecars.JAVA_TOOL_OPTIONS;

    static final long SIDECAR_UID = 65532;

    private BridgeContainer() {}

    static Container build(
            Claw claw, List<ClawChannel> channels, BridgeTarget target, String image, String dataVolume) {
        List<EnvVar> env = new ArrayList<>();
        env.add(env("CLAW_BUS_SOCKET", BUS_SOCKET));
        env.add(env("CLAW_BRIDGE_DATA_DIR", DATA_DIR));
        env.add(env("CLAW_BRIDGE_HTTP_PORT", Integer.toString(HTTP_PORT)));
        env.addAll(target.bridgeEnv());
        env.add(env("CLAW_MAX_CONCURRENT_RUNS", Integer.toString(MAX_CONCURRENT_RUNS)));
        env.add(env(
                "CLAW_CHANNELS",
                channels.stream().map(c -> c.getMetadata().getName()).collect(Collectors.joining(","))));
        env.add(env("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS));
        ResourceRequirements resources =
                claw.getSpec().getBridge() != null && claw.getSpec().getBridge().getResources() != null
                        ? claw.getSpec().getBridge().getResources()
                        : defaultResources();
        return new ContainerBuilder()
                .withName(NAME)
                .withImage(image)
                .withRestartPolicy("Always")
                .withEnv(env)
                .addNewPort()
                .withName("bridge-http")
                .withContainerPort(HTTP_PORT)
                .withProtocol("TCP")
                .endPort()
                .withStartupProbe(httpProbe("/healthz", "bridge-http", 1, 60))
                .withLivenessProbe(httpProbe("/healthz", "bridge-http", 10, 3))
                .withReadinessProbe(httpProbe("/readyz", "bridge-http", 5, 3))
                .withResources(resources)
                .withSecurityContext(sidecarSecurityContext())
                .addNewVolumeMount()
                .withName(BUS_VOLUME)
                .withMountPath(BUS_DIR)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName(dataVolume)
                .withMountPath(DATA_DIR)
                .withSubPath(DATA_SUB_PATH)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName(TMP_VOLUME)
                .withMountPath("/tmp")
                .withSubPath(NAME)
                .endVolumeMount()
                .build();
    }

    static EnvVar env(String name, String value) {
        return new EnvVar(name, value, null);
    }

    static Probe httpProbe(String path, String port, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath(path)
                .withNewPort(port)
                .endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    static ResourceRequirements defaultResources() {
        // The request is what the bridge and a lone channel sidecar hold after a burst (ClawPodMemoryBenchmark,
        // 2026-12-07, the images' flags: bridge 64-92 MiB after 10,000 messages with each connector, a channel
        // sidecar 93): a Claw is scheduled on what it uses, not on twice that. The limit leaves room for native
        // memory and for the journal's page cache, which the kernel charges to the bridge's container.
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("50m"))
                .addToRequests("memory", new Quantity("96Mi"))
                .addToLimits("memory", new Quantity("256Mi"))
                .build();
    }

    static SecurityContext sidecarSecurityContext() {
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(SIDECAR_UID)
                .withRunAsGroup(SIDECAR_UID)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }
}
