package io.k8s4claw.api.validation;

import io.k8s4claw.api.v1alpha1.ChannelType;
import io.k8s4claw.api.v1alpha1.ClawChannelSpec;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.NotSupportedYet;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import java.util.List;

/** The Java side of the CRD's "not supported yet" rules ({@link NotSupportedYet}), at the same field paths. */
final class UnsupportedFields {

    private UnsupportedFields() {}

    static void claw(ClawSpec spec, List<FieldError> out) {
        credentials("spec.credentials", spec.getCredentials(), out);
        if (spec.getPersistence() != null) {
            volume("spec.persistence.session", spec.getPersistence().getSession(), out);
            volume("spec.persistence.workspace", spec.getPersistence().getWorkspace(), out);
            volume("spec.persistence.output", spec.getPersistence().getOutput(), out);
            var output = spec.getPersistence().getOutput();
            if (output != null
                    && output.getArchive() != null
                    && Boolean.TRUE.equals(output.getArchive().getEnabled())) {
                out.add(new FieldError("spec.persistence.output.archive.enabled", NotSupportedYet.PERIODIC_ARCHIVE));
            }
        }
    }

    static void channel(ClawChannelSpec spec, List<FieldError> out) {
        credentials("spec.credentials", spec.getCredentials(), out);
        boolean noBuiltIn = spec.getType() == ChannelType.WHATSAPP || spec.getType() == ChannelType.MATRIX;
        if (noBuiltIn && (spec.getSidecar() == null || spec.getSidecar().getImage() == null)) {
            out.add(new FieldError("spec", NotSupportedYet.CHANNEL_TYPE_WITHOUT_BUILT_IN));
        }
    }

    private static void credentials(String path, CredentialSpec c, List<FieldError> out) {
        if (c != null && c.getExternalSecret() != null) {
            out.add(new FieldError(path + ".externalSecret", NotSupportedYet.EXTERNAL_SECRET));
        }
    }

    private static void volume(String path, VolumeSpec v, List<FieldError> out) {
        if (v != null && v.getMaxSize() != null) {
            out.add(new FieldError(path + ".maxSize", NotSupportedYet.MAX_SIZE));
        }
    }
}
