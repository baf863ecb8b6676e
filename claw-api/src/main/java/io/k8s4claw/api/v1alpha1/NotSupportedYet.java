package io.k8s4claw.api.v1alpha1;

/**
 * Messages of the fields k8s4claw's schema has that this operator does not implement yet: the CRD (CEL) and the Java
 * validation refuse a value with the message, which says what to use instead — never accepted and ignored
 * (claw-api/docs/custom-resources.md, "What each field does").
 */
public final class NotSupportedYet {

    public static final String EXTERNAL_SECRET =
            "credentials.externalSecret is not supported yet: the operator does not create"
                    + " ExternalSecret objects; create one with the External Secrets Operator yourself (its target "
                    + "a Secret in this"
                    + " namespace) and name that Secret in credentials.secretRef";

    public static final String MAX_SIZE =
            "maxSize is not supported yet: the operator does not grow claims by itself; raise size"
                    + " to grow the claim (claims grow, never shrink)";

    public static final String CHANNEL_TYPE_WITHOUT_BUILT_IN =
            "types whatsapp and matrix have no built-in channel yet: set"
                    + " sidecar.image to a channel sidecar that speaks it (as for type custom), or use slack, "
                    + "telegram, discord or webhook";

    public static final String PERIODIC_ARCHIVE =
            "periodic archival of the output volume is not supported yet: set enabled"
                    + " to false; the destination is still where reclaimPolicy: Archive writes and "
                    + "restoreFrom.archiveKey reads";

    private NotSupportedYet() {}
}
