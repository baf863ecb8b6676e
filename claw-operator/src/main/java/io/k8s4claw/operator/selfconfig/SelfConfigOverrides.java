package io.k8s4claw.operator.selfconfig;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigSpec;
import io.k8s4claw.api.v1alpha1.SelfConfigEnvVar;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Whether an applied request still holds on the Claw. The rule for conflicts with the Claw's owner (a GitOps tool,
 * {@code kubectl apply}) is <em>the later change wins</em>: a request changes the Claw once, when it is decided, and
 * is never re-asserted; when the owner later writes a field the request had changed, the owner's value stands and the
 * request's status says so (condition {@code Overridden}, naming the field manager that wrote it).
 */
final class SelfConfigOverrides {

    private SelfConfigOverrides() {}

    /** What of the request the Claw no longer shows, one line each; empty while every change holds. */
    static List<String> lost(ClawSelfConfigSpec request, Claw claw) {
        List<String> lost = new ArrayList<>();
        var spec = claw.getSpec();
        List<String> skills = spec.getSkills() == null
                ? List.of()
                : spec.getSkills().stream().map(SkillSpec::getName).toList();
        for (String s : list(request.getAddSkills())) {
            if (!skills.contains(s)) {
                lost.add("skill " + s + " is no longer installed");
            }
        }
        for (String s : list(request.getRemoveSkills())) {
            if (skills.contains(s)) {
                lost.add("skill " + s + " is installed again");
            }
        }
        if (request.getConfigPatch() != null) {
            for (Map.Entry<String, String> e : new TreeMap<>(request.getConfigPatch()).entrySet()) {
                JsonNode now = at(spec.getConfig(), e.getKey());
                JsonNode wanted = SelfConfigPlanner.parse(e.getValue());
                if (!(wanted.isNull() ? now == null || now.isNull() : wanted.equals(now))) {
                    lost.add("config key " + e.getKey() + " has another value");
                }
            }
        }
        List<EnvVar> env = spec.getEnv() == null ? List.of() : spec.getEnv();
        for (SelfConfigEnvVar v : list(request.getAddEnvVars())) {
            boolean holds = env.stream()
                    .anyMatch(e -> v.getName().equals(e.getName())
                            && e.getValueFrom() == null
                            && Objects.equals(
                                    v.getValue() == null ? "" : v.getValue(),
                                    e.getValue() == null ? "" : e.getValue()));
            if (!holds) {
                lost.add("env " + v.getName() + " is no longer set to the requested value");
            }
        }
        for (String name : list(request.getRemoveEnvVars())) {
            if (env.stream().anyMatch(e -> name.equals(e.getName()))) {
                lost.add("env " + name + " is set again");
            }
        }
        return lost;
    }

    /**
     * The field managers other than the self-config one that own a field the request touched, with when they last
     * wrote, e.g. {@code argocd-controller (Apply, 2026-12-06T23:10:00Z)}; read from the Claw's managedFields.
     */
    static List<String> writers(ClawSelfConfigSpec request, Claw claw) {
        List<String> fields = new ArrayList<>();
        if (!list(request.getAddSkills()).isEmpty()
                || !list(request.getRemoveSkills()).isEmpty()) {
            fields.add("f:skills");
        }
        if (request.getConfigPatch() != null && !request.getConfigPatch().isEmpty()) {
            fields.add("f:config");
        }
        if (!list(request.getAddEnvVars()).isEmpty()
                || !list(request.getRemoveEnvVars()).isEmpty()) {
            fields.add("f:env");
        }
        TreeSet<String> out = new TreeSet<>();
        List<ManagedFieldsEntry> entries = claw.getMetadata().getManagedFields() == null
                ? List.of()
                : claw.getMetadata().getManagedFields();
        for (ManagedFieldsEntry m : entries) {
            if (SelfConfigReconciler.FIELD_MANAGER.equals(m.getManager())
                    || m.getFieldsV1() == null
                    || m.getFieldsV1().getAdditionalProperties() == null) {
                continue;
            }
            Object spec = m.getFieldsV1().getAdditionalProperties().get("f:spec");
            if (spec instanceof Map<?, ?> specFields && fields.stream().anyMatch(specFields::containsKey)) {
                out.add(m.getManager() + " (" + m.getOperation() + (m.getTime() == null ? "" : ", " + m.getTime())
                        + ")");
            }
        }
        return List.copyOf(out);
    }

    private static JsonNode at(JsonNode config, String dotted) {
        JsonNode at = config;
        for (String s : dotted.split("\\.")) {
            if (at == null || !at.isObject()) {
                return null;
            }
            at = at.get(s);
        }
        return at;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
