package io.k8s4claw.operator.update;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.validation.FieldError;
import org.junit.jupiter.api.Test;

class AutoUpdateRulesTest {

    static final ImagePolicy ZEROCLAW =
            new ImagePolicy("ghcr.io/zeroclaw-labs/zeroclaw", "v0.8.1", "v\\d+\\.\\d+\\.\\d+");

    static Claw claw(String spec) {
        return Serialization.unmarshal(
                "apiVersion: claw.prismer.ai/v1alpha1\nkind: Claw\nmetadata:\n  name: a\nspec:\n" + spec.indent(2),
                Claw.class);
    }

    @Test
    void anEnabledAutoUpdateOnThePinnedReleaseIsFine() {
        assertThat(AutoUpdateRules.check(
                        claw("runtime: zeroclaw\nautoUpdate:\n  enabled: true\n  versionConstraint: "
                                + "\"^0.8.0\"\n  schedule: \"@daily\""),
                        ZEROCLAW))
                .isEmpty();
    }

    @Test
    void aMovingTagIsNoPlaceToStartFrom() {
        assertThat(AutoUpdateRules.check(
                        claw("runtime: zeroclaw\nimage:\n  tag: latest\nautoUpdate:\n  enabled: true"), ZEROCLAW))
                .extracting(FieldError::path)
                .containsExactly("spec.image.tag");
        // disabled: the tag is the user's business
        assertThat(AutoUpdateRules.check(
                        claw("runtime: zeroclaw\nimage:\n  tag: latest\nautoUpdate:\n  enabled: false"), ZEROCLAW))
                .isEmpty();
    }

    @Test
    void whatTheCrdPatternsLetThroughButTheOperatorCannotRead() {
        assertThat(AutoUpdateRules.check(
                        claw("runtime: zeroclaw\nautoUpdate:\n  enabled: true\n  schedule: \"0 3 L * *\"\n  "
                                + "versionConstraint: \"^2.0 ||\""),
                        ZEROCLAW))
                .extracting(FieldError::path)
                .containsExactlyInAnyOrder("spec.autoUpdate.schedule", "spec.autoUpdate.versionConstraint");
        assertThat(AutoUpdateRules.check(
                        claw("runtime: custom\ncustom:\n  image: example/a:1.0.0\nautoUpdate:\n  enabled: true"),
                        ImagePolicy.none()))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("not supported for runtime custom yet"));
        assertThat(AutoUpdateRules.check(
                        claw("runtime: zeroclaw\nimage:\n  repository: ghcr.io/x/y@sha256:0123\nautoUpdate:\n  "
                                + "enabled: true"),
                        ZEROCLAW))
                .extracting(FieldError::path)
                .containsExactly("spec.image.repository");
    }

    @Test
    void theVersionColumnShowsTheRunningTagWithAutoUpdateOff() {
        assertThat(AutoUpdates.runningVersion(
                        claw("runtime: custom\ncustom:\n  image: registry.example.com:5000/team/agent:1.4.2"), "", ""))
                .isEqualTo("1.4.2");
        assertThat(AutoUpdates.runningVersion(
                        claw("runtime: custom\ncustom:\n  image: registry.example.com:5000/team/agent"), "", ""))
                .isNull();
        assertThat(AutoUpdates.runningVersion(claw("runtime: zeroclaw"), "ghcr.io/x/y@sha256:ab12", "v0.8.1"))
                .isEqualTo("sha256:ab12");
        assertThat(AutoUpdates.runningVersion(claw("runtime: zeroclaw"), "ghcr.io/zeroclaw-labs/zeroclaw", "v0.8.1"))
                .isEqualTo("v0.8.1");
    }
}
