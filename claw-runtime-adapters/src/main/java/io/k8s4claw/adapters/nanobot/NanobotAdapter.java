package io.k8s4claw.adapters.nanobot;

import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.k8s4claw.adapters.support.ConfigWriters;
import io.k8s4claw.adapters.support.ContainerSupport;
import io.k8s4claw.adapters.support.FileConfiguredRuntime;
import io.k8s4claw.adapters.support.Probes;
import io.k8s4claw.adapters.support.Specs;
import io.k8s4claw.api.runtime.ConfigFormat;
import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.runtime.PortExposure;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.runtime.RuntimePort;
import io.k8s4claw.api.runtime.ShutdownPolicy;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ImageSpec;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Nanobot ({@code runtime: nanobot}, HKUDS): Python, image {@code ghcr.io/hkuds/nanobot} (entrypoint {@code nanobot});
 * run as {@code nanobot gateway} (its channels and agent loop, health on 18790); {@code ~/.nanobot/config.json}.
 *
 * <p>The project publishes {@code latest} only as far as this adapter knows, so no tag is pinned: a Claw must name
 * one ({@code spec.image.tag}) rather than silently float. Probes are exec {@code curl -fsS} on loopback (the image
 * is Debian with curl).
 */
public final class NanobotAdapter extends FileConfiguredRuntime {

    public static final String RUNTIME_ID = "nanobot";
    static final String REPOSITORY = "ghcr.io/hkuds/nanobot";
    static final int GATEWAY_PORT = 18790;

    private static final RuntimeDescriptor DESCRIPTOR = new RuntimeDescriptor(
            RUNTIME_ID,
            "Nanobot",
            new ImagePolicy("", "", "v?\\d+\\.\\d+\\.\\d+.*"),
            List.of(
                    new RuntimePort("gateway", GATEWAY_PORT, "gateway health", PortExposure.LOOPBACK),
                    new RuntimePort(
                            "api",
                            8900,
                            "nanobot serve: OpenAI-compatible API (not started by this adapter)",
                            PortExposure.LOOPBACK)),
            List.of(),
            ConfigFormat.JSON,
            MergeMode.DEEP_MERGE,
            new ShutdownPolicy(30, 10, "a Python process that exits on SIGTERM"),
            "nanobot gateway as UID 1000 with config.json from spec.config; image tag must be pinned by the Claw");

    @Override
    public RuntimeDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    protected String image(Claw claw) {
        ImageSpec image = Specs.spec(claw).getImage();
        String repository = image != null
                        && image.getRepository() != null
                        && !image.getRepository().isBlank()
                ? image.getRepository().trim()
                : REPOSITORY;
        return repository.contains("@")
                ? repository
                : repository + ":" + image.getTag().trim();
    }

    @Override
    protected String defaultHome() {
        return "/home/nanobot";
    }

    @Override
    protected String stateDirName() {
        return ".nanobot";
    }

    @Override
    protected String configPath(Paths paths) {
        return paths.home() + "/.nanobot/config.json";
    }

    @Override
    protected String configKey() {
        return "config.json";
    }

    @Override
    protected Map<String, Object> defaults(Claw claw, Paths paths) {
        return map("agents", map("defaults", map("workspace", paths.workspace())));
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

    private static List<String> curl() {
        return List.of(
                "curl", "-fsS", "-o", "/dev/null", "--max-time", "3", "http://127.0.0.1:" + GATEWAY_PORT + "/health");
    }

    @Override
    protected Probe startupProbe() {
        return Probes.exec(curl(), 5, 5, 36);
    }

    @Override
    protected Probe livenessProbe() {
        return Probes.exec(curl(), 30, 5, 3);
    }

    @Override
    protected Probe readinessProbe() {
        return Probes.exec(curl(), 10, 5, 3);
    }

    @Override
    protected ResourceRequirements defaultResources() {
        return ContainerSupport.resources("250m", "256Mi", "1Gi");
    }

    @Override
    protected List<FieldError> runtimeRules(Claw claw, Map<String, Object> user) {
        List<FieldError> errors = new ArrayList<>();
        ImageSpec image = Specs.spec(claw).getImage();
        boolean digest = image != null
                && image.getRepository() != null
                && image.getRepository().contains("@");
        if (!digest
                && (image == null || image.getTag() == null || image.getTag().isBlank())) {
            errors.add(new FieldError(
                    "spec.image.tag",
                    "nanobot has no tested release tag pinned by this adapter; pin the image"
                            + " you run, e.g. spec.image: {repository: " + REPOSITORY
                            + ", tag: <release>} (or a digest), never latest"));
        } else if (!digest && "latest".equals(image.getTag().trim())) {
            errors.add(new FieldError(
                    "spec.image.tag",
                    "\"latest\" floats: every restart may run another version against the"
                            + " same data; pin a release tag or a digest"));
        }
        return errors;
    }
}
