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
 * A messaging channel (Slack, Telegram, ...) that Claws in the same namespace reference
 * ({@code clawchannels.claw.prismer.ai/v1alpha1}).
 */
@Group(ClawApi.GROUP)
@Version(ClawApi.VERSION)
@Kind("ClawChannel")
@Plural("clawchannels")
@Singular("clawchannel")
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Claws",
        jsonPath = ".status.referenceCount",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class ClawChannel extends CustomResource<ClawChannelSpec, ClawChannelStatus> implements Namespaced {

    public ClawChannel() {}

    /** Convenience constructor for tests and tools: a ClawChannel with the given name and spec. */
    public static ClawChannel of(String name, ClawChannelSpec spec) {
        ClawChannel channel = new ClawChannel();
        channel.getMetadata().setName(name);
        channel.setSpec(spec);
        return channel;
    }
}
