package io.k8s4claw.api.runtime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.List;
import java.util.Objects;

/**
 * What a runtime contributes to its Claw's pod. Immutable: the fabric8 objects inside are copied on the way in
 * and on the way out, so callers may modify what they get without affecting anyone else.
 *
 * <p>The operator builds the pod from it: {@code initContainers} first (in order, before the bridge and channel
 * sidecars), the runtime container, {@code volumes} plus its own (volumeClaimTemplates named
 * {@link RenderNames#volumeName(VolumeRole)} for the <em>enabled</em> persistent volumes, the bus socket
 * emptyDir, shared/cache volumes from the spec), {@code podSecurityContext}, {@code terminationGracePeriodSeconds};
 * a ConfigMap of the non-secret {@code configFiles}, a Secret of the secret ones, the {@code generatedSecrets}
 * (created once); and the bridge's environment from {@code bridgeTarget}.
 *
 * @param runtimeContainer              the runtime container (name, image, command/args, ports, env, probes,
 *                                      resources, securityContext, volumeMounts)
 * @param initContainers                extra init containers (config seeding, skills installer), run in order
 * @param volumes                       pod volumes the adapter needs: the config volume(s), emptyDirs such as
 *                                      {@code /dev/shm}, and emptyDir stand-ins for persistent volumes the
 *                                      spec disabled but the runtime mounts
 * @param dataMounts                    where the persistent volumes are mounted in the runtime container
 * @param podSecurityContext            the pod-level security context the runtime needs
 * @param terminationGracePeriodSeconds the pod's termination grace
 * @param configFiles                   rendered configuration files
 * @param generatedSecrets              Secrets the operator creates once with random values
 * @param bridgeTarget                  how the bridge reaches the runtime
 * @param exposedPorts                  runtime ports the operator may put into the Service and, when the Claw
 *                                      enables it, the Ingress (never loopback-only ports)
 */
public record PodContribution(
        Container runtimeContainer,
        List<Container> initContainers,
        List<Volume> volumes,
        List<DataMount> dataMounts,
        PodSecurityContext podSecurityContext,
        long terminationGracePeriodSeconds,
        List<ConfigFile> configFiles,
        List<GeneratedSecret> generatedSecrets,
        BridgeTarget bridgeTarget,
        List<RuntimePort> exposedPorts) {

    public PodContribution {
        Objects.requireNonNull(runtimeContainer, "runtimeContainer");
        Objects.requireNonNull(podSecurityContext, "podSecurityContext");
        Objects.requireNonNull(bridgeTarget, "bridgeTarget");
        runtimeContainer = new ContainerBuilder(runtimeContainer).build();
        initContainers = initContainers.stream()
                .map(c -> new ContainerBuilder(c).build())
                .toList();
        volumes = volumes.stream().map(v -> new VolumeBuilder(v).build()).toList();
        dataMounts = List.copyOf(dataMounts);
        podSecurityContext = new PodSecurityContextBuilder(podSecurityContext).build();
        configFiles = List.copyOf(configFiles);
        generatedSecrets = List.copyOf(generatedSecrets);
        exposedPorts = List.copyOf(exposedPorts);
        if (terminationGracePeriodSeconds < 0) {
            throw new IllegalArgumentException("termination grace must be ≥ 0, got " + terminationGracePeriodSeconds);
        }
        for (RuntimePort p : exposedPorts) {
            if (p.exposure() == PortExposure.LOOPBACK) {
                throw new IllegalArgumentException("port '" + p.name() + "' is loopback-only and cannot be exposed");
            }
        }
        long distinctKeys = configFiles.stream().map(ConfigFile::key).distinct().count();
        if (distinctKeys != configFiles.size()) {
            throw new IllegalArgumentException("config file keys must be unique: "
                    + configFiles.stream().map(ConfigFile::key).toList());
        }
    }

    @Override
    public Container runtimeContainer() {
        return new ContainerBuilder(runtimeContainer).build();
    }

    @Override
    public List<Container> initContainers() {
        return initContainers.stream().map(c -> new ContainerBuilder(c).build()).toList();
    }

    @Override
    public List<Volume> volumes() {
        return volumes.stream().map(v -> new VolumeBuilder(v).build()).toList();
    }

    @Override
    public PodSecurityContext podSecurityContext() {
        return new PodSecurityContextBuilder(podSecurityContext).build();
    }

    /** The files for the ConfigMap ({@link RenderNames#configMapName()}). */
    public List<ConfigFile> nonSecretConfigFiles() {
        return configFiles.stream().filter(f -> !f.secret()).toList();
    }

    /** The files for the rendered Secret ({@link RenderNames#renderedSecretName()}). */
    public List<ConfigFile> secretConfigFiles() {
        return configFiles.stream().filter(ConfigFile::secret).toList();
    }
}
