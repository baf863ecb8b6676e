package io.k8s4claw.adapters.support;

import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.runtime.RenderNames;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.ImageSpec;
import io.k8s4claw.api.v1alpha1.KeyMapping;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Pieces of the runtime container every adapter builds the same way. */
public final class ContainerSupport {

    private ContainerSupport() {}

    /**
     * The image to run: {@code spec.image.repository:tag} where set, else the adapter's pinned default. A repository
     * override without a tag keeps the pinned tag (a registry mirror of the same image).
     */
    public static String image(Claw claw, ImagePolicy policy) {
        ImageSpec spec = Specs.spec(claw).getImage();
        String repository = spec != null && notBlank(spec.getRepository())
                ? spec.getRepository().trim()
                : policy.repository();
        String tag = spec != null && notBlank(spec.getTag()) ? spec.getTag().trim() : policy.pinnedTag();
        if (repository.isEmpty()) {
            throw new IllegalArgumentException("no image: set spec.image.repository");
        }
        if (repository.contains("@")) {
            return repository; // digest reference: the digest is the version
        }
        return tag.isEmpty() ? repository : repository + ":" + tag;
    }

    public static String pullPolicy(Claw claw) {
        ImageSpec spec = Specs.spec(claw).getImage();
        return spec != null && spec.getPullPolicy() != null
                ? spec.getPullPolicy().wireValue()
                : "IfNotPresent";
    }

    /**
     * {@code envFrom} of the Claw's credentials Secret ({@code secretRef}, or the Secret an external secret syncs
     * into).
     */
    public static List<EnvFromSource> credentialsEnvFrom(Claw claw, RenderNames names) {
        CredentialSpec c = Specs.spec(claw).getCredentials();
        if (c == null) {
            return List.of();
        }
        String secret = c.getSecretRef() != null && notBlank(c.getSecretRef().getName())
                ? c.getSecretRef().getName()
                : c.getExternalSecret() != null ? names.externalCredentialsSecretName() : null;
        if (secret == null) {
            return List.of();
        }
        return List.of(new EnvFromSourceBuilder()
                .withNewSecretRef()
                .withName(secret)
                .withOptional(false)
                .endSecretRef()
                .build());
    }

    /** {@code spec.credentials.keys[]}: single variables from single Secret keys. */
    public static List<EnvVar> credentialKeyEnv(Claw claw) {
        CredentialSpec c = Specs.spec(claw).getCredentials();
        List<EnvVar> env = new ArrayList<>();
        if (c == null || c.getKeys() == null) {
            return env;
        }
        for (KeyMapping k : c.getKeys()) {
            if (k.getName() == null || k.getSecretKeyRef() == null) {
                continue;
            }
            env.add(new EnvVarBuilder()
                    .withName(k.getName())
                    .withNewValueFrom()
                    .withNewSecretKeyRef(
                            k.getSecretKeyRef().getKey(), k.getSecretKeyRef().getName(), false)
                    .endValueFrom()
                    .build());
        }
        return env;
    }

    /** {@code spec.env}, copied. */
    public static List<EnvVar> userEnv(Claw claw) {
        List<EnvVar> env = Specs.spec(claw).getEnv();
        return env == null
                ? List.of()
                : env.stream().map(e -> new EnvVarBuilder(e).build()).toList();
    }

    public static EnvVar env(String name, String value) {
        return new EnvVar(name, value, null);
    }

    /** {@code spec.resources} when set, else the adapter's documented default. */
    public static ResourceRequirements resources(Claw claw, ResourceRequirements defaults) {
        ResourceRequirements r = Specs.spec(claw).getResources();
        if (r == null || (isEmpty(r.getRequests()) && isEmpty(r.getLimits()))) {
            return new ResourceRequirementsBuilder(defaults).build();
        }
        return new ResourceRequirementsBuilder(r).build();
    }

    public static ResourceRequirements resources(String cpuRequest, String memoryRequest, String memoryLimit) {
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(cpuRequest))
                .addToRequests("memory", new Quantity(memoryRequest))
                .addToLimits("memory", new Quantity(memoryLimit))
                .build();
    }

    /** The memory limit in MiB, if the resources have one. */
    public static Optional<Long> memoryLimitMiB(ResourceRequirements r) {
        if (r.getLimits() == null || r.getLimits().get("memory") == null) {
            return Optional.empty();
        }
        BigDecimal bytes = Quantity.getAmountInBytes(r.getLimits().get("memory"));
        return Optional.of(bytes.divide(BigDecimal.valueOf(1024L * 1024L), RoundingMode.DOWN)
                .longValue());
    }

    private static boolean isEmpty(Map<?, ?> m) {
        return m == null || m.isEmpty();
    }

    static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
