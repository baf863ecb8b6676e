package io.k8s4claw.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An AI agent runtime instance ({@code claws.claw.prismer.ai/v1alpha1}), wire-compatible with k8s4claw.
 * The CRD is generated from this class at build time.
 */
@Group(ClawApi.GROUP)
@Version(ClawApi.VERSION)
@Kind("Claw")
@Plural("claws")
@Singular("claw")
@ShortNames("claw")
@AdditionalPrinterColumn(name = "Runtime", jsonPath = ".spec.runtime", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Version",
        jsonPath = ".status.autoUpdate.currentVersion",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class Claw extends CustomResource<ClawSpec, ClawStatus> implements Namespaced {

    public Claw() {}

    /** Convenience constructor for tests and tools: a Claw with the given name and spec. */
    public static Claw of(String name, ClawSpec spec) {
        Claw claw = new Claw();
        claw.getMetadata().setName(name);
        claw.setSpec(spec);
        return claw;
    }
}
