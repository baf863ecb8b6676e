package io.k8s4claw.adapters.zeroclaw;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.k8s4claw.adapters.support.ContainerSupport;
import io.k8s4claw.adapters.support.FileConfiguredRuntime;
import io.k8s4claw.adapters.support.Probes;
import io.k8s4claw.adapters.support.Specs;
import io.k8s4claw.adapters.support.TomlWriter;
import io.k8s4claw.api.runtime.ConfigFormat;
import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.runtime.PortExposure;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.runtime.RuntimePort;
import io.k8s4claw.api.runtime.ShutdownPolicy;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ZeroClaw ({@code runtime: zeroclaw}): Rust, distroless image (UID 65534, entrypoint {@code zeroclaw}), run as
 * {@code zeroclaw daemon}; gateway on 42617 with {@code GET /health}; {@code ~/.zeroclaw/config.toml}.
 *
 * <p>The image is distroless (no shell, no curl), so the probes are kubelet {@code httpGet}s on {@code /health};
 * the gateway therefore binds {@code [::]} (as the image's own config does) and its API is protected by
 * ZeroClaw's pairing (bearer token from {@code POST /pair}). The provider key comes from the credentials Secret
 * as {@code API_KEY} (the image expects it at runtime).
 */
public final class ZeroClawAdapter extends FileConfiguredRuntime {

    public static final String RUNTIME_ID = "zeroclaw";
    static final int GATEWAY_PORT = 42617;
    static final long UID = 65534L;

    private static final RuntimeDescriptor DESCRIPTOR = new RuntimeDescriptor(
            RUNTIME_ID,
            "ZeroClaw",
            new ImagePolicy("ghcr.io/zeroclaw-labs/zeroclaw", "v0.8.1", "v\\d+\\.\\d+\\.\\d+"),
            List.of(new RuntimePort(
                    "gateway",
                    GATEWAY_PORT,
                    "gateway (WebSocket /ws/chat, webhook, /health; pairing auth)",
                    PortExposure.POD)),
            List.of(),
            ConfigFormat.TOML,
            MergeMode.DEEP_MERGE,
            new ShutdownPolicy(30, 10, "a single Rust process that exits on SIGTERM"),
            "zeroclaw daemon (distroless, UID 65534), config.toml from spec.config, httpGet probes on /health:42617");

    @Override
    public RuntimeDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    protected String defaultHome() {
        return "/zeroclaw-data";
    }

    @Override
    protected String stateDirName() {
        return ".zeroclaw";
    }

    /** The image's own layout: {@code /zeroclaw-data/workspace} next to {@code .zeroclaw/}. */
    @Override
    protected String defaultWorkspace(String home, String state) {
        return home + "/workspace";
    }

    @Override
    protected String configPath(Paths paths) {
        return paths.home() + "/.zeroclaw/config.toml";
    }

    @Override
    protected String configKey() {
        return "config.toml";
    }

    @Override
    protected Map<String, Object> defaults(Claw claw, Paths paths) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("workspace_dir", paths.workspace());
        d.put("config_path", configPath(paths));
        d.put("gateway", map("port", GATEWAY_PORT, "host", "[::]", "allow_public_bind", true));
        return d;
    }

    /**
     * {@code model} → {@code default_model}, {@code provider} → {@code default_provider}, {@code temperature} →
     * {@code default_temperature}.
     */
    @Override
    protected Map<String, Object> mapShorthands(Map<String, Object> user) {
        Map<String, Object> out = new LinkedHashMap<>();
        user.forEach((k, v) -> out.put(
                switch (k) {
                    case "model" -> "default_model";
                    case "provider" -> "default_provider";
                    case "temperature" -> "default_temperature";
                    default -> k;
                },
                v));
        return out;
    }

    @Override
    protected String write(Map<String, Object> config) {
        return TomlWriter.write(config);
    }

    @Override
    protected List<EnvVar> env(Claw claw, Paths paths) {
        return List.of(
                ContainerSupport.env("ZEROCLAW_WORKSPACE", paths.workspace()),
                ContainerSupport.env("ZEROCLAW_GATEWAY_PORT", Integer.toString(GATEWAY_PORT)));
    }

    @Override
    protected List<String> args() {
        return List.of("daemon");
    }

    @Override
    protected Probe startupProbe() {
        return Probes.httpGet("/health", GATEWAY_PORT, 5, 3, 24);
    }

    @Override
    protected Probe livenessProbe() {
        return Probes.httpGet("/health", GATEWAY_PORT, 30, 5, 3);
    }

    @Override
    protected Probe readinessProbe() {
        return Probes.httpGet("/health", GATEWAY_PORT, 10, 3, 3);
    }

    @Override
    protected ResourceRequirements defaultResources() {
        return ContainerSupport.resources("100m", "128Mi", "512Mi");
    }

    @Override
    protected List<RuntimePort> containerPorts(Claw claw) {
        return DESCRIPTOR.ports();
    }

    @Override
    protected long runAsUser() {
        return UID;
    }

    @Override
    protected List<FieldError> runtimeRules(Claw claw, Map<String, Object> user) {
        List<FieldError> errors = new ArrayList<>();
        if (user.containsKey("api_key")) {
            errors.add(new FieldError(
                    "spec.config.api_key",
                    "a provider key does not belong in the Claw (it is readable by anyone"
                            + " who can read the Claw); put API_KEY into the credentials Secret instead"));
        }
        if (!Specs.hasCredentials(claw)) {
            errors.add(new FieldError(
                    "spec.credentials",
                    "zeroclaw needs its provider key as API_KEY from a Secret:"
                            + " set spec.credentials.secretRef.name (a Secret with key API_KEY) or "
                            + "spec.credentials.keys"));
        }
        if (user.get("gateway") instanceof Map<?, ?> g && (g.containsKey("port") || g.containsKey("host"))) {
            errors.add(new FieldError(
                    "spec.config.gateway",
                    "gateway.port and gateway.host are set by the adapter (42617 on [::],"
                            + " where the kubelet probes /health); remove them"));
        }
        return errors;
    }
}
