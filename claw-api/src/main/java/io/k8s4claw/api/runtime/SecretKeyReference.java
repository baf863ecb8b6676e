package io.k8s4claw.api.runtime;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.Objects;

/** A key in a Secret of the Claw's namespace. */
public record SecretKeyReference(String secretName, String key) {
    public SecretKeyReference {
        Objects.requireNonNull(secretName, "secretName");
        Objects.requireNonNull(key, "key");
    }

    /** An environment variable whose value comes from this key ({@code valueFrom.secretKeyRef}). */
    public EnvVar toEnvVar(String envName) {
        return new EnvVarBuilder()
                .withName(envName)
                .withNewValueFrom()
                .withNewSecretKeyRef(key, secretName, false)
                .endValueFrom()
                .build();
    }
}
