package io.k8s4claw.api.validation;

import io.k8s4claw.api.v1alpha1.AutoUpdateSpec;
import io.k8s4claw.api.v1alpha1.BackpressureSpec;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.ChannelType;
import io.k8s4claw.api.v1alpha1.ClawChannelSpec;
import io.k8s4claw.api.v1alpha1.ClawRules;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigSpec;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.ObservabilitySpec;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.ReclaimPolicy;
import io.k8s4claw.api.v1alpha1.RestoreSpec;
import io.k8s4claw.api.v1alpha1.RuntimeType;
import io.k8s4claw.api.v1alpha1.SchemaPatterns;
import io.k8s4claw.api.v1alpha1.SelfConfigEnvVar;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.api.v1alpha1.SnapshotSpec;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java twins of the CRD's CEL rules ({@code x-kubernetes-validations}). Each rule reports at the path where
 * the API server reports its CEL rule and starts its message with the same {@link ClawRules} constant, adding
 * the offending values.
 */
final class CrossFieldRules {

    static final Duration HEALTH_TIMEOUT_MIN = Duration.ofMinutes(2);
    static final Duration HEALTH_TIMEOUT_MAX = Duration.ofMinutes(30);
    private static final BigDecimal DEFAULT_HIGH_WATERMARK = new BigDecimal("0.8");
    private static final BigDecimal DEFAULT_LOW_WATERMARK = new BigDecimal("0.3");
    private static final Pattern WATERMARK = Pattern.compile(SchemaPatterns.WATERMARK);

    private CrossFieldRules() {}

    static void claw(ClawSpec spec, List<FieldError> out) {
        if (spec.getRuntime() == RuntimeType.CUSTOM
                && (spec.getCustom() == null || spec.getCustom().getImage() == null)) {
            out.add(new FieldError(
                    "spec",
                    ClawRules.CUSTOM_RUNTIME_IMAGE
                            + " (the container image of your runtime, e.g. custom: {image: "
                            + "registry.example.com/agent:1.0})"));
        }
        credentials("spec.credentials", spec.getCredentials(), out);
        observability(spec.getObservability(), out);
        unique("spec.channels", spec.getChannels(), ChannelRef::getName, ClawRules.CHANNEL_NAMES_UNIQUE, out);
        unique("spec.skills", spec.getSkills(), SkillSpec::getName, ClawRules.SKILL_NAMES_UNIQUE, out);
        if (spec.getSkills() != null) {
            for (int i = 0; i < spec.getSkills().size(); i++) {
                SkillSpec skill = spec.getSkills().get(i);
                if (skill != null && (skill.getConfigMapRef() == null) == (skill.getInline() == null)) {
                    out.add(new FieldError(
                            "spec.skills[" + i + "]",
                            ClawRules.SKILL_SOURCE_EXCLUSIVE
                                    + (skill.getInline() == null ? " (neither is set)" : " (both are set)")));
                }
            }
        }
        PersistenceSpec p = spec.getPersistence();
        if (p != null) {
            volume("spec.persistence.session", p.getSession(), out);
            volume("spec.persistence.workspace", p.getWorkspace(), out);
            volume("spec.persistence.output", p.getOutput(), out);
            if (p.getReclaimPolicy() == ReclaimPolicy.ARCHIVE
                    && (p.getOutput() == null || p.getOutput().getArchive() == null)) {
                out.add(new FieldError("spec.persistence", ClawRules.ARCHIVE_NEEDS_DESTINATION));
            }
            boolean restoresArchive = Stream.of(p.getSession(), p.getWorkspace(), p.getOutput())
                    .anyMatch(v -> v != null
                            && v.getRestoreFrom() != null
                            && v.getRestoreFrom().getArchiveKey() != null);
            if (restoresArchive && (p.getOutput() == null || p.getOutput().getArchive() == null)) {
                out.add(new FieldError("spec.persistence", ClawRules.RESTORE_ARCHIVE_NEEDS_DESTINATION));
            }
        }
        AutoUpdateSpec au = spec.getAutoUpdate();
        if (au != null && Durations.isDuration(au.getHealthTimeout())) {
            Duration d = Durations.parse(au.getHealthTimeout());
            if (d.compareTo(HEALTH_TIMEOUT_MIN) < 0 || d.compareTo(HEALTH_TIMEOUT_MAX) > 0) {
                out.add(new FieldError(
                        "spec.autoUpdate.healthTimeout",
                        ClawRules.HEALTH_TIMEOUT_RANGE + " (got " + au.getHealthTimeout() + ")"));
            }
        }
    }

