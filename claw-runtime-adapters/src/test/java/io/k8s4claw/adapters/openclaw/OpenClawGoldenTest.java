package io.k8s4claw.adapters.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.adapters.Examples;
import io.k8s4claw.adapters.Golden;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.v1alpha1.Claw;
import org.junit.jupiter.api.Test;

class OpenClawGoldenTest {

    private final OpenClawAdapter adapter = new OpenClawAdapter();

    static PodContribution render(OpenClawAdapter adapter, String... files) {
        Examples.Loaded loaded = Examples.load(files);
        Claw claw = loaded.claw();
        assertThat(adapter.validateCreate(claw)).isEmpty();
        return adapter.render(RenderContext.of(claw, Examples.channelsOf(claw, loaded.channels())));
    }

    @Test
    void platformTeamStackWithIngress() {
        PodContribution pod = render(adapter, "openclaw-ankra-stack.yaml");
        Golden.assertContribution("openclaw/openclaw-ankra-stack", pod);
        assertThat(pod.exposedPorts()).singleElement().extracting(p -> p.port()).isEqualTo(18789);
    }

    @Test
    void localModelWithSlackThroughTheBridge() {
        PodContribution pod = render(adapter, "openclaw-local-model.yaml", "slack-team-channel.yaml");
        Golden.assertContribution("openclaw/openclaw-local-model", pod);
        assertThat(pod.exposedPorts()).isEmpty();
    }
}
