package io.k8s4claw.adapters.support;

import io.fabric8.kubernetes.api.model.Quantity;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import io.k8s4claw.api.validation.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Validation rules every adapter applies (runtime match, mount paths, grace, bridge protocol, fields that only
 * some runtimes read) and the update rules (runtime change, storage class change, volume shrink, enabling or
 * disabling an existing volume).
 */
public final class RuleSupport {

    private RuleSupport() {
    }

    /** Rules for a new Claw that hold for every runtime. */
    public static List<FieldError> commonCreate(Claw claw, RuntimeDescriptor descriptor, Set<String> reservedMountPaths) {
        List<FieldError> errors = new ArrayList<>();
        var spec = Specs.spec(claw);
        if (spec.getRuntime() == null || !descriptor.runtimeId().equals(spec.getRuntime().wireValue())) {
            errors.add(new FieldError("spec.runtime", "this adapter renders runtime '" + descriptor.runtimeId()
                    + "', not '" + (spec.getRuntime() == null ? "<unset>" : spec.getRuntime().wireValue()) + "'"));
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
                errors.add(new FieldError(field, "\"" + p + "\" must be an absolute path without '..' or ':' (e.g. /data/" + role.specName() + ")"));
                continue;
            }
            String normalized = p.replaceAll("/+$", "");
            if (normalized.isEmpty()) {
                errors.add(new FieldError(field, "\"/\" cannot be a mount path; pick a directory such as /data/" + role.specName()));
                continue;
            }
            String other = seen.putIfAbsent(normalized, field);
            if (other != null) {
                errors.add(new FieldError(field, "\"" + p + "\" is already the mount path of " + other + "; each volume needs its own directory"));
            }
            for (String reserved : reservedMountPaths) {
                if (normalized.equals(reserved) || normalized.startsWith(reserved + "/") || reserved.startsWith(normalized + "/")) {
                    errors.add(new FieldError(field, "\"" + p + "\" overlaps " + reserved + ", which the " + descriptor.runtimeId()
                            + " adapter mounts itself; pick another directory"));
                }
            }
        }
        Long grace = spec.getTerminationGracePeriodSeconds();
        long minimum = descriptor.shutdown().minimumGracePeriodSeconds();
        if (grace != null && grace < minimum) {
            errors.add(new FieldError("spec.terminationGracePeriodSeconds", grace + " s is too short for " + descriptor.displayName()
                    + ", which needs at least " + minimum + " s to drain and close its databases ("
                    + descriptor.shutdown().description() + ")"));
        }
        if (spec.getCustom() != null && !"custom".equals(descriptor.runtimeId())) {
            errors.add(new FieldError("spec.custom", "only read when spec.runtime is custom; remove it or change the runtime"));
        }
        if (spec.getDatabase() != null && !"ironclaw".equals(descriptor.runtimeId())) {
            errors.add(new FieldError("spec.database", "only ironclaw uses an external database; remove spec.database"));
        }
        if (spec.getSupervisor() == io.k8s4claw.api.v1alpha1.Supervisor.S6 && !"hermesclaw".equals(descriptor.runtimeId())) {
            errors.add(new FieldError("spec.supervisor", "s6 supervision exists only in the Hermes image; use kubernetes (the default)"));
        }
        errors.addAll(bridgeRules(claw, descriptor));
        return errors;
    }

    /** {@code spec.channels} needs a protocol the bridge speaks; {@code spec.bridge.protocol} must be one of the runtime's. */
    private static List<FieldError> bridgeRules(Claw claw, RuntimeDescriptor descriptor) {
        List<FieldError> errors = new ArrayList<>();
        var requested = Specs.spec(claw).effectiveBridgeProtocol();
        if (descriptor.bridgeProtocols().isEmpty()) {
            if (Specs.hasChannels(claw)) {
                errors.add(new FieldError("spec.channels", descriptor.displayName() + " speaks no protocol the claw-ipc-bridge implements"
                        + " (hermes-sse, hermes-relay, openclaw-gateway), so ClawChannels cannot reach it; remove spec.channels and"
                        + " configure the runtime's own channels in spec.config"));
            }
            if (requested != io.k8s4claw.api.v1alpha1.BridgeProtocolSetting.AUTO) {
                errors.add(new FieldError("spec.bridge.protocol", "\"" + requested.wireValue() + "\" is not available for "
                        + descriptor.runtimeId() + ": the bridge cannot talk to it; leave it at auto"));
            }
            return errors;
        }
        if (requested != io.k8s4claw.api.v1alpha1.BridgeProtocolSetting.AUTO
                && descriptor.bridgeProtocols().stream().noneMatch(p -> BridgeChoice.matches(requested, p))) {
            errors.add(new FieldError("spec.bridge.protocol", "\"" + requested.wireValue() + "\" is not a protocol of "
                    + descriptor.runtimeId() + "; use auto or one of " + BridgeChoice.specNames(descriptor.bridgeProtocols())));
        }
        return errors;
    }

    /** An adapter's update rules: the ones every runtime shares ({@link #commonUpdate}), then its create rules on the updated Claw. */
    public static List<FieldError> validateUpdate(RuntimeAdapter adapter, Claw previous, Claw updated) {
        List<FieldError> errors = new ArrayList<>(commonUpdate(previous, updated));
        errors.addAll(adapter.validateCreate(updated));
        return errors;
    }

    /** Render precondition: the Claw passes the adapter's create rules; otherwise every error, in one exception. */
    public static void requireValid(RuntimeAdapter adapter, RenderContext context) {
        List<FieldError> errors = adapter.validateCreate(context.claw());
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Claw " + context.clawName() + " is not valid for " + adapter.runtimeId() + ": " + errors);
        }
    }

    /**
     * Update rules every runtime shares that {@link io.k8s4claw.api.validation.ClawValidator#validateUpdate} does not
     * already report (it covers a runtime change, a shrink between two sizes and a change between two storage
     * classes): enabling or disabling an existing volume, setting or removing its storage class, removing its
     * size. All three would change the StatefulSet's immutable volumeClaimTemplates.
     */
    public static List<FieldError> commonUpdate(Claw previous, Claw updated) {
        List<FieldError> errors = new ArrayList<>();
        for (VolumeRole role : VolumeRole.values()) {
            String field = Specs.fieldPath(role);
            boolean wasEnabled = Specs.volumeEnabled(previous, role);
            boolean isEnabled = Specs.volumeEnabled(updated, role);
            if (wasEnabled != isEnabled) {
                errors.add(new FieldError(field + ".enabled", "cannot " + (isEnabled ? "enable" : "disable")
                        + " the " + role.specName() + " volume of an existing Claw: the StatefulSet's volumeClaimTemplates are immutable;"
                        + " set it back to " + wasEnabled + " or re-create the Claw"));
                continue;
            }
            if (!isEnabled) {
                continue;
            }
            Optional<VolumeSpec> a = Specs.volume(previous, role);
            Optional<VolumeSpec> b = Specs.volume(updated, role);
            String classBefore = a.map(VolumeSpec::getStorageClass).orElse(null);
            String classAfter = b.map(VolumeSpec::getStorageClass).orElse(null);
            if ((classBefore == null) != (classAfter == null)) {
                errors.add(new FieldError(field + ".storageClass", "the storage class of an existing volume cannot change (was "
                        + quote(classBefore) + ", now " + quote(classAfter) + "); keep " + quote(classBefore)
                        + " or migrate the data to a new Claw"));
            }
            String sizeBefore = a.map(VolumeSpec::getSize).orElse(null);
            String sizeAfter = b.map(VolumeSpec::getSize).orElse(null);
            if (bytes(sizeBefore).isPresent() && (sizeAfter == null || sizeAfter.isBlank())) {
                errors.add(new FieldError(field + ".size", "was " + sizeBefore + "; the size of an existing volume cannot be removed"
                        + " (it would fall back to the default and might shrink); keep " + sizeBefore + " or grow it"));
            }
        }
        return errors;
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
                errors.add(new FieldError("spec.env[" + i + "].name", name + " is set by the adapter (" + why + "); remove it from spec.env"));
            }
        }
        return errors;
    }

    private static Optional<BigDecimal> bytes(String quantity) {
        if (quantity == null || quantity.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Quantity.getAmountInBytes(new Quantity(quantity)));
        } catch (RuntimeException e) {
            return Optional.empty(); // malformed quantities are reported by the model's own validation
        }
    }

    private static String quote(String s) {
        return s == null ? "<cluster default>" : "\"" + s + "\"";
    }
}
