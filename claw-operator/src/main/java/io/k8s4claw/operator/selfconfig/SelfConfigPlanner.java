package io.k8s4claw.operator.selfconfig;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigSpec;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.KeySelector;
import io.k8s4claw.api.v1alpha1.SelfConfigEnvVar;
import io.k8s4claw.api.v1alpha1.SelfConfigureAction;
import io.k8s4claw.api.v1alpha1.SelfConfigureSpec;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.api.validation.FieldError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides a {@code ClawSelfConfig}, purely: the same request, Claw, skill catalog and secret-backed variable names give
 * the same decision. A request is applied whole or not at all — every check runs on the complete change before
 * anything is written, and the write is one patch.
 *
 * <p>Order of the checks (k8s4claw's, then ours): the Claw exists; its {@code spec.selfConfigure.enabled} is true;
 * every group the request uses is in {@code allowedActions}; then each change is possible and leaves the operator's
 * keys alone; finally the changed Claw must pass the same validation the operator applies to every Claw
 * (schema, CEL twins and the runtime adapter's rules — the runtime's config schema, pinned keys and variables), and
 * a request is denied for any problem it introduces.
 */
public final class SelfConfigPlanner {

    /**
     * Config keys the agent may never set: where the model's credentials are and where they are sent. The adapters pin
     * the API server binding and the generated keys themselves (their validation rejects those paths); these are the
     * ones that are valid for an owner but would let an agent leak or swap a credential.
     */
    static final Pattern PROTECTED_CONFIG_SEGMENT =
            Pattern.compile("(?i).*(api_?key|token|secret|password|credential|base_?url|endpoint|auth).*");
    /** Variable names that look like credentials: those come from spec.credentials (a Secret), never from a request. */
    static final Pattern CREDENTIAL_ENV = Pattern.compile("(?i).*(api_?key|token|secret|password|credential).*");

    private static final Pattern CONFIG_SEGMENT = Pattern.compile("[A-Za-z0-9_-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<Claw, List<FieldError>> validation;

    /** @param validation every problem of a Claw (the operator's {@code ClawPlanner#validate}) */
    public SelfConfigPlanner(Function<Claw, List<FieldError>> validation) {
        this.validation = validation;
    }

    /**
     * @param claw              the named Claw, or {@code null} when it does not exist
     * @param catalog           skills the namespace offers
     * @param secretBackedEnv   names of variables the runtime container reads from Secrets (credentials, envFrom keys,
     *                          valueFrom entries): never overridden by a request
     */
    public SelfConfigDecision decide(
            ClawSelfConfigSpec request,
            String namespace,
            Claw claw,
            SkillCatalog catalog,
            Set<String> secretBackedEnv) {
        String clawRef = request.getClawRef();
        if (claw == null || claw.getSpec() == null) {
            return new SelfConfigDecision.Deny("Claw " + clawRef + " does not exist in namespace " + namespace);
        }
        SelfConfigureSpec self = claw.getSpec().getSelfConfigure();
        if (self == null || !Boolean.TRUE.equals(self.getEnabled())) {
            return new SelfConfigDecision.Deny("Claw " + clawRef + " does not allow self-configuration"
                    + " (its spec.selfConfigure.enabled is not true; its owner can turn it on)");
        }
        Set<SelfConfigureAction> allowed =
                self.getAllowedActions() == null || self.getAllowedActions().isEmpty()
                        ? EnumSet.noneOf(SelfConfigureAction.class)
                        : EnumSet.copyOf(self.getAllowedActions());
        Set<SelfConfigureAction> needed = needed(request);
        Set<SelfConfigureAction> missing = EnumSet.copyOf(needed);
        missing.removeAll(allowed);
        if (!missing.isEmpty()) {
            return new SelfConfigDecision.Deny(
                    "spec.selfConfigure.allowedActions of Claw " + clawRef + " does not include " + names(missing)
                            + " (allowed: " + (allowed.isEmpty() ? "none" : names(allowed)) + "); nothing was changed");
        }
        if (needed.contains(SelfConfigureAction.WORKSPACE_FILES)) {
            return new SelfConfigDecision.Deny(
                    "addWorkspaceFiles and removeWorkspaceFiles are not applied by this operator:"
                            + " the workspace is the agent's own volume, so write or delete the file there directly "
                            + "(it persists"
                            + " across restarts); nothing was changed");
        }

        Claw patched = Serialization.clone(claw);
        ClawSpec spec = patched.getSpec();
        ObjectNode specPatch = JsonNodeFactory.instance.objectNode();
        List<String> done = new ArrayList<>();
        List<String> problems = new ArrayList<>();

        if (nonEmpty(request.getAddSkills()) || nonEmpty(request.getRemoveSkills())) {
            List<SkillSpec> skills = spec.getSkills() == null ? new ArrayList<>() : new ArrayList<>(spec.getSkills());
            for (String name : list(request.getRemoveSkills())) {
                if (!skills.removeIf(s -> name.equals(s.getName()))) {
                    problems.add("removeSkills: " + name + " is not installed (installed: "
                            + skills.stream().map(SkillSpec::getName).toList() + ")");
                }
            }
            for (String name : list(request.getAddSkills())) {
                var source = catalog.configMapOf(name);
                if (source.isEmpty()) {
                    problems.add("addSkills: " + name + " is in no skill catalog of namespace " + namespace
                            + " (ConfigMaps labelled " + SkillCatalog.LABEL + "=true; offered: "
                            + catalog.sources().keySet()
                            + "); ask the Claw's owner to add it there");
                    continue;
                }
                SkillSpec wanted = new SkillSpec();
                wanted.setName(name);
                KeySelector ref = new KeySelector();
                ref.setName(source.get());
                ref.setKey(name);
                wanted.setConfigMapRef(ref);
                var present =
                        skills.stream().filter(s -> name.equals(s.getName())).findFirst();
                if (present.isPresent() && !present.get().equals(wanted)) {
                    problems.add("addSkills: a skill named " + name + " is installed already from another source;"
                            + " remove it first (removeSkills) or ask the owner");
                } else if (present.isEmpty()) {
                    skills.add(wanted);
                }
            }
            spec.setSkills(skills.isEmpty() ? null : skills);
            specPatch.set("skills", skills.isEmpty() ? JsonNodeFactory.instance.nullNode() : JSON.valueToTree(skills));
            done.add(describe("added skills", request.getAddSkills())
                    + describe("removed skills", request.getRemoveSkills()));
        }

        if (request.getConfigPatch() != null && !request.getConfigPatch().isEmpty()) {
            ObjectNode config =
                    spec.getConfig() instanceof ObjectNode o ? o.deepCopy() : JsonNodeFactory.instance.objectNode();
            ObjectNode configPatch = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, String> e : new TreeMap<>(request.getConfigPatch()).entrySet()) {
                String problem = setPath(config, configPatch, e.getKey(), parse(e.getValue()));
                if (problem != null) {
                    problems.add("configPatch." + e.getKey() + ": " + problem);
                }
            }
            spec.setConfig(config);
            specPatch.set("config", configPatch);
            done.add("set config keys " + new TreeSet<>(request.getConfigPatch().keySet()));
        }

        if (nonEmpty(request.getAddEnvVars()) || nonEmpty(request.getRemoveEnvVars())) {
            List<EnvVar> env = spec.getEnv() == null ? new ArrayList<>() : new ArrayList<>(spec.getEnv());
            for (String name : list(request.getRemoveEnvVars())) {
                var present = env.stream().filter(v -> name.equals(v.getName())).findFirst();
                if (present.isEmpty()) {
                    problems.add("removeEnvVars: " + name + " is not set in spec.env");
                } else if (present.get().getValueFrom() != null) {
                    problems.add("removeEnvVars: " + name
                            + " comes from a Secret or ConfigMap (valueFrom); only the Claw's owner may remove it");
                } else {
                    env.remove(present.get());
                }
            }
            for (SelfConfigEnvVar add : list(request.getAddEnvVars())) {
                String name = add.getName();
                var present = env.stream().filter(v -> name.equals(v.getName())).findFirst();
                if (secretBackedEnv.contains(name)
                        || present.isPresent() && present.get().getValueFrom() != null) {
                    problems.add("addEnvVars: " + name
                            + " is read from a Secret (the Claw's credentials); a request may not override it");
                } else if (CREDENTIAL_ENV.matcher(name).matches()) {
                    problems.add("addEnvVars: " + name + " looks like a credential; credentials come from the Claw's"
                            + " spec.credentials (a Secret), which only its owner sets");
                } else {
                    EnvVar v = new EnvVar(name, add.getValue() == null ? "" : add.getValue(), null);
                    present.ifPresentOrElse(p -> env.set(env.indexOf(p), v), () -> env.add(v));
                }
            }
            spec.setEnv(env.isEmpty() ? null : env);
            specPatch.set("env", env.isEmpty() ? JsonNodeFactory.instance.nullNode() : JSON.valueToTree(env));
            done.add(describe(
                            "set env",
                            list(request.getAddEnvVars()).stream()
                                    .map(SelfConfigEnvVar::getName)
                                    .toList())
                    + describe("removed env", request.getRemoveEnvVars()));
        }

        if (!problems.isEmpty()) {
            return new SelfConfigDecision.Deny(String.join("; ", problems) + "; nothing was changed");
        }
        // Only problems the change introduces count: an owner's own mistake is the Claw's status, not the agent's
        // denial.
        Set<FieldError> before = new HashSet<>(validation.apply(claw));
        List<FieldError> introduced = validation.apply(patched).stream()
                .filter(e -> !before.contains(e))
                .toList();
        if (!introduced.isEmpty()) {
            return new SelfConfigDecision.Deny("the change would make Claw " + clawRef + " invalid: "
                    + introduced.stream().map(FieldError::toString).collect(Collectors.joining("; "))
                    + "; nothing was changed");
        }
        return new SelfConfigDecision.Apply(
                patched,
                specPatch,
                done.stream().map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.joining("; ")));
    }

    static Set<SelfConfigureAction> needed(ClawSelfConfigSpec r) {
        Set<SelfConfigureAction> needed = EnumSet.noneOf(SelfConfigureAction.class);
        if (nonEmpty(r.getAddSkills()) || nonEmpty(r.getRemoveSkills())) {
            needed.add(SelfConfigureAction.SKILLS);
        }
        if (r.getConfigPatch() != null && !r.getConfigPatch().isEmpty()) {
            needed.add(SelfConfigureAction.CONFIG);
        }
        if (r.getAddWorkspaceFiles() != null && !r.getAddWorkspaceFiles().isEmpty()
                || nonEmpty(r.getRemoveWorkspaceFiles())) {
            needed.add(SelfConfigureAction.WORKSPACE_FILES);
        }
        if (nonEmpty(r.getAddEnvVars()) || nonEmpty(r.getRemoveEnvVars())) {
            needed.add(SelfConfigureAction.ENV_VARS);
        }
        return needed;
    }

    /**
     * A value that parses as JSON is that JSON ({@code "true"}, {@code "3"}, {@code "{\"a\":1}"}); anything else is the
     * string.
     */
    static JsonNode parse(String value) {
        if (value == null) {
            return TextNode.valueOf("");
        }
        try {
            JsonNode node = JSON.reader()
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(value);
            return node == null || node.isMissingNode() ? TextNode.valueOf(value) : node;
        } catch (IOException e) {
            return TextNode.valueOf(value);
        }
    }

    /** Sets {@code dotted} in {@code config} and in {@code patch}; a reason when it may not or cannot be set. */
    private static String setPath(ObjectNode config, ObjectNode patch, String dotted, JsonNode value) {
        String[] segments = dotted.split("\\.", -1);
        for (String s : segments) {
            if (!CONFIG_SEGMENT.matcher(s).matches()) {
                return "not a key path (dot-separated names of letters, digits, '_' and '-')";
            }
            if (PROTECTED_CONFIG_SEGMENT.matcher(s).matches()) {
                return "is protected: credentials, where they are sent and the API server binding are the Claw's "
                        + "owner's to set";
            }
        }
        ObjectNode at = config;
        ObjectNode atPatch = patch;
        for (int i = 0; i < segments.length - 1; i++) {
            JsonNode next = at.get(segments[i]);
            if (next == null || next.isNull()) {
                next = at.putObject(segments[i]);
            } else if (!next.isObject()) {
                return String.join(".", Arrays.copyOf(segments, i + 1)) + " is "
                        + next.getNodeType().toString().toLowerCase(Locale.ROOT) + ", not a map";
            }
            at = (ObjectNode) next;
            atPatch = atPatch.has(segments[i]) ? (ObjectNode) atPatch.get(segments[i]) : atPatch.putObject(segments[i]);
        }
        at.set(segments[segments.length - 1], value);
        atPatch.set(segments[segments.length - 1], value);
        return null;
    }

    private static String names(Set<SelfConfigureAction> actions) {
        return actions.stream().map(SelfConfigureAction::wireValue).collect(Collectors.joining(", "));
    }

    private static String describe(String what, List<String> names) {
        return names == null || names.isEmpty() ? "" : what + " " + names + " ";
    }

    private static boolean nonEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