    private static void observability(ObservabilitySpec o, List<FieldError> out) {
        if (o == null) {
            return;
        }
        if (Boolean.FALSE.equals(o.getLogs())) {
            out.add(new FieldError("spec.observability.logs", ClawRules.LOGS_OFF_UNSUPPORTED));
        }
        if (Boolean.TRUE.equals(o.getTracing())) {
            out.add(new FieldError("spec.observability.tracing", ClawRules.TRACING_UNSUPPORTED));
        }
    }

    static void clawTransition(ClawSpec old, ClawSpec updated, List<FieldError> out) {
        if (old.getRuntime() != null && updated.getRuntime() != null && old.getRuntime() != updated.getRuntime()) {
            out.add(new FieldError(
                    "spec.runtime",
                    ClawRules.RUNTIME_IMMUTABLE + " (was " + old.getRuntime() + ", now " + updated.getRuntime() + ")"));
        }
        PersistenceSpec before = old.getPersistence();
        PersistenceSpec after = updated.getPersistence();
        if (before != null && after != null) {
            volumeTransition("spec.persistence.session", before.getSession(), after.getSession(), out);
            volumeTransition("spec.persistence.workspace", before.getWorkspace(), after.getWorkspace(), out);
            volumeTransition("spec.persistence.output", before.getOutput(), after.getOutput(), out);
        }
    }

    static void channel(ClawChannelSpec spec, List<FieldError> out) {
        if (spec.getType() == ChannelType.CUSTOM && spec.getSidecar() == null) {
            out.add(new FieldError("spec", ClawRules.CUSTOM_CHANNEL_SIDECAR));
        }
        credentials("spec.credentials", spec.getCredentials(), out);
        BackpressureSpec bp = spec.getBackpressure();
        if (bp != null) {
            // The API server applies the defaults (0.8 / 0.3) before it evaluates the rule; so do we.
            BigDecimal high = watermark(bp.getHighWatermark(), DEFAULT_HIGH_WATERMARK);
            BigDecimal low = watermark(bp.getLowWatermark(), DEFAULT_LOW_WATERMARK);
            if (high != null && low != null && low.compareTo(high) >= 0) {
                out.add(new FieldError(
                        "spec.backpressure",
                        ClawRules.WATERMARK_ORDER + " (lowWatermark " + low.toPlainString() + ", highWatermark "
                                + high.toPlainString() + ")"));
            }
        }
    }

    static void selfConfig(ClawSelfConfigSpec spec, List<FieldError> out) {
        if (spec.getAddSkills() == null
                && spec.getRemoveSkills() == null
                && spec.getConfigPatch() == null
                && spec.getAddWorkspaceFiles() == null
                && spec.getRemoveWorkspaceFiles() == null
                && spec.getAddEnvVars() == null
                && spec.getRemoveEnvVars() == null) {
            out.add(new FieldError("spec", ClawRules.SELF_CONFIG_EMPTY));
        }
        if (spec.getAddSkills() != null && spec.getRemoveSkills() != null) {
            List<String> both = spec.getAddSkills().stream()
                    .filter(spec.getRemoveSkills()::contains)
                    .distinct()
                    .toList();
            if (!both.isEmpty()) {
                out.add(new FieldError(
                        "spec", ClawRules.SELF_CONFIG_SKILL_ADD_AND_REMOVE + " (" + String.join(", ", both) + ")"));
            }
        }
        if (spec.getAddEnvVars() != null && spec.getRemoveEnvVars() != null) {
            List<String> both = spec.getAddEnvVars().stream()
                    .filter(Objects::nonNull)
                    .map(SelfConfigEnvVar::getName)
                    .filter(spec.getRemoveEnvVars()::contains)
                    .distinct()
                    .toList();
            if (!both.isEmpty()) {
                out.add(new FieldError(
                        "spec", ClawRules.SELF_CONFIG_ENV_ADD_AND_REMOVE + " (" + String.join(", ", both) + ")"));
            }
        }
    }

