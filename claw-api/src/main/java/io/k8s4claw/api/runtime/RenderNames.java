package io.k8s4claw.api.runtime;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The names of the objects and pod volumes the operator creates around a runtime, chosen by the operator and
 * handed to the adapter so the rendered container refers to them.
 *
 * @param configMapName          ConfigMap holding the non-secret {@link ConfigFile}s
 * @param renderedSecretName     Secret holding the secret {@link ConfigFile}s (created only if there are any)
 * @param generatedSecretPrefix  prefix of generated Secrets: {@code <prefix>-<suffix>}
 * @param configVolumeName       pod volume of the ConfigMap (the adapter declares it)
 * @param secretConfigVolumeName pod volume of the rendered Secret (the adapter declares it when needed)
 * @param dataVolumeNames        pod volume names of the persistent volumes (the operator's volumeClaimTemplates)
 */
public record RenderNames(
        String configMapName,
        String renderedSecretName,
        String generatedSecretPrefix,
        String configVolumeName,
        String secretConfigVolumeName,
        Map<VolumeRole, String> dataVolumeNames) {
    public RenderNames {
        Objects.requireNonNull(configMapName, "configMapName");
        Objects.requireNonNull(renderedSecretName, "renderedSecretName");
        Objects.requireNonNull(generatedSecretPrefix, "generatedSecretPrefix");
        Objects.requireNonNull(configVolumeName, "configVolumeName");
        Objects.requireNonNull(secretConfigVolumeName, "secretConfigVolumeName");
        EnumMap<VolumeRole, String> copy = new EnumMap<>(VolumeRole.class);
        copy.putAll(dataVolumeNames);
        for (VolumeRole role : VolumeRole.values()) {
            if (!copy.containsKey(role)) {
                throw new IllegalArgumentException("no volume name for " + role.specName());
            }
        }
        dataVolumeNames = Map.copyOf(copy);
    }

    /**
     * The names k8s4claw uses: volumeClaimTemplates {@code session}/{@code workspace}/{@code output} (so PVCs are
     * {@code session-<claw>-0}), ConfigMap {@code <claw>-runtime-config}, generated Secrets {@code <claw>-<suffix>}.
     */
    public static RenderNames defaults(String clawName) {
        Objects.requireNonNull(clawName, "clawName");
        Map<VolumeRole, String> volumes = new EnumMap<>(VolumeRole.class);
        for (VolumeRole role : VolumeRole.values()) {
            volumes.put(role, role.specName());
        }
        return new RenderNames(
                clawName + "-runtime-config",
                clawName + "-runtime-secret-config",
                clawName,
                "runtime-config",
                "runtime-secret-config",
                volumes);
    }

    /** The pod volume name of a persistent volume. */
    public String volumeName(VolumeRole role) {
        return dataVolumeNames.get(role);
    }

    /**
     * The Secret that holds the Claw's credentials when they come from {@code spec.credentials.externalSecret}
     * ({@code <prefix>-credentials}): whoever syncs the external secret (the operator's ExternalSecret object, or
     * the user) must produce a Secret of this name. Adapters reference it through {@code envFrom}.
     */
    public String externalCredentialsSecretName() {
        return generatedSecretPrefix + "-credentials";
    }

    /** The name of the generated Secret with the given suffix ({@link GeneratedSecret#nameSuffix()}). */
    public String generatedSecretName(String suffix) {
        return generatedSecretPrefix + "-" + suffix;
    }
}
