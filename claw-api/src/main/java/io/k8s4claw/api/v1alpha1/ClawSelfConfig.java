package io.k8s4claw.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A request by an agent to change its own Claw ({@code clawselfconfigs.claw.prismer.ai/v1alpha1}), k8s4claw's wire
 * shape: the operator checks it against the Claw's {@code spec.selfConfigure}, applies it or denies it, and records
 * the outcome in the status.
 */
@Group(ClawApi.GROUP)
@Version(ClawApi.VERSION)
@Kind("ClawSelfConfig")
@Plural("clawselfconfigs")
@Singular("clawselfconfig")
@AdditionalPrinterColumn(name = "Claw", jsonPath = ".spec.clawRef", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class ClawSelfConfig extends CustomResource<ClawSelfConfigSpec, ClawSelfConfigStatus> implements Namespaced {

    public ClawSelfConfig() {}

    /** Convenience constructor for tests and tools: a request with the given name and spec. */
    public static ClawSelfConfig of(String name, ClawSelfConfigSpec spec) {
        ClawSelfConfig request = new ClawSelfConfig();
        request.getMetadata().setName(name);
        request.setSpec(spec);
        return request;
    }
}
