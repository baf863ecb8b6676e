package io.k8s4claw.api.runtime;

import java.util.Objects;

/**
 * Where the runtime container mounts one of the Claw's data volumes. The same mounts are already in the
 * rendered container's {@code volumeMounts}; this list tells the operator (and {@code claw render}) which
 * volume holds what without parsing the container.
 *
 * @param role       which persistent volume
 * @param volumeName the pod volume name ({@link RenderNames#volumeName(VolumeRole)})
 * @param mountPath  absolute path in the runtime container
 * @param subPath    sub-path inside the volume, empty for the whole volume
 * @param persistent true when backed by the Claw's PVC; false when the volume is disabled in the spec and the
 *                   adapter substituted an emptyDir of the same name (contents lost on restart)
 */
public record DataMount(VolumeRole role, String volumeName, String mountPath, String subPath, boolean persistent) {
    public DataMount {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(volumeName, "volumeName");
        Objects.requireNonNull(mountPath, "mountPath");
        Objects.requireNonNull(subPath, "subPath");
        if (!mountPath.startsWith("/")) {
            throw new IllegalArgumentException("mount path '" + mountPath + "' must be absolute");
        }
    }
}
