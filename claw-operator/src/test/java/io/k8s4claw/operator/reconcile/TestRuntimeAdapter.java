package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.k8s4claw.api.runtime.BridgeProtocol;
import io.k8s4claw.api.runtime.BridgeTarget;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.ConfigFormat;
import io.k8s4claw.api.runtime.DataMount;
import io.k8s4claw.api.runtime.GeneratedSecret;
import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.PortExposure;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.runtime.RuntimePort;
import io.k8s4claw.api.runtime.SecretKeyReference;
import io.k8s4claw.api.runtime.ShutdownPolicy;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.validation.FieldError;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A small runtime adapter (registered as {@code hermesclaw}) for the reconciler tests, so they exercise the
 * operator's wiring — config file, generated secret, bridge target, data mounts — without depending on the
 * details of the real Hermes adapter. Its config file is {@code spec.config} as text, so a spec change is a
 * config change; {@code spec.config.model} is required (an adapter rule for the invalid-spec tests).
 */
public final class TestRuntimeAdapter implements RuntimeAdapter {

    static final String API_KEY_SUFFIX = "api-server-key";

    @Override
    public RuntimeDescriptor descriptor() {
        return new RuntimeDescriptor(
                "hermesclaw",
                "Test agent",
                new ImagePolicy("example/agent", "v1.0.0", "v\\d+\\.\\d+\\.\\d+"),
                List.of(new RuntimePort("api", 8642, "API", PortExposure.LOOPBACK)),
                List.of(BridgeProtocol.HERMES_SSE),
                ConfigFormat.YAML,
                MergeMode.DEEP_MERGE,
                new ShutdownPolicy(90, 30, "drains"),
                "test adapter");
    }

    @Override
    public List<FieldError> validateCreate(Claw claw) {
        List<FieldError> errors = new ArrayList<>();
        if (claw.getSpec().getConfig() == null || !claw.getSpec().getConfig().hasNonNull("model")) {
            errors.add(new FieldError("spec.config.model", "required: the model the agent uses"));
        }
        return errors;
    }

    @Override
    public List<FieldError> validateUpdate(Claw previous, Claw updated) {
        return validateCreate(updated);
    }

    @Override
    public PodContribution render(RenderContext context) {
        String key = context.names().generatedSecretName(API_KEY_SUFFIX);
        String config =
                "model: " + context.claw().getSpec().getConfig().get("model").asText() + "\n";
        // Restricted-compliant, as the real adapters' containers are: the real-apiserver tests run in namespaces
        // that enforce the restricted Pod Security Standard.
        var container = new ContainerBuilder()
                .withName("agent")
                .withImage("example/agent:v1.0.0")
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withRunAsNonRoot(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .addNewEnv()
                .withName("API_SERVER_KEY")
                .withNewValueFrom()
                .withNewSecretKeyRef("API_SERVER_KEY", key, false)
                .endValueFrom()
                .endEnv()
                .addNewVolumeMount()
                .withName("session")
                .withMountPath("/data")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("runtime-config")
                .withMountPath("/etc/agent/config.yaml")
                .withSubPath("config.yaml")
                .endVolumeMount()
                .build();
        if (context.claw().getSpec().getCredentials() != null
                && context.claw().getSpec().getCredentials().getSecretRef() != null) {
            container = new ContainerBuilder(container)
                    .addNewEnvFrom()
                    .withNewSecretRef()
                    .withName(context.claw()
                            .getSpec()
                            .getCredentials()
                            .getSecretRef()
                            .getName())
                    .endSecretRef()
                    .endEnvFrom()
                    .build();
        }
        return new PodContribution(
                container,
                List.of(),
                List.of(new VolumeBuilder()
                        .withName("runtime-config")
                        .withNewConfigMap()
                        .withName(context.names().configMapName())
                        .endConfigMap()
                        .build()),
                List.of(new DataMount(VolumeRole.SESSION, "session", "/data", "", true)),
                new PodSecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withFsGroup(10000L)
                        .build(),
                90,
                List.of(new ConfigFile("config.yaml", "/etc/agent/config.yaml", config, ConfigFormat.YAML, false)),
                List.of(new GeneratedSecret(
                        API_KEY_SUFFIX, List.of(GeneratedSecret.Key.hex("API_SERVER_KEY", 32)), "agent API key")),
                new BridgeTarget.HermesSse(
                        URI.create("http://127.0.0.1:8642"), new SecretKeyReference(key, "API_SERVER_KEY")),
                List.of());
    }
}
