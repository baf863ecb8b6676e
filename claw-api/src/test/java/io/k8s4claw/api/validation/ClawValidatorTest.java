package io.k8s4claw.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.ChannelType;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawChannelSpec;
import io.k8s4claw.api.v1alpha1.ClawRules;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.ConfigMergeMode;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.LocalObjectRef;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.RuntimeType;
import io.k8s4claw.api.v1alpha1.Supervisor;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The typed entry points the operator uses, and the helpers behind the messages. */
class ClawValidatorTest {

    private static Claw hermes(String sessionSize) {
        ClawSpec spec = new ClawSpec();
        spec.setRuntime(RuntimeType.HERMESCLAW);
        VolumeSpec session = new VolumeSpec();
        session.setSize(sessionSize);
        PersistenceSpec persistence = new PersistenceSpec();
        persistence.setSession(session);
        spec.setPersistence(persistence);
        return Claw.of("hermes", spec);
    }

    @Test
    void aTypedClawBuiltInCodeValidates() {
        assertThat(ClawValidator.validateCreate(hermes("5Gi")).isValid()).isTrue();
    }

    @Test
    void typedCreateReportsEveryProblemWithItsPath() {
        Claw claw = hermes("5 Gb");
        ChannelRef a = new ChannelRef();
        a.setName("slack");
        ChannelRef b = new ChannelRef();
        b.setName("slack");
        claw.getSpec().setChannels(List.of(a, b));
        ValidationResult result = ClawValidator.validateCreate(claw);
        assertThat(result.errors())
                .containsExactly(
                        new FieldError(
                                "spec.persistence.session.size", "\"5 Gb\" is not a Kubernetes quantity (try 5Gi)"),
                        new FieldError("spec.channels", ClawRules.CHANNEL_NAMES_UNIQUE + " (repeated: slack)"));
    }

    @Test
    void typedUpdateAddsTransitionRules() {
        Claw old = hermes("10Gi");
        Claw shrunk = hermes("5Gi");
        shrunk.getSpec().setRuntime(RuntimeType.OPENCLAW);
        assertThat(ClawValidator.validateUpdate(old, shrunk).errors())
                .extracting(FieldError::path)
                .containsExactly("spec.runtime", "spec.persistence.session.size");
        assertThat(ClawValidator.validateUpdate(old, hermes("20Gi")).isValid()).isTrue();
        // create never complains about shrinking: there is nothing to compare with
        assertThat(ClawValidator.validateCreate(shrunk).isValid()).isTrue();
    }

    @Test
    void aClawWithoutSpecOrNameIsReported() {
        Claw claw = new Claw();
        assertThat(ClawValidator.validateCreate(claw).errors())
                .extracting(FieldError::path)
                .containsExactly("metadata.name", "spec");
    }

    @Test
    void envelopeErrorsNameTheExpectedValues() {
        var doc = Manifests.readYamlDocuments("""
                apiVersion: claw.prismer.ai/v1
                kind: Claws
                metadata: {name: x}
                spec: {runtime: hermesclaw}
                extra: true
                """).get(0);
        assertThat(ClawValidator.validateManifest(doc).errors())
                .containsExactly(
                        new FieldError("apiVersion", "must be claw.prismer.ai/v1alpha1 (got \"claw.prismer.ai/v1\")"),
                        new FieldError("kind", "must be Claw (got \"Claws\")"),
                        new FieldError(
                                "extra",
                                "unknown field \"extra\" (a Claw has apiVersion, kind, metadata, spec and status)"));
    }

    @Test
    void channelTypedValidation() {
        ClawChannelSpec spec = new ClawChannelSpec();
        spec.setType(ChannelType.SLACK);
        CredentialSpec credentials = new CredentialSpec();
        LocalObjectRef ref = new LocalObjectRef();
        ref.setName("tokens");
        credentials.setSecretRef(ref);
        spec.setCredentials(credentials);
        assertThat(ClawChannelValidator.validateCreate(ClawChannel.of("slack", spec))
                        .isValid())
                .isTrue();
        spec.setType(ChannelType.CUSTOM);
        assertThat(ClawChannelValidator.validateCreate(ClawChannel.of("slack", spec))
                        .errors())
                .containsExactly(new FieldError("spec", ClawRules.CUSTOM_CHANNEL_SIDECAR));
    }

    @Test
    void renderingListsEveryProblemOnItsOwnLine() {
        ValidationResult result = ValidationResult.of(List.of(
                new FieldError("spec.persistence.session.size", "\"5 Gb\" is not a Kubernetes quantity (try 5Gi)"),
                new FieldError("spec.channels[0].mode", "\"both\" is not one of inbound, outbound, bidirectional")));
        assertThat(result.render("Claw hermes-assistant")).isEqualTo("""
                Claw hermes-assistant is invalid (2 problems):
                  - spec.persistence.session.size: "5 Gb" is not a Kubernetes quantity (try 5Gi)
                  - spec.channels[0].mode: "both" is not one of inbound, outbound, bidirectional""");
        assertThatThrownBy(() -> result.throwIfInvalid("Claw hermes-assistant"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("\n  - spec.channels[0].mode")
                .satisfies(e -> assertThat(((ValidationException) e).result()).isEqualTo(result));
        assertThat(ValidationResult.valid().render("Claw x")).isEqualTo("Claw x is valid");
    }

    @Test
    void quantities() {
        assertThat(Quantities.toBytes("5Gi")).isEqualByComparingTo(BigDecimal.valueOf(5L << 30));
        assertThat(Quantities.toBytes("1.5k")).isEqualByComparingTo("1500");
        assertThat(Quantities.compare("1Gi", "1G")).isPositive();
        assertThat(Quantities.compare("1024Mi", "1Gi")).isZero();
        assertThat(Quantities.suggest("5 Gb")).contains("5Gi");
        assertThat(Quantities.suggest("10GB")).contains("10Gi");
        assertThat(Quantities.suggest("512mb")).contains("512Mi");
        assertThat(Quantities.suggest("5Gi")).isEmpty();
        assertThat(Quantities.suggest("lots")).isEmpty();
        assertThatThrownBy(() -> Quantities.toBytes("5 Gb"))
                .hasMessageContaining("\"5 Gb\" is not a Kubernetes quantity");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("2.5m")).isEqualTo(Duration.ofSeconds(150));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> Durations.parse("10 minutes")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void suggestions() {
        assertThat(Suggestions.closest("mountpath", List.of("enabled", "size", "mountPath")))
                .contains("mountPath");
        assertThat(Suggestions.closest("hermes", List.of("openclaw", "hermesclaw")))
                .contains("hermesclaw");
        assertThat(Suggestions.closest("zzz", List.of("openclaw", "hermesclaw")))
                .isEmpty();
    }

    @Test
    void effectiveDefaultsOfAdditiveFields() {
        ClawSpec spec = new ClawSpec();
        assertThat(spec.effectiveConfigMergeMode()).isEqualTo(ConfigMergeMode.DEEP_MERGE);
        assertThat(spec.effectiveSupervisor()).isEqualTo(Supervisor.KUBERNETES);
        spec.setConfigMergeMode(ConfigMergeMode.PASSTHROUGH);
        assertThat(spec.effectiveConfigMergeMode()).isEqualTo(ConfigMergeMode.PASSTHROUGH);
        // the helpers are not serialized as fields
        assertThat(Manifests.toTree(spec).fieldNames()).toIterable().containsExactly("configMergeMode");
    }
}
