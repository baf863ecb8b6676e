package io.k8s4claw.operator.desired;

import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.validation.FieldError;
import java.util.List;
import java.util.Map;

/**
 * Validation then desired state: the single path from a Claw to the objects that represent it, shared by the
 * reconciler and {@code claw render} so both produce the same thing.
 */
public final class ClawPlanner {

    private final RuntimeAdapters adapters;
    private final DesiredStateBuilder builder;

    public ClawPlanner(RuntimeAdapters adapters, SidecarImages images) {
        this.adapters = adapters;
        this.builder = new DesiredStateBuilder(images);
    }

    public RuntimeAdapters adapters() {
        return adapters;
    }

    /** Either the desired state or every validation error. */
    public sealed interface Plan {
        record Ready(DesiredState state) implements Plan {}

        record Invalid(List<FieldError> errors) implements Plan {
            public Invalid {
                errors = List.copyOf(errors);
            }
        }
    }

    /** Validation of the Claw alone (before its channels are looked up). */
    public List<FieldError> validate(Claw claw) {
        return ClawValidation.validate(claw, adapters);
    }

    /**
     * @param channels     the ClawChannels of {@code spec.channels}, same order, all present
     * @param secretHashes hashes of the referenced Secrets' data by name (missing: rendered as unresolved)
     */
    public Plan plan(Claw claw, List<ClawChannel> channels, Map<String, String> secretHashes) {
        List<FieldError> errors = validate(claw);
        return errors.isEmpty() ? planValidated(claw, channels, secretHashes) : new Plan.Invalid(errors);
    }

    /**
     * {@link #plan} for a Claw whose {@link #validate} just returned no errors: the reconciler validates before it
     * looks the channels up, and validating again on every reconcile of every Claw is CPU the operator spends at
     * scale for nothing.
     */
    public Plan planValidated(Claw claw, List<ClawChannel> channels, Map<String, String> secretHashes) {
        List<FieldError> errors = ClawValidation.validateChannels(claw, channels);
        if (!errors.isEmpty()) {
            return new Plan.Invalid(errors);
        }
        try {
            var adapter = adapters.require(claw.getSpec().getRuntime().wireValue());
            return new Plan.Ready(builder.build(claw, channels, adapter, secretHashes));
        } catch (InvalidClawException e) {
            return new Plan.Invalid(e.errors());
        } catch (IllegalArgumentException e) {
            // An adapter refusing to render what its validation let through: still the user's spec, reported as such.
            return new Plan.Invalid(List.of(new FieldError("spec", e.getMessage())));
        }
    }
}
