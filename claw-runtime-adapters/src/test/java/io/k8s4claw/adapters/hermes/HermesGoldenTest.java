package io.k8s4claw.adapters.hermes;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.adapters.Examples;
import io.k8s4claw.adapters.Golden;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.v1alpha1.Claw;
import org.junit.jupiter.api.Test;

class HermesGoldenTest {

    private final HermesClawAdapter adapter = new HermesClawAdapter();

    private PodContribution render(String... files) {
        Examples.Loaded loaded = Examples.load(files);
        Claw claw = loaded.claw();
        assertThat(adapter.validateCreate(claw)).isEmpty();
        return adapter.render(RenderContext.of(claw, Examples.channelsOf(claw, loaded.channels())));
    }

    @Test
    void requestSampleWithSlackChannel() {
        Golden.assertContribution("hermesclaw/hermes-assistant", render("hermes-assistant.yaml", "slack-team-channel.yaml"));
    }
}
