package io.k8s4claw.operator.desired;

import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.ChannelType;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.validation.ClawChannelValidator;
import io.k8s4claw.api.validation.ClawValidator;
import io.k8s4claw.api.validation.FieldError;
import io.k8s4claw.operator.update.AutoUpdateRules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every rule a Claw must pass before anything is rendered or applied: the runtime adapter's create rules
 * (which include the generic model rules) and the operator's own (what it can wire into one pod). All
 * problems are returned at once, each with its field path.
 */
public final class ClawValidation {

    private ClawValidation() {}

    /** Problems of a Claw on its own (no channels resolved yet). */
    public static List<FieldError> validate(Claw claw, RuntimeAdapters adapters) {
        List<FieldError> errors = new ArrayList<>();
        if (claw.getMetadata() == null
                || claw.getMetadata().getName() == null
                || claw.getMetadata().getName().isBlank()) {
            errors.add(new FieldError("metadata.name", "a Claw needs a name"));
            return errors;
        }
        if (claw.getSpec() == null) {
            errors.add(new FieldError("spec", "a Claw needs a spec with at least spec.runtime"));
            return errors;
        }
        if (claw.getSpec().getRuntime() == null) {
            errors.add(new FieldError("spec.runtime", "required: one of " + adapters.runtimeIds()));
            return errors;
        }
        // The rules the CRD makes the API server enforce (schema + CEL), so offline callers see them too.
        errors.addAll(ClawValidator.validateCreate(claw).errors());
        Optional<RuntimeAdapter> adapter =
                adapters.find(claw.getSpec().getRuntime().wireValue());
        if (adapter.isEmpty()) {
            errors.add(new FieldError(
                    "spec.runtime",
                    "no adapter for runtime '" + claw.getSpec().getRuntime().wireValue()
                            + "' in this operator; available: " + adapters.runtimeIds()));
            return errors;
        }
        errors.addAll(adapter.get().validateCreate(claw));
        errors.addAll(operatorRules(claw, adapter.get()));
        errors.addAll(AutoUpdateRules.check(claw, adapter.get().descriptor().image()));
        return dedupe(errors);
    }

    private static List<FieldError> operatorRules(Claw claw, RuntimeAdapter adapter) {
        List<FieldError> errors = new ArrayList<>();
        List<ChannelRef> channels = claw.getSpec().getChannels() == null
                ? List.of()
                : claw.getSpec().getChannels();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < channels.size(); i++) {
            String name = channels.get(i).getName();
            String path = "spec.channels[" + i + "].name";
            if (name == null || name.isBlank()) {
                errors.add(new FieldError(path, "required: the name of a ClawChannel in the Claw's namespace"));
            } else {
                if (!seen.add(name)) {
                    errors.add(
                            new FieldError(path, "channel '" + name + "' is listed twice; list each ClawChannel once"));
                }
                if (("channel-" + name).length() > 63) {
                    errors.add(new FieldError(
                            path,
                            "channel name '" + name + "' is too long for its sidecar container name"
                                    + " channel-<name> (≤ 63 characters); use a ClawChannel name of at most "
                                    + "55 characters"));
                }
            }
        }
        if (!channels.isEmpty() && adapter.descriptor().bridgeProtocols().isEmpty()) {
            errors.add(new FieldError(
                    "spec.channels",
                    "runtime '" + adapter.runtimeId()
                            + "' speaks no protocol the bridge implements, so it cannot use ClawChannels; "
                            + "remove spec.channels"));
        }
        var ingress = claw.getSpec().getIngress();
        if (ingress != null && Boolean.TRUE.equals(ingress.getEnabled())) {
            if (ingress.getHost() == null || ingress.getHost().isBlank()) {
                errors.add(new FieldError("spec.ingress.host", "required when spec.ingress.enabled is true"));
            }
            if (ingress.getBasicAuth() != null
                    && Boolean.TRUE.equals(ingress.getBasicAuth().getEnabled())
                    && (ingress.getBasicAuth().getSecretName() == null
                            || ingress.getBasicAuth().getSecretName().isBlank())) {
                errors.add(new FieldError("spec.ingress.basicAuth.secretName", "required when basic auth is enabled"));
            }
        }
        return errors;
    }

    /** Problems of one ClawChannel on its own, with paths inside the ClawChannel. */
    public static List<FieldError> validateChannel(ClawChannel channel) {
        return dedupe(channelRules(channel));
    }

    private static List<FieldError> channelRules(ClawChannel channel) {
        List<FieldError> errors =
                new ArrayList<>(ClawChannelValidator.validateCreate(channel).errors());
        if (channel.getMetadata() == null || channel.getMetadata().getName() == null) {
            errors.add(new FieldError("metadata.name", "a ClawChannel needs a name"));
        }
        if (channel.getSpec() == null || channel.getSpec().getType() == null) {
            errors.add(new FieldError(
                    "spec.type", "required: one of slack, telegram, whatsapp, discord, matrix, webhook, custom"));
        } else if (channel.getSpec().getType() == ChannelType.CUSTOM
                && (channel.getSpec().getSidecar() == null
                        || channel.getSpec().getSidecar().getImage() == null
                        || channel.getSpec().getSidecar().getImage().isBlank())) {
            errors.add(new FieldError(
                    "spec.sidecar.image", "required for a channel of type custom (the image of its sidecar)"));
        }
        return errors;
    }

    /** Problems of the ClawChannels a Claw uses, reported on the Claw's {@code spec.channels[i]}. */
    public static List<FieldError> validateChannels(Claw claw, List<ClawChannel> channels) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            for (FieldError e : validateChannel(channels.get(i))) {
                errors.add(new FieldError(
                        "spec.channels[" + i + "]",
                        "ClawChannel '" + channels.get(i).getMetadata().getName() + "' is invalid: " + e));
            }
        }
        return errors;
    }

    private static List<FieldError> dedupe(List<FieldError> errors) {
        return new ArrayList<>(new LinkedHashSet<>(errors));
    }
}
