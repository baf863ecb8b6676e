package io.k8s4claw.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;

/**
 * Multi-document YAML of a {@link DesiredState} in apply order. Secret values never appear: generated Secrets
 * and the rendered config Secret are listed by name and keys as YAML comments.
 */
public final class ManifestPrinter {

    private ManifestPrinter() {}

    public static String print(DesiredState state) {
        StringBuilder out = new StringBuilder();
        var meta = state.claw().getMetadata();
        out.append("# Claw ")
                .append(meta.getNamespace() == null ? "" : meta.getNamespace() + "/")
                .append(meta.getName())
                .append(" (runtime ")
                .append(state.claw().getSpec().getRuntime().wireValue())
                .append(")\n");
        if (!state.generatedSecrets().isEmpty()) {
            out.append("# Secrets the operator generates once at run time (random values, never printed, never "
                            + "rotated;\n")
                    .append("# pre-create a Secret of the same name and keys to supply your own):\n");
            for (DesiredState.GeneratedSecretPlan g : state.generatedSecrets()) {
                out.append("#   Secret ")
                        .append(g.name())
                        .append(" keys ")
                        .append(String.join(
                                ", ",
                                g.keys().stream()
                                        .map(DesiredState.GeneratedSecretPlan.Key::key)
                                        .toList()))
                        .append(" — ")
                        .append(g.purpose().replace('\n', ' '))
                        .append('\n');
            }
        }
        state.renderedSecret()
                .ifPresent(s -> out.append("# Secret ")
                        .append(s.getMetadata().getName())
                        .append(" (rendered secret configuration) keys ")
                        .append(String.join(", ", s.getData().keySet()))
                        .append(" — applied by the operator, values not printed\n"));
        if (!state.referencedSecrets().isEmpty()) {
            out.append("# The pod reads the Secrets ")
                    .append(String.join(", ", state.referencedSecrets()))
                    .append("; annotations ")
                    .append(DesiredStateBuilder.SECRET_HASH_PREFIX)
                    .append("<name> hold a hash of their data (\"")
                    .append(DesiredStateBuilder.UNRESOLVED_HASH)
                    .append("\" when the Secret was not among the files).\n");
        }
        for (String warning : state.warnings()) {
            out.append("# WARNING ").append(warning).append('\n');
        }
        List<HasMetadata> manifests = state.manifests();
        for (HasMetadata m : manifests) {
            if (m instanceof Secret) {
                continue;
            }
            String yaml = Serialization.asYaml(m);
            out.append(yaml.startsWith("---") ? yaml : "---\n" + yaml);
            if (!yaml.endsWith("\n")) {
                out.append('\n');
            }
        }
        return out.toString();
    }
}
