package io.k8s4claw.operator.cli;

import io.fabric8.kubernetes.api.model.Secret;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.validation.ClawValidator;
import io.k8s4claw.api.validation.FieldError;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.desired.Hashes;
import io.k8s4claw.operator.reconcile.SecretData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Plans every Claw of a set of files offline: channels and Secrets are looked up among the same files
 * (same namespace), exactly as the operator looks them up in the cluster.
 */
final class ClawFileSet {

    record Planned(ManifestFiles.Located<Claw> claw, ClawPlanner.Plan plan) {}

    private final ManifestFiles files;

    ClawFileSet(List<Path> paths) {
        this.files = ManifestFiles.read(paths);
    }

    List<String> problems() {
        return files.problems();
    }

    boolean isEmpty() {
        return files.claws().isEmpty() && files.channels().isEmpty();
    }

    List<ManifestFiles.Located<ClawChannel>> channels() {
        return files.channels();
    }

    /** Every Claw, sorted by namespace and name (stable output whatever the file order). */
    List<Planned> plan(ClawPlanner planner) {
        return plan(planner, true);
    }

    /**
     * @param requireChannels false for {@code validate}: a ClawChannel that is not among the files may exist in the
     *                        cluster, so the Claw is validated on its own (the plan is then {@code null} for it and
     *                        {@link #missingChannels} names what was not checked)
     */
    List<Planned> plan(ClawPlanner planner, boolean requireChannels) {
        List<ManifestFiles.Located<Claw>> claws = new ArrayList<>(files.claws());
        claws.sort(Comparator.comparing((ManifestFiles.Located<Claw> c) ->
                        Objects.toString(c.object().getMetadata().getNamespace(), ""))
                .thenComparing(c -> Objects.toString(c.object().getMetadata().getName(), "")));
        List<Planned> out = new ArrayList<>();
        for (ManifestFiles.Located<Claw> located : claws) {
            Claw claw = located.object();
            // As written (unknown fields, wrong types that binding would hide), then everything the operator checks.
            LinkedHashSet<FieldError> all = new LinkedHashSet<>(
                    ClawValidator.validateManifest(located.source()).errors());
            all.addAll(planner.validate(claw));
            List<FieldError> errors = new ArrayList<>(all);
            List<ClawChannel> channels = new ArrayList<>();
            if (errors.isEmpty()) {
                List<ChannelRef> refs = claw.getSpec().getChannels() == null
                        ? List.of()
                        : claw.getSpec().getChannels();
                for (int i = 0; i < refs.size(); i++) {
                    Optional<ClawChannel> found = channel(claw, refs.get(i).getName());
                    if (found.isPresent()) {
                        channels.add(found.get());
                    } else {
                        errors.add(new FieldError(
                                "spec.channels[" + i + "].name",
                                "ClawChannel '" + refs.get(i).getName()
                                        + "' is not in the given files (namespace "
                                        + Objects.toString(claw.getMetadata().getNamespace(), "<unset>")
                                        + "); add the file that defines it"));
                    }
                }
            }
            if (!requireChannels
                    && channels.size()
                            < (claw.getSpec().getChannels() == null
                                    ? 0
                                    : claw.getSpec().getChannels().size())
                    && errors.stream().allMatch(e -> e.message().contains("is not in the given files"))) {
                out.add(new Planned(located, null));
                continue;
            }
            out.add(new Planned(
                    located,
                    errors.isEmpty()
                            ? planner.plan(claw, channels, secretHashes(claw))
                            : new ClawPlanner.Plan.Invalid(errors)));
        }
        return out;
    }

    /** Names of the Claw's channels that are not among the files. */
    List<String> missingChannels(Claw claw) {
        return claw.getSpec() == null || claw.getSpec().getChannels() == null
                ? List.of()
                : claw.getSpec().getChannels().stream()
                        .map(ChannelRef::getName)
                        .filter(n -> channel(claw, n).isEmpty())
                        .toList();
    }

    private Optional<ClawChannel> channel(Claw claw, String name) {
        return files.channels().stream()
                .map(ManifestFiles.Located::object)
                .filter(c -> Objects.equals(c.getMetadata().getName(), name))
                .filter(c -> Objects.equals(
                        c.getMetadata().getNamespace(), claw.getMetadata().getNamespace()))
                .findFirst();
    }

    private Map<String, String> secretHashes(Claw claw) {
        Map<String, String> hashes = new HashMap<>();
        for (ManifestFiles.Located<Secret> s : files.secrets()) {
            Secret secret = s.object();
            if (Objects.equals(
                    secret.getMetadata().getNamespace(), claw.getMetadata().getNamespace())) {
                hashes.put(secret.getMetadata().getName(), Hashes.ofData(SecretData.bytes(secret)));
            }
        }
        return hashes;
    }
}
