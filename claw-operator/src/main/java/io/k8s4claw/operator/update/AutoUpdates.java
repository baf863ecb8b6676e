package io.k8s4claw.operator.update;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.v1alpha1.AutoUpdateSpec;
import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ImageSpec;
import io.k8s4claw.api.v1alpha1.LocalObjectRef;
import io.k8s4claw.api.validation.Durations;
import io.k8s4claw.operator.desired.Hashes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Auto-update as the reconciler uses it: reads {@code spec.autoUpdate} and {@code spec.image} into an
 * {@link AutoUpdatePolicy}, lists tags with {@link RegistryClient} (with the {@code spec.image.pullSecrets}'
 * credentials) only when the machine asks for it, runs {@link AutoUpdateMachine}, and returns the Claw to render with
 * the version to run in {@code spec.image.tag}.
 *
 * @param registry the registry client
 * @param clock    the time the schedule and the health timeout are measured with (a test's clock moves at will)
 * @param hook     runs before each roll (backups, issue #17)
 */
public record AutoUpdates(RegistryClient registry, InstantSource clock, PreUpdateHook hook) {

    /** The registry client of production and no pre-update hook, on {@code clock}. */
    public static AutoUpdates on(InstantSource clock) {
        return new AutoUpdates(RegistryClient.create(), clock, PreUpdateHook.NONE);
    }

    /**
     * What auto-update decided for this reconcile.
     *
     * @param claw   the Claw to render: the input, or a copy whose {@code spec.image.tag} is the version to run
     * @param status the new {@code status.autoUpdate}
     * @param step   the machine's step; empty when auto-update is off (then the status only names the running tag)
     */
    public record Outcome(Claw claw, AutoUpdateStatus status, Optional<AutoUpdateMachine.Step> step) {}

    /**
     * @param previous the Claw's {@code status.autoUpdate}
     * @param health   the health of the version the StatefulSet runs now
     * @param secrets  reads a Secret of the Claw's namespace by name
     */
    public Outcome step(
            Claw claw,
            ImagePolicy policy,
            AutoUpdateStatus previous,
            AutoUpdateMachine.Health health,
            Function<String, Optional<Secret>> secrets) {
        ImageSpec image = claw.getSpec().getImage();
        String repository = image != null && notBlank(image.getRepository())
                ? image.getRepository().trim()
                : policy.repository();
        String baseline =
                image != null && notBlank(image.getTag()) ? image.getTag().trim() : policy.pinnedTag();
        AutoUpdateSpec spec = claw.getSpec().getAutoUpdate();
        if (spec == null
                || !Boolean.TRUE.equals(spec.getEnabled())
                || repository.isEmpty()
                || repository.contains("@")) {
            AutoUpdateStatus running = new AutoUpdateStatus();
            running.setCurrentVersion(runningVersion(claw, repository, baseline));
            if (previous != null) {
                running.setVersionHistory(previous.getVersionHistory());
            }
            return new Outcome(claw, running, Optional.empty());
        }
        ImageReference reference = ImageReference.parse(repository);
        String fingerprint = Hashes.ofString(repository + "\n" + baseline).substring(0, 8) + "-"
                + Hashes.ofString(spec.getEnabled() + "\n" + spec.getVersionConstraint() + "\n" + spec.getSchedule()
                                + "\n" + spec.getHealthTimeout() + "\n" + spec.getMaxRollbacks())
                        .substring(0, 8);
        Duration timeout = spec.getHealthTimeout() == null
                ? AutoUpdatePolicy.DEFAULT_HEALTH_TIMEOUT
                : Durations.parse(spec.getHealthTimeout());
        AutoUpdatePolicy p = AutoUpdatePolicy.of(
                reference,
                baseline,
                Pattern.compile(policy.versionTagPattern()),
                spec.getVersionConstraint(),
                spec.getSchedule(),
                timeout,
                spec.getMaxRollbacks(),
                fingerprint);
        AutoUpdateMachine.Step step = AutoUpdateMachine.advance(
                previous,
                p,
                clock.instant(),
                health,
                () -> list(reference, image, secrets),
                (from, to) -> hook.beforeUpdate(claw, from, to));
        Claw render = claw;
        if (!step.runVersion().equals(baseline)) {
            render = Serialization.clone(claw);
            ImageSpec renderedImage = render.getSpec().getImage() == null
                    ? new ImageSpec()
                    : render.getSpec().getImage();
            renderedImage.setTag(step.runVersion());
            render.getSpec().setImage(renderedImage);
        }
        return new Outcome(render, step.status(), Optional.of(step));
    }

    /** The version the Claw runs with auto-update off: the tag (or digest) of its image, for the Version column. */
    static String runningVersion(Claw claw, String repository, String baseline) {
        String reference = repository;
        if (repository.isEmpty()
                && claw.getSpec().getCustom() != null
                && claw.getSpec().getCustom().getImage() != null) {
            reference = claw.getSpec().getCustom().getImage().trim();
        } else if (!repository.contains("@")) {
            return baseline.isEmpty() ? null : baseline;
        }
        int at = reference.indexOf('@');
        if (at >= 0) {
            return reference.substring(at + 1);
        }
        int colon = reference.lastIndexOf(':');
        return colon > reference.lastIndexOf('/') ? reference.substring(colon + 1) : null;
    }

    private TagListing list(ImageReference reference, ImageSpec image, Function<String, Optional<Secret>> secrets) {
        List<byte[]> configs = new ArrayList<>();
        if (image != null && image.getPullSecrets() != null) {
            for (LocalObjectRef ref : image.getPullSecrets()) {
                Optional<Secret> secret = secrets.apply(ref.getName());
                String data = secret.map(Secret::getData)
                        .map(d -> d.get(".dockerconfigjson"))
                        .orElse(null);
                if (data == null) {
                    return new TagListing.Failed(
                            TagListing.Problem.REGISTRY_UNAUTHORIZED,
                            "pull Secret " + ref.getName()
                                    + (secret.isEmpty() ? " not found" : " has no .dockerconfigjson key")
                                    + "; create it as type kubernetes.io/dockerconfigjson or remove it from "
                                    + "spec.image.pullSecrets");
                }
                configs.add(Base64.getDecoder().decode(data.getBytes(StandardCharsets.US_ASCII)));
            }
        }
        Optional<RegistryCredentials> credentials;
        try {
            credentials = RegistryCredentials.find(configs, reference);
        } catch (IllegalArgumentException e) {
            return new TagListing.Failed(TagListing.Problem.REGISTRY_UNAUTHORIZED, e.getMessage());
        }
        return registry.listTags(reference, credentials);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
