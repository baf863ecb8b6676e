package io.k8s4claw.api.runtime;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which image a runtime runs by default and how its tags are read.
 *
 * <p>Adapters pin a tested tag by default (never {@code latest}): a Claw that does not name an image gets
 * {@code repository:pinnedTag}. A Claw may override the whole image ({@code spec.image}). Auto-update (when
 * the operator implements it) only considers tags matching {@code versionTagPattern}, so floating tags such as
 * {@code latest}/{@code main} are never picked up as versions.
 *
 * @param repository        image repository without tag, e.g. {@code nousresearch/hermes-agent}; empty for runtimes
 *                          without a usable image (NanoClaw) or whose image comes from the spec ({@code custom})
 * @param pinnedTag         the tested tag used by default; empty when {@code repository} is empty
 * @param versionTagPattern regular expression release tags match (e.g. {@code v\d{4}\.\d{1,2}\.\d{1,2}})
 */
public record ImagePolicy(String repository, String pinnedTag, String versionTagPattern) {
    public ImagePolicy {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(pinnedTag, "pinnedTag");
        Objects.requireNonNull(versionTagPattern, "versionTagPattern");
        Pattern.compile(versionTagPattern);
        if (!repository.isEmpty() && !Pattern.matches(versionTagPattern, pinnedTag)) {
            throw new IllegalArgumentException("pinned tag '" + pinnedTag + "' of " + repository
                    + " does not match its own version pattern " + versionTagPattern);
        }
    }

    /** An image policy for runtimes that have no default image. */
    public static ImagePolicy none() {
        return new ImagePolicy("", "", ".*");
    }

    /** {@code repository:pinnedTag}, or empty when the runtime has no default image. */
    public Optional<String> defaultImage() {
        return repository.isEmpty() ? Optional.empty() : Optional.of(repository + ":" + pinnedTag);
    }

    /** The image to run: the Claw's override when set, else the pinned default. */
    public Optional<String> resolve(String override) {
        if (override != null && !override.isBlank()) {
            return Optional.of(override.trim());
        }
        return defaultImage();
    }

    /** Whether {@code tag} is a release tag (candidate for auto-update), as opposed to a floating one. */
    public boolean isVersionTag(String tag) {
        return tag != null && Pattern.matches(versionTagPattern, tag);
    }
}
