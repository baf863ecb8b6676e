package io.k8s4claw.api.v1alpha1;

/** Names shared by everything that reads or writes Claw resources: group, version, finalizer, labels, conditions. */
public final class ClawApi {

    /** API group of Claw and ClawChannel. */
    public static final String GROUP = "claw.prismer.ai";
    /** API version. */
    public static final String VERSION = "v1alpha1";
    /** {@code apiVersion} field value. */
    public static final String API_VERSION = GROUP + "/" + VERSION;

    /** Finalizer the operator puts on Claws (and ClawChannels) to clean up or retain volumes. */
    public static final String FINALIZER = "claw.prismer.ai/cleanup";

    /** Kubernetes recommended label: always {@value #LABEL_NAME_VALUE}. */
    public static final String LABEL_NAME = "app.kubernetes.io/name";
    /** Value of {@link #LABEL_NAME}. */
    public static final String LABEL_NAME_VALUE = "claw";
    /** Kubernetes recommended label: the Claw's name. */
    public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
    /** Kubernetes recommended label: who manages the object. */
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    /** k8s4claw label: the runtime (e.g. hermesclaw). */
    public static final String LABEL_RUNTIME = "claw.prismer.ai/runtime";
    /** k8s4claw label: the Claw's name. */
    public static final String LABEL_CLAW_INSTANCE = "claw.prismer.ai/instance";

    /** Condition types the operator maintains in {@code status.conditions}. */
    public static final String CONDITION_READY = "Ready";

    public static final String CONDITION_CONFIG_VALID = "ConfigValid";
    public static final String CONDITION_RUNTIME_READY = "RuntimeReady";
    public static final String CONDITION_BRIDGE_READY = "BridgeReady";
    public static final String CONDITION_CHANNELS_READY = "ChannelsReady";
    /** spec.security.runtimeClassName names a RuntimeClass that exists (only present when the field is set). */
    public static final String CONDITION_RUNTIME_CLASS_FOUND = "RuntimeClassFound";
    /** Scheduled VolumeSnapshots can be taken (only present when a volume has snapshots enabled). */
    public static final String CONDITION_SNAPSHOTS_READY = "SnapshotsReady";
    /** reclaimPolicy Archive: the deletion's archive progress (only while a Claw with that policy is deleted). */
    public static final String CONDITION_ARCHIVED = "Archived";
    /**
     * restoreFrom.archiveKey: whether the pod's restore steps filled the volumes (only when a volume restores from an
     * archive).
     */
    public static final String CONDITION_RESTORED = "Restored";

    private ClawApi() {}
}
