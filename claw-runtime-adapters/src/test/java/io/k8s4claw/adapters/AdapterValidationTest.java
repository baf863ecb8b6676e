package io.k8s4claw.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.BridgeProtocolSetting;
import io.k8s4claw.api.v1alpha1.BridgeSpec;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.IngressSpec;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.RuntimeType;
import io.k8s4claw.api.v1alpha1.SecuritySpec;
import io.k8s4claw.api.v1alpha1.Supervisor;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import io.k8s4claw.api.validation.ClawValidator;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Create and update rules of every adapter, run the way the operator runs them: the claw-api validator (schema
 * and CEL twins) plus the adapter. Each case starts from the runtime's example (valid) and breaks one thing.
 */
class AdapterValidationTest {

    private static final RuntimeAdapters ADAPTERS = RuntimeAdapters.load();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** runtime id → its example file. */
    static Stream<Arguments> runtimes() {
        return Stream.of(
                Arguments.of("hermesclaw", "hermes-assistant.yaml"),
                Arguments.of("openclaw", "openclaw-ankra-stack.yaml"),
                Arguments.of("zeroclaw", "zeroclaw-agent.yaml"),
                Arguments.of("picoclaw", "picoclaw-agent.yaml"),
                Arguments.of("ironclaw", "ironclaw-agent.yaml"),
                Arguments.of("nanobot", "nanobot-agent.yaml"),
                Arguments.of("custom", "custom-agent.yaml"));
    }

    static Claw example(String file) {
        return Examples.load(file).claw();
    }

    /** ClawValidator + adapter, concatenated without de-duplication (to prove nothing is reported twice). */
    static List<FieldError> create(Claw claw) {
        List<FieldError> errors =
                new ArrayList<>(ClawValidator.validateCreate(claw).errors());
        errors.addAll(ADAPTERS.require(claw.getSpec().getRuntime().wireValue()).validateCreate(claw));
        assertThat(ClawValidation.validateCreate(ADAPTERS, claw))
                .as("the facade")
                .containsExactlyElementsOf(errors);
        return errors;
    }

    static List<FieldError> update(Claw previous, Claw updated) {
        List<FieldError> errors =
                new ArrayList<>(ClawValidator.validateUpdate(previous, updated).errors());
        errors.addAll(
                ADAPTERS.require(previous.getSpec().getRuntime().wireValue()).validateUpdate(previous, updated));
        assertThat(ClawValidation.validateUpdate(ADAPTERS, previous, updated))
                .as("the facade")
                .containsExactlyElementsOf(errors);
        return errors;
    }

    static Claw changed(String file, Consumer<ClawSpec> change) {
        Claw claw = example(file);
        change.accept(claw.getSpec());
        return claw;
    }

    static VolumeSpec session(ClawSpec spec) {
        if (spec.getPersistence() == null) {
            spec.setPersistence(new PersistenceSpec());
        }
        if (spec.getPersistence().getSession() == null) {
            VolumeSpec v = new VolumeSpec();
            v.setSize("5Gi");
            spec.getPersistence().setSession(v);
        }
        return spec.getPersistence().getSession();
    }

    static List<String> paths(List<FieldError> errors) {
        return errors.stream().map(FieldError::path).toList();
    }

