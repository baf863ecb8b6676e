package io.k8s4claw.api.runtime;

import io.fabric8.kubernetes.api.model.Quantity;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import io.k8s4claw.api.validation.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Update rules every runtime shares that {@link io.k8s4claw.api.validation.ClawValidator#validateUpdate} does not
 * already report (it covers a runtime change, a shrink between two sizes and a change between two storage classes):
 * enabling or disabling an existing volume, setting or removing its storage class, removing its size. All three
 * would change the StatefulSet's immutable volumeClaimTemplates. {@link RuntimeAdapter#validateUpdate}'s default.
 */
public final class VolumeUpdateRules {

    private VolumeUpdateRules() {}

    public static List<FieldError> check(Claw previous, Claw updated) {
        List<FieldError> errors = new ArrayList<>();
        for (VolumeRole role : VolumeRole.values()) {
            String field = "spec.persistence." + role.specName();
            boolean wasEnabled = enabled(previous, role);
            boolean isEnabled = enabled(updated, role);
            if (wasEnabled != isEnabled) {
                errors.add(new FieldError(
                        field + ".enabled",
                        "cannot " + (isEnabled ? "enable" : "disable")
                                + " the " + role.specName()
                                + " volume of an existing Claw: the StatefulSet's volumeClaimTemplates are immutable;"
                                + " set it back to " + wasEnabled + " or re-create the Claw"));
                continue;
            }
            if (!isEnabled) {
                continue;
            }
            Optional<VolumeSpec> a = volume(previous, role);
            Optional<VolumeSpec> b = volume(updated, role);
            String classBefore = a.map(VolumeSpec::getStorageClass).orElse(null);
            String classAfter = b.map(VolumeSpec::getStorageClass).orElse(null);
            if ((classBefore == null) != (classAfter == null)) {
                errors.add(new FieldError(
                        field + ".storageClass",
                        "the storage class of an existing volume cannot change (was "
                                + quote(classBefore) + ", now " + quote(classAfter) + "); keep " + quote(classBefore)
                                + " or migrate the data to a new Claw"));
            }
            String sizeBefore = a.map(VolumeSpec::getSize).orElse(null);
            String sizeAfter = b.map(VolumeSpec::getSize).orElse(null);
            if (bytes(sizeBefore).isPresent() && (sizeAfter == null || sizeAfter.isBlank())) {
                errors.add(new FieldError(
                        field + ".size",
                        "was " + sizeBefore + "; the size of an existing volume cannot be removed"
                                + " (it would fall back to the default and might shrink); keep " + sizeBefore
                                + " or grow it"));
            }
        }
        return errors;
    }

    private static Optional<VolumeSpec> volume(Claw claw, VolumeRole role) {
        PersistenceSpec p = claw.getSpec() == null ? null : claw.getSpec().getPersistence();
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
    private static boolean enabled(Claw claw, VolumeRole role) {
        return volume(claw, role)
                .map(v -> v.getEnabled() == null || v.getEnabled())
                .orElse(true);
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
