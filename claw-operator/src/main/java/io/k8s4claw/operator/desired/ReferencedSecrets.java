package io.k8s4claw.operator.desired;

import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.KeyMapping;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The user Secrets a Claw's pod reads: the Claw's credentials and those of each of its channels. */
public final class ReferencedSecrets {

    private ReferencedSecrets() {}

    /** Sorted, distinct Secret names. */
    public static List<String> of(Claw claw, List<ClawChannel> channels) {
        Set<String> names = new TreeSet<>();
        add(names, claw.getSpec().getCredentials());
        for (ClawChannel channel : channels) {
            add(names, channel.getSpec().getCredentials());
        }
        return List.copyOf(names);
    }

    /** Sorted, distinct names of the Secrets one channel's credentials read. */
    public static List<String> ofChannel(ClawChannel channel) {
        Set<String> names = new TreeSet<>();
        add(names, channel.getSpec() == null ? null : channel.getSpec().getCredentials());
        return List.copyOf(names);
    }

    private static void add(Set<String> names, CredentialSpec credentials) {
        if (credentials == null) {
            return;
        }
        if (credentials.getSecretRef() != null && credentials.getSecretRef().getName() != null) {
            names.add(credentials.getSecretRef().getName());
        }
        if (credentials.getKeys() != null) {
            for (KeyMapping key : credentials.getKeys()) {
                if (key.getSecretKeyRef() != null && key.getSecretKeyRef().getName() != null) {
                    names.add(key.getSecretKeyRef().getName());
                }
            }
        }
    }
}
