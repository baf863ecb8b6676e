package io.k8s4claw.api.runtime;

import java.util.Objects;

/**
 * A configuration file an adapter rendered.
 *
 * <p>The operator stores every non-secret file under {@code key} in the ConfigMap named
 * {@link RenderNames#configMapName()}, and every secret one under {@code key} in the Secret named
 * {@link RenderNames#renderedSecretName()}. The adapter has already added the pod volumes for both
 * ({@link RenderNames#configVolumeName()}, {@link RenderNames#secretConfigVolumeName()}) and mounted each
 * file at {@code mountPath} (subPath mount of {@code key}), so the operator only creates the two objects and
 * hashes them into the pod template.
 *
 * @param key       ConfigMap/Secret data key ({@code [-._a-zA-Z0-9]+})
 * @param mountPath absolute path the file appears at in the container(s) that use it
 * @param content   the rendered text
 * @param format    the file format
 * @param secret    true when the content holds secret material (never put into a ConfigMap)
 */
public record ConfigFile(String key, String mountPath, String content, ConfigFormat format, boolean secret) {
    public ConfigFile {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(mountPath, "mountPath");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(format, "format");
        if (!key.matches("[-._a-zA-Z0-9]+") || key.length() > 253) {
            throw new IllegalArgumentException(
                    "config file key '" + key + "' is not a valid ConfigMap key ([-._a-zA-Z0-9]+, ≤ 253 chars)");
        }
        if (!mountPath.startsWith("/")) {
            throw new IllegalArgumentException("config file mount path '" + mountPath + "' must be absolute");
        }
    }

    /** Never print contents of secret files (records print every component by default). */
    @Override
    public String toString() {
        return "ConfigFile[key=" + key + ", mountPath=" + mountPath + ", format=" + format + ", secret=" + secret
                + ", content=" + (secret ? "<redacted>" : content.length() + " chars") + "]";
    }
}