    static void selfConfigTransition(ClawSelfConfigSpec old, ClawSelfConfigSpec updated, List<FieldError> out) {
        if (old.getClawRef() != null
                && updated.getClawRef() != null
                && !old.getClawRef().equals(updated.getClawRef())) {
            out.add(new FieldError(
                    "spec.clawRef",
                    ClawRules.SELF_CONFIG_CLAW_REF_IMMUTABLE + " (was " + old.getClawRef() + ", now "
                            + updated.getClawRef() + ")"));
        }
    }

    private static BigDecimal watermark(String value, BigDecimal dflt) {
        if (value == null) {
            return dflt;
        }
        return WATERMARK.matcher(value).matches() ? new BigDecimal(value) : null;
    }

    private static void credentials(String path, CredentialSpec c, List<FieldError> out) {
        if (c == null) {
            return;
        }
        if (c.getSecretRef() != null && c.getExternalSecret() != null) {
            out.add(new FieldError(path, ClawRules.CREDENTIALS_EXCLUSIVE));
        }
        if (c.getSecretRef() == null
                && c.getExternalSecret() == null
                && (c.getKeys() == null || c.getKeys().isEmpty())) {
            out.add(new FieldError(path, ClawRules.CREDENTIALS_EMPTY));
        }
    }

    private static void volume(String path, VolumeSpec v, List<FieldError> out) {
        if (v == null) {
            return;
        }
        if (v.getMaxSize() != null
                && Quantities.isQuantity(v.getMaxSize())
                && Quantities.isQuantity(v.getSize())
                && Quantities.compare(v.getMaxSize(), v.getSize()) < 0) {
            out.add(new FieldError(
                    path,
                    ClawRules.MAX_SIZE_BELOW_SIZE + " (maxSize " + v.getMaxSize() + ", size " + v.getSize() + ")"));
        }
        SnapshotSpec s = v.getSnapshot();
        if (s != null && Boolean.TRUE.equals(s.getEnabled()) && s.getSchedule() == null) {
            out.add(new FieldError(
                    path + ".snapshot", ClawRules.SNAPSHOT_SCHEDULE_REQUIRED + " (e.g. schedule: \"0 2 * * *\")"));
        }
        RestoreSpec r = v.getRestoreFrom();
        if (r != null && (r.getSnapshot() == null) == (r.getArchiveKey() == null)) {
            out.add(new FieldError(
                    path + ".restoreFrom",
                    ClawRules.RESTORE_ONE_SOURCE
                            + (r.getSnapshot() == null ? " (neither is set)" : " (both are set)")));
        }
    }

    private static void volumeTransition(String path, VolumeSpec before, VolumeSpec after, List<FieldError> out) {
        if (before == null || after == null) {
            return;
        }
        if (Quantities.isQuantity(before.getSize())
                && Quantities.isQuantity(after.getSize())
                && Quantities.compare(after.getSize(), before.getSize()) < 0) {
            out.add(new FieldError(
                    path + ".size",
                    ClawRules.SIZE_NO_SHRINK + " (was " + before.getSize() + ", now " + after.getSize() + "; keep "
                            + before.getSize() + " or grow it)"));
        }
        if (before.getStorageClass() != null
                && after.getStorageClass() != null
                && !before.getStorageClass().equals(after.getStorageClass())) {
            out.add(new FieldError(
                    path + ".storageClass",
                    ClawRules.STORAGE_CLASS_IMMUTABLE + " (was " + before.getStorageClass() + ", now "
                            + after.getStorageClass() + ")"));
        }
        if (before.getRestoreFrom() != null
                && after.getRestoreFrom() != null
                && !before.getRestoreFrom().equals(after.getRestoreFrom())) {
            out.add(new FieldError(path + ".restoreFrom", ClawRules.RESTORE_IMMUTABLE));
        }
    }

    private static <T> void unique(
            String path, List<T> items, Function<T, String> name, String message, List<FieldError> out) {
        if (items == null) {
            return;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (T item : items) {
            if (item != null && name.apply(item) != null) {
                counts.merge(name.apply(item), 1, Integer::sum);
            }
        }
        List<String> dups = counts.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .toList();
        if (!dups.isEmpty()) {
            out.add(new FieldError(path, message + " (repeated: " + String.join(", ", dups) + ")"));
        }
    }
}
