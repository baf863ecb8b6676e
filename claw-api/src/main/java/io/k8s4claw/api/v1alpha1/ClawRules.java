package io.k8s4claw.api.v1alpha1;

/**
 * Messages of the CRD's CEL rules ({@code x-kubernetes-validations}). The model's CEL
 * rule annotations and the Java validation ({@code io.k8s4claw.api.validation}) both use these constants, so a user
 * sees the same words whether the API server or the operator/CLI rejects a resource.
 */
public final class ClawRules {

    public static final String CREDENTIALS_EXCLUSIVE = "set either secretRef or externalSecret, not both";

    public static final String CREDENTIALS_EMPTY = "name a secretRef, an externalSecret or at least one entry in keys";

    public static final String ARCHIVE_NEEDS_DESTINATION =
            "reclaimPolicy Archive needs persistence.output.archive (its destination is where the volumes are "
                    + "archived)";

    public static final String RESTORE_ONE_SOURCE = "restoreFrom names exactly one of snapshot and archiveKey";

    public static final String RESTORE_IMMUTABLE =
            "restoreFrom is immutable: it is read when the claim is created; create a new Claw to restore again";

    public static final String RESTORE_ARCHIVE_NEEDS_DESTINATION =
            "restoreFrom.archiveKey needs persistence.output.archive (its destination is where the archive is read "
                    + "from)";

    public static final String SNAPSHOT_SCHEDULE_REQUIRED = "schedule is required when snapshots are enabled";

    public static final String STORAGE_CLASS_IMMUTABLE =
            "storageClass is immutable: a claim's storage class cannot change";

    public static final String SIZE_NO_SHRINK = "size may not shrink: volumes can only grow";

    public static final String MAX_SIZE_BELOW_SIZE = "maxSize may not be smaller than size";

    public static final String SKILL_SOURCE_EXCLUSIVE = "set exactly one of configMapRef or inline";

    public static final String RUNTIME_IMMUTABLE = "runtime is immutable; delete and re-create the Claw to change it";

    public static final String CHANNEL_NAMES_UNIQUE = "channel names must be unique";

    public static final String SKILL_NAMES_UNIQUE = "skill names must be unique";

    public static final String CUSTOM_RUNTIME_IMAGE = "runtime custom needs spec.custom.image";

    public static final String WATERMARK_ORDER = "lowWatermark must be below highWatermark";

    public static final String CUSTOM_CHANNEL_SIDECAR =
            "type custom needs spec.sidecar with the image of your channel adapter";

    public static final String HEALTH_TIMEOUT_RANGE = "healthTimeout must be between 2m and 30m";

    public static final String SELF_CONFIG_EMPTY =
            "a ClawSelfConfig must ask for at least one change (addSkills, removeSkills,"
                    + " configPatch, addWorkspaceFiles, removeWorkspaceFiles, addEnvVars or removeEnvVars)";

    public static final String SELF_CONFIG_SKILL_ADD_AND_REMOVE =
            "a skill cannot be both added and removed in one request";

    public static final String SELF_CONFIG_ENV_ADD_AND_REMOVE =
            "an environment variable cannot be both added and removed in one request";

    public static final String SELF_CONFIG_CLAW_REF_IMMUTABLE =
            "clawRef is immutable; create a new ClawSelfConfig for another Claw";

    public static final String TRACING_UNSUPPORTED =
            "tracing is not supported: the operator, bridge and channel sidecars export"
                    + " no OpenTelemetry traces; leave it unset or false and use the Prometheus metrics "
                    + "(claw-operator/docs/alerts.md)";

    public static final String LOGS_OFF_UNSUPPORTED =
            "logs: false is not supported: every container logs to stdout, where the"
                    + " cluster's log collector picks it up; leave it unset or true and filter in your log pipeline";

    private ClawRules() {}
}