    // --- rules every runtime shares ---------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void theExampleIsValidAndAnUnchangedUpdateToo(String runtime, String file) {
        assertThat(create(example(file))).isEmpty();
        assertThat(update(example(file), example(file))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void changingTheRuntimeIsRejected(String runtime, String file) {
        Claw updated = changed(
                file, s -> s.setRuntime(runtime.equals("openclaw") ? RuntimeType.HERMESCLAW : RuntimeType.OPENCLAW));
        assertThat(update(example(file), updated)).extracting(FieldError::path).contains("spec.runtime");
        assertThat(update(example(file), updated))
                .filteredOn(e -> e.path().equals("spec.runtime"))
                .first()
                .extracting(FieldError::message)
                .asString()
                .contains("immutable");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void changingOrSettingAStorageClassIsRejected(String runtime, String file) {
        Claw before = changed(file, s -> session(s).setStorageClass("fast-ssd"));
        Claw after = changed(file, s -> session(s).setStorageClass("standard"));
        assertThat(update(before, after))
                .extracting(FieldError::path)
                .containsOnlyOnce("spec.persistence.session.storageClass");
        Claw unset = changed(file, s -> session(s).setStorageClass(null));
        List<FieldError> errors = update(unset, before);
        assertThat(errors).extracting(FieldError::path).containsOnlyOnce("spec.persistence.session.storageClass");
        assertThat(errors.get(paths(errors).indexOf("spec.persistence.session.storageClass"))
                        .message())
                .contains("<cluster default>")
                .contains("fast-ssd");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void shrinkingAVolumeIsRejectedAndGrowingIsFine(String runtime, String file) {
        Claw before = changed(file, s -> session(s).setSize("10Gi"));
        Claw smaller = changed(file, s -> session(s).setSize("9Gi"));
        Claw bigger = changed(file, s -> session(s).setSize("20Gi"));
        assertThat(update(before, smaller))
                .extracting(FieldError::path)
                .containsOnlyOnce("spec.persistence.session.size");
        assertThat(update(before, bigger)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void disablingAnExistingVolumeIsRejected(String runtime, String file) {
        Claw disabled = changed(file, s -> session(s).setEnabled(false));
        assertThat(update(example(file), disabled))
                .extracting(FieldError::path)
                .contains("spec.persistence.session.enabled");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void relativeOrSharedMountPathsAreRejected(String runtime, String file) {
        assertThat(create(changed(file, s -> session(s).setMountPath("data/session"))))
                .extracting(FieldError::path)
                .contains("spec.persistence.session.mountPath");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void fieldsOfOtherRuntimesAreRejected(String runtime, String file) {
        List<FieldError> errors = create(changed(file, s -> s.setSupervisor(Supervisor.S6)));
        if (runtime.equals("hermesclaw")) {
            assertThat(errors).isEmpty();
        } else {
            assertThat(errors).extracting(FieldError::path).contains("spec.supervisor");
        }
    }

    // --- missing credentials and runtime requirements -------------------------------------------------

    @Test
    void missingCredentialsAreNamedForTheRuntimesThatNeedThem() {
        for (String file : List.of("hermes-assistant.yaml", "openclaw-ankra-stack.yaml", "zeroclaw-agent.yaml")) {
            List<FieldError> errors = create(changed(file, s -> s.setCredentials(null)));
            assertThat(errors).as(file).extracting(FieldError::path).containsExactly("spec.credentials");
            assertThat(errors.get(0).message()).as(file).contains("Secret");
        }
        // OpenClaw with its own provider (a local model server) needs no key Secret
        assertThat(create(changed("openclaw-local-model.yaml", s -> s.setCredentials(null))))
                .isEmpty();
    }

    @Test
    void ironclawWithoutADatabaseSaysWhatToCreate() {
        List<FieldError> errors = create(changed("ironclaw-agent.yaml", s -> s.setDatabase(null)));
        assertThat(errors).extracting(FieldError::path).containsExactly("spec.database.secretRef");
        assertThat(errors.get(0).message())
                .contains("PostgreSQL")
                .contains("pgvector")
                .contains("spec.database.secretRef");
        assertThat(create(changed("ironclaw-agent.yaml", s -> s.setImage(null))))
                .extracting(FieldError::path)
                .containsExactly("spec.image.repository");
    }

    @Test
    void ironclawConfigIsFlatEnvironmentWithoutSecrets() throws Exception {
        Claw claw = changed("ironclaw-agent.yaml", s -> {
            try {
                s.setConfig(JSON.readTree("{\"LLM_BACKEND\":\"anthropic\",\"nested\":{\"a\":1},\"LLM_API_KEY\":\"sk\","
                        + "\"AGENT_NAME\":[1]}"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(paths(create(claw)))
                .containsExactlyInAnyOrder("spec.config.nested", "spec.config.LLM_API_KEY", "spec.config.AGENT_NAME");
    }

    @Test
    void nanobotNeedsAPinnedTag() {
        assertThat(create(changed("nanobot-agent.yaml", s -> s.getImage().setTag(null))))
                .extracting(FieldError::path)
                .containsExactly("spec.image.tag");
        assertThat(create(changed("nanobot-agent.yaml", s -> s.getImage().setTag("latest"))))
                .singleElement()
                .extracting(FieldError::message)
                .asString()
                .contains("floats");
    }

    @Test
    void nanoclawIsRejectedBecauseItNeedsAContainerEngine() {
        Claw claw = changed("zeroclaw-agent.yaml", s -> s.setRuntime(RuntimeType.NANOCLAW));
        RuntimeAdapter nanoclaw = ADAPTERS.require("nanoclaw");
        assertThat(nanoclaw.validateCreate(claw)).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("spec.runtime");
            assertThat(e.message()).contains("container engine").contains("pod");
        });
        assertThatThrownBy(() -> nanoclaw.render(RenderContext.of(claw, List.of())))
                .hasMessageContaining("container engine");
    }

    @Test
    void customNeedsAnImageAndSanePorts() {
        assertThat(create(changed("custom-agent.yaml", s -> s.getCustom().setImage(" "))))
                .extracting(FieldError::path)
                .contains("spec.custom.image");
        assertThat(create(changed(
                        "custom-agent.yaml",
                        s -> s.getCustom().getPorts().get(0).setContainerPort(70000))))
                .extracting(FieldError::path)
                .contains("spec.custom.ports[0].containerPort");
    }

    // --- bridge and channels --------------------------------------------------------------------------

    @Test
    void runtimesWithoutABridgeProtocolRejectChannels() {
        ChannelRef ref = new ChannelRef();
        ref.setName("slack-team");
        for (String file : List.of(
                "zeroclaw-agent.yaml",
                "picoclaw-agent.yaml",
                "nanobot-agent.yaml",
                "ironclaw-agent.yaml",
                "custom-agent.yaml")) {
            List<FieldError> errors = create(changed(file, s -> s.setChannels(List.of(ref))));
            assertThat(errors).as(file).extracting(FieldError::path).containsExactly("spec.channels");
            assertThat(errors.get(0).message()).contains("hermes-sse, hermes-relay, openclaw-gateway");
        }
    }

    @Test
    void theBridgeProtocolMustBeOneTheRuntimeSpeaks() {
        BridgeSpec gateway = new BridgeSpec();
        gateway.setProtocol(BridgeProtocolSetting.GATEWAY);
        assertThat(create(changed("hermes-assistant.yaml", s -> s.setBridge(gateway))))
                .extracting(FieldError::path)
                .containsExactly("spec.bridge.protocol");
        BridgeSpec relay = new BridgeSpec();
        relay.setProtocol(BridgeProtocolSetting.RELAY);
        assertThat(create(changed("hermes-assistant.yaml", s -> s.setBridge(relay))))
                .isEmpty();
        assertThat(create(changed("hermes-assistant.yaml", s -> {
                    s.setBridge(relay);
                    s.setChannels(null);
                })))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.path()).isEqualTo("spec.bridge.protocol");
                    assertThat(e.message()).contains("spec.channels");
                });
        assertThat(create(changed("openclaw-ankra-stack.yaml", s -> s.setBridge(relay))))
                .singleElement()
                .extracting(FieldError::message)
                .asString()
                .contains("[gateway]");
    }

    // --- Hermes ---------------------------------------------------------------------------------------

    @Test
    void hermesKeepsItsApiOffIngressAndItsPinnedKeysOutOfTheSpec() throws Exception {
        IngressSpec ingress = new IngressSpec();
        ingress.setEnabled(true);
        ingress.setHost("hermes.example.com");
        assertThat(create(changed("hermes-assistant.yaml", s -> s.setIngress(ingress))))
                .extracting(FieldError::path)
                .containsExactly("spec.ingress.enabled");

        Claw pinned = changed("hermes-assistant.yaml", s -> {
            try {
                s.setConfig(JSON.readTree("{\"model\":42,\"learningEnabled\":\"sk-live-pasted-secret\","
                        + "\"gateway\":{\"api_server\":{\"host\":\"0.0.0.0\","
                        + "\"max_concurrent_runs\":3}},"
                        + "\"security\":{\"redact_secrets\":false}}"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            s.setEnv(List.of(new EnvVar("API_SERVER_HOST", "0.0.0.0", null), new EnvVar("TZ", "UTC", null)));
        });
        assertThat(create(pinned))
                .as("values are never echoed: they could be secrets in the wrong field")
                .noneMatch(e -> e.message().contains("sk-live-pasted-secret"))
                .filteredOn(e -> e.path().equals("spec.config.learningEnabled"))
                .singleElement()
                .extracting(FieldError::message)
                .asString()
                .contains("true or false", "got a string");
        assertThat(paths(create(pinned)))
                .containsExactlyInAnyOrder(
                        "spec.config.model",
                        "spec.config.learningEnabled",
                        "spec.config.gateway.api_server.host",
                        "spec.config.security.redact_secrets",
                        "spec.env[0].name");
    }

    @Test
    void hermesRootlessCannotUseS6AndGraceMustCoverTheDrain() {
        SecuritySpec rootless = new SecuritySpec();
        rootless.setRootless(true);
        assertThat(create(changed("hermes-assistant.yaml", s -> {
                    s.setSecurity(rootless);
                    s.setSupervisor(Supervisor.S6);
                })))
                .extracting(FieldError::path)
                .containsExactly("spec.supervisor");
        List<FieldError> grace = create(changed("hermes-assistant.yaml", s -> s.setTerminationGracePeriodSeconds(30L)));
        assertThat(grace).extracting(FieldError::path).containsExactly("spec.terminationGracePeriodSeconds");
        assertThat(grace.get(0).message()).contains("90 s");
        assertThat(create(changed("hermes-assistant.yaml", s -> session(s).setMountPath("/etc/k8s4claw/hermes"))))
                .extracting(FieldError::path)
                .containsExactly("spec.persistence.session.mountPath");
    }

    // --- OpenClaw -------------------------------------------------------------------------------------

    @Test
    void openclawRejectsWhatItsStrictSchemaWouldStopOn() throws Exception {
        Claw claw = changed("openclaw-local-model.yaml", s -> {
            try {
                s.setConfig(JSON.readTree("{\"modle\":\"typo\",\"channels\":{\"telegram\":{}},"
                        + "\"agents\":{\"list\":[{\"id\":\"main\"}],\"entries\":{\"Main "
                        + "Agent\":{\"id\":\"x\"}}},\"gateway\":{\"bind\":\"lan\"}}"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<FieldError> errors = create(claw);
        assertThat(paths(errors))
                .containsExactlyInAnyOrder(
                        "spec.config.modle",
                        "spec.config.channels",
                        "spec.config.agents.list",
                        "spec.config.agents.entries.Main Agent",
                        "spec.config.agents.entries.Main Agent.id",
                        "spec.config.gateway.bind",
                        "spec.credentials"); // the replaced config no longer has its own provider
        assertThat(errors.get(paths(errors).indexOf("spec.config.modle")).message())
                .contains("strict")
                .contains("model");
    }
}
