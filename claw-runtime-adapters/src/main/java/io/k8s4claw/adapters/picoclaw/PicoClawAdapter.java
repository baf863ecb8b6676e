package io.k8s4claw.adapters.picoclaw;

import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.k8s4claw.adapters.support.ConfigWriters;
import io.k8s4claw.adapters.support.ContainerSupport;
import io.k8s4claw.adapters.support.FileConfiguredRuntime;
import io.k8s4claw.adapters.support.Probes;
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
 * PicoClaw ({@code runtime: picoclaw}): Go, alpine image (entrypoint {@code picoclaw}, command {@code gateway});
 * gateway on 127.0.0.1:18790 with {@code /health} and {@code /ready}; {@code ~/.picoclaw/config.json}.
 *
 * <p>The image keeps its data in {@code /root/.picoclaw} and runs as root; the adapter runs it as UID 1000 with
 * {@code HOME=/home/picoclaw} instead (the binary does not need root). Probes are exec {@code curl -fsS}
 * (the image ships curl) against loopback; their bodies are not documented, so the HTTP status is what is read.
 */
public final class PicoClawAdapter extends FileConfiguredRuntime {

    public static final String RUNTIME_ID = "picoclaw";
    static final int GATEWAY_PORT = 18790;

    private static final RuntimeDescriptor DESCRIPTOR = new RuntimeDescriptor(
            RUNTIME_ID,
            "PicoClaw",
            new ImagePolicy("docker.io/sipeed/picoclaw", "v0.3.1", "v\\d+\\.\\d+\\.\\d+"),
            List.of(new RuntimePort(
                    "gateway", GATEWAY_PORT, "gateway (/health, /ready, WebSocket /pico/ws)", PortExposure.LOOPBACK)),
            List.of(),
            ConfigFormat.JSON,
            MergeMode.DEEP_MERGE,
            new ShutdownPolicy(30, 10, "a single Go process that exits on SIGTERM"),
            "picoclaw gateway as UID 1000 with config.json from spec.config, exec curl probes on 127.0.0.1:18790 "
                    + "/health and /ready");

    @Override
    public RuntimeDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    protected String defaultHome() {
        return "/home/picoclaw";
    }

    @Override
    protected String stateDirName() {
        return ".picoclaw";
    }

    @Override
    protected String configPath(Paths paths) {
        return paths.home() + "/.picoclaw/config.json";
    }

    @Override
    protected String configKey() {
        return "config.json";
    }

    @Override
    protected Map<String, Object> defaults(Claw claw, Paths paths) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("agents", map("defaults", map("workspace", paths.workspace())));
        d.put("gateway", map("host", "127.0.0.1", "port", GATEWAY_PORT));
        return d;
    }

    /** {@code model} → {@code agents.defaults.model}. */
    @Override
    protected Map<String, Object> mapShorthands(Map<String, Object> user) {
        return modelUnderAgentDefaults(user);
    }

    @Override
    protected String write(Map<String, Object> config) {
        return ConfigWriters.json(config);
    }

    @Override
    protected List<String> args() {
        return List.of("gateway");
    }

    private static List<String> curl(String path) {
        return List.of("curl", "-fsS", "-o", "/dev/null", "--max-time", "3", "http://127.0.0.1:" + GATEWAY_PORT + path);
    }

    @Override
    protected Probe startupProbe() {
        return Probes.exec(curl("/health"), 5, 5, 24);
    }

    @Override
    protected Probe livenessProbe() {
        return Probes.exec(curl("/health"), 30, 5, 3);
    }

    @Override
    protected Probe readinessProbe() {
        return Probes.exec(curl("/ready"), 10, 5, 3);
    }

    @Override
    protected ResourceRequirements defaultResources() {
        return ContainerSupport.resources("100m", "64Mi", "256Mi");
    }

    @Override
    protected List<FieldError> runtimeRules(Claw claw, Map<String, Object> user) {
        List<FieldError> errors = new ArrayList<>();
        if (user.get("gateway") instanceof Map<?, ?> g && (g.containsKey("port") || g.containsKey("host"))) {
            errors.add(new FieldError(
                    "spec.config.gateway",
                    "gateway.host and gateway.port are set by the adapter (127.0.0.1:18790,"
                            + " where the probes look); remove them"));
        }
        return errors;
    }
}
