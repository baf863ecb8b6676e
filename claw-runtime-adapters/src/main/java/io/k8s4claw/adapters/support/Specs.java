package io.k8s4claw.adapters.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.IngressSpec;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.SecuritySpec;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Null-safe reads of a Claw spec with the CRD's defaults applied. */
public final class Specs {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Specs() {}

    public static ClawSpec spec(Claw claw) {
        return claw.getSpec() != null ? claw.getSpec() : new ClawSpec();
    }

    /** The volume spec of a role, or empty when unset. */
    public static Optional<VolumeSpec> volume(Claw claw, VolumeRole role) {
        PersistenceSpec p = spec(claw).getPersistence();
        if (p == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(
                switch (role) {
                    case SESSION -> p.getSession();
                    case WORKSPACE -> p.getWorkspace();
                    case OUTPUT -> p.getOutput();
                });
    }

    /** {@code enabled} defaults to true (k8s4claw), also when the volume block is absent. */
    public static boolean volumeEnabled(Claw claw, VolumeRole role) {
        return volume(claw, role)
                .map(v -> v.getEnabled() == null || v.getEnabled())
                .orElse(true);
    }

    /** The user's mount path for a volume, if set. */
    public static Optional<String> mountPath(Claw claw, VolumeRole role) {
        return volume(claw, role).map(VolumeSpec::getMountPath).filter(s -> !s.isBlank());
    }

    public static String fieldPath(VolumeRole role) {
        return "spec.persistence." + role.specName();
    }

    public static List<ChannelRef> channels(Claw claw) {
        return spec(claw).getChannels() == null ? List.of() : spec(claw).getChannels();
    }

    public static boolean hasChannels(Claw claw) {
        return !channels(claw).isEmpty();
    }

    public static List<SkillSpec> skills(Claw claw) {
        return spec(claw).getSkills() == null ? List.of() : spec(claw).getSkills();
    }

    public static boolean rootless(Claw claw) {
        SecuritySpec s = spec(claw).getSecurity();
        return s != null && Boolean.TRUE.equals(s.getRootless());
    }

    public static Optional<Long> fsGroup(Claw claw) {
        SecuritySpec s = spec(claw).getSecurity();
        return s == null ? Optional.empty() : Optional.ofNullable(s.getFsGroup());
    }

    public static boolean ingressEnabled(Claw claw) {
        IngressSpec i = spec(claw).getIngress();
        return i != null && Boolean.TRUE.equals(i.getEnabled());
    }

    /** Whether the Claw names any source of credentials (a Secret, an external secret or single keys). */
    public static boolean hasCredentials(Claw claw) {
        CredentialSpec c = spec(claw).getCredentials();
        return c != null
                && (c.getSecretRef() != null
                        || c.getExternalSecret() != null
                        || (c.getKeys() != null && !c.getKeys().isEmpty()));
    }

    /** {@code spec.config} as a plain tree ({@code Map}/{@code List}/scalars); empty map when unset. */
    public static Map<String, Object> config(Claw claw) {
        return toTree(spec(claw).getConfig());
    }

    /**
     * The JSON type of a value for error messages, never the value itself (it could be a secret in the wrong field).
     */
    public static String describe(Object v) {
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Number) {
            return "a number";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "null";
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> toTree(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new LinkedHashMap<>();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("configuration must be an object, got " + node.getNodeType());
        }
        return MAPPER.convertValue(node, LinkedHashMap.class);
    }
}
