package io.k8s4claw.adapters.support;

import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.BridgeProtocolSetting;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.Supervisor;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Validation rules every adapter applies (runtime match, mount paths, grace, bridge protocol, fields that only
 * some runtimes read) and the update rules (runtime change, storage class change, volume shrink, enabling or
 * disabling an existing volume).
 */
public final class RuleSupport {

    private RuleSupport() {}

    /** Rules for a new Claw that hold for every runtime. */
    public static List<FieldError> commonCreate(
            Claw claw, RuntimeDescriptor descriptor, Set<String> reservedMountPaths) {
        List<FieldError> errors = new ArrayList<>();
        var spec = Specs.spec(claw);
        if (spec.getRuntime() == null
                || !descriptor.runtimeId().equals(spec.getRuntime().wireValue())) {
            errors.add(new FieldError(
                    "spec.runtime",
                    "this adapter renders runtime '" + descriptor.runtimeId() + "', not '"
                            + (spec.getRuntime() == null
                                    ? "<unset>"
                                    : spec.getRuntime().wireValue()) + "'"));
        }
        Map<String, String> seen = new HashMap<>();
        for (VolumeRole role : VolumeRole.values()) {
            Optional<String> path = Specs.mountPath(claw, role);
            if (path.isEmpty()) {
                continue;
            }
            String field = Specs.fieldPath(role) + ".mountPath";
            String p = path.get();
            if (!p.startsWith("/") || p.contains("..") || p.contains(":")) {
                errors.add(new FieldError(
                        field,
                        "\"" + p + "\" must be an absolute path without '..' or ':' (e.g. /data/" + role.specName()
                                + ")"));
                continue;
            }
            String normalized = p.replaceAll("/+$", "");
            if (normalized.isEmpty()) {
                errors.add(new FieldError(
                        field, "\"/\" cannot be a mount path; pick a directory such as /data/" + role.specName()));
                continue;
            }
            String other = seen.putIfAbsent(normalized, field);
            if (other != null) {
                errors.add(new FieldError(
                        field,
                        "\"" + p + "\" is already the mount path of " + other
                                + "; each volume needs its own directory"));
            }
            for (String reserved : reservedMountPaths) {
                if (normalized.equals(reserved)
                        || normalized.startsWith(reserved + "/")
                        || reserved.startsWith(normalized + "/")) {
                    errors.add(new FieldError(
                            field,
                            "\"" + p + "\" overlaps " + reserved + ", which the " + descriptor.runtimeId()
                                    + " adapter mounts itself; pick another directory"));
                }
            }
        }
        Long grace = spec.getTerminationGracePeriodSeconds();
        long minimum = descriptor.shutdown().minimumGracePeriodSeconds();
        if (grace != null && grace < minimum) {
            errors.add(new FieldError(
                    "spec.terminationGracePeriodSeconds",
                    grace + " s is too short for " + descriptor.displayName()
                            + ", which needs at least " + minimum + " s to drain and close its databases ("
                            + descriptor.shutdown().description() + ")"));
        }
        if (spec.getCustom() != null && !"custom".equals(descriptor.runtimeId())) {
            errors.add(new FieldError(
                    "spec.custom", "only read when spec.runtime is custom; remove it or change the runtime"));
        }
        if (spec.getDatabase() != null && !"ironclaw".equals(descriptor.runtimeId())) {
            errors.add(
                    new FieldError("spec.database", "only ironclaw uses an external database; remove spec.database"));
        }
        if (spec.getSupervisor() == Supervisor.S6 && !"hermesclaw".equals(descriptor.runtimeId())) {
            errors.add(new FieldError(
                    "spec.supervisor", "s6 supervision exists only in the Hermes image; use kubernetes (the default)"));
        }
        errors.addAll(bridgeRules(claw, descriptor));
        return errors;
    }

    /**
     * {@code spec.channels} needs a protocol the bridge speaks; {@code spec.bridge.protocol} must be one of the
     * runtime's.
     */
    private static List<FieldError> bridgeRules(Claw claw, RuntimeDescriptor descriptor) {
        List<FieldError> errors = new ArrayList<>();
        var requested = Specs.spec(claw).effectiveBridgeProtocol();
        if (descriptor.bridgeProtocols().isEmpty()) {
            if (Specs.hasChannels(claw)) {
                errors.add(new FieldError(
                        "spec.channels",
                        descriptor.displayName() + " speaks no protocol the claw-ipc-bridge implements"
                                + " (hermes-sse, hermes-relay, openclaw-gateway), so ClawChannels cannot reach it; "
                                + "remove spec.channels and"
                                + " configure the runtime's own channels in spec.config"));
            }
            if (requested != BridgeProtocolSetting.AUTO) {
                errors.add(new FieldError(
                        "spec.bridge.protocol",
                        "\"" + requested.wireValue() + "\" is not available for " + descriptor.runtimeId()
                                + ": the bridge cannot talk to it; leave it at auto"));
            }
            return errors;
        }
        if (requested != BridgeProtocolSetting.AUTO
                && descriptor.bridgeProtocols().stream().noneMatch(p -> BridgeChoice.matches(requested, p))) {
            errors.add(new FieldError(
                    "spec.bridge.protocol",
                    "\"" + requested.wireValue() + "\" is not a protocol of " + descriptor.runtimeId()
                            + "; use auto or one of " + BridgeChoice.specNames(descriptor.bridgeProtocols())));
        }
        return errors;
    }

    /** Render precondition: the Claw passes the adapter's create rules; otherwise every error, in one exception. */
    public static void requireValid(RuntimeAdapter adapter, RenderContext context) {
        List<FieldError> errors = adapter.validateCreate(context.claw());
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(
                    "Claw " + context.clawName() + " is not valid for " + adapter.runtimeId() + ": " + errors);
        }
    }

    /** Entries of {@code spec.env} may not set variables the adapter pins. */
    public static List<FieldError> reservedEnv(Claw claw, Set<String> reserved, String why) {
        List<FieldError> errors = new ArrayList<>();
        var env = Specs.spec(claw).getEnv();
        if (env == null) {
            return errors;
        }
        for (int i = 0; i < env.size(); i++) {
            String name = env.get(i).getName();
            if (name != null && reserved.contains(name)) {
                errors.add(new FieldError(
                        "spec.env[" + i + "].name",
                        name + " is set by the adapter (" + why + "); remove it from spec.env"));
            }
        }
        return errors;
    }
}
