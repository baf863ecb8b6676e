package io.k8s4claw.adapters.custom;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.k8s4claw.adapters.support.ConfigWriters;
import io.k8s4claw.adapters.support.ContainerSupport;
import io.k8s4claw.adapters.support.RuleSupport;
import io.k8s4claw.adapters.support.Specs;
import io.k8s4claw.adapters.support.Volumes;
import io.k8s4claw.api.runtime.BridgeTarget;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.ConfigFormat;
import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.PortExposure;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.runtime.RuntimePort;
import io.k8s4claw.api.runtime.ShutdownPolicy;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.CustomPort;
import io.k8s4claw.api.v1alpha1.CustomRuntimeSpec;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code runtime: custom}: the container comes from {@code spec.custom} (image, command, args, ports, probes).
 * {@code spec.config}, when set, is written as JSON to {@code spec.custom.configPath} (default
 * {@code /etc/claw/config.json}) and its path is given in {@code CLAW_CONFIG_PATH}. Data volumes are mounted at
 * their {@code mountPath}s (defaults {@code /data/session}, {@code /data/workspace}, {@code /data/output}).
 * Nothing is assumed about the image's user, so the adapter only forbids privilege escalation and applies the
 * runtime's default seccomp profile.
 */
public final class CustomRuntimeAdapter implements RuntimeAdapter {

    public static final String RUNTIME_ID = "custom";
    static final String DEFAULT_CONFIG_PATH = "/etc/claw/config.json";

    private static final RuntimeDescriptor DESCRIPTOR = new RuntimeDescriptor(
            RUNTIME_ID,
            "custom runtime",
            ImagePolicy.none(),
            List.of(),
            List.of(),
            ConfigFormat.JSON,
            MergeMode.PASSTHROUGH,
            new ShutdownPolicy(30, 0, "whatever the image does on SIGTERM"),
            "the container described in spec.custom, spec.config as JSON at spec.custom.configPath");

    @Override
    public RuntimeDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<FieldError> validateCreate(Claw claw) {
        List<FieldError> errors = new ArrayList<>();
        CustomRuntimeSpec custom = Specs.spec(claw).getCustom();
        // commonCreate rejects spec.custom for other runtimes; here it is required.
        List<FieldError> common = new ArrayList<>(RuleSupport.commonCreate(claw, DESCRIPTOR, Set.of()));
        errors.addAll(common);
        if (custom == null || custom.getImage() == null || custom.getImage().isBlank()) {
            errors.add(new FieldError(
                    "spec.custom.image",
                    "runtime custom needs the container image, e.g."
                            + " custom: {image: registry.example.com/agent:1.0, ports: [{name: http, "
                            + "containerPort: 8080}]}"));
            return errors;
        }
        Set<String> names = new HashSet<>();
        Set<Integer> numbers = new HashSet<>();
        List<CustomPort> ports = custom.getPorts() == null ? List.of() : custom.getPorts();
        for (int i = 0; i < ports.size(); i++) {
            CustomPort p = ports.get(i);
            String field = "spec.custom.ports[" + i + "]";
            if (p.getName() == null || !p.getName().matches("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?")) {
                errors.add(new FieldError(
                        field + ".name", "must be a lower-case IANA name of at most 15 characters (e.g. http)"));
            } else if (!names.add(p.getName())) {
                errors.add(new FieldError(field + ".name", "\"" + p.getName() + "\" is used by another port"));
            }
            if (p.getContainerPort() == null || p.getContainerPort() < 1 || p.getContainerPort() > 65535) {
                errors.add(new FieldError(field + ".containerPort", "must be between 1 and 65535"));
            } else if (!numbers.add(p.getContainerPort())) {
                errors.add(new FieldError(field + ".containerPort", p.getContainerPort() + " is used by another port"));
            }
        }
        String configPath = custom.getConfigPath();
        if (configPath != null && (!configPath.startsWith("/") || configPath.endsWith("/"))) {
            errors.add(new FieldError(
                    "spec.custom.configPath", "must be an absolute file path, e.g. /etc/agent/config.json"));
        }
        try {
            Specs.config(claw);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("spec.config", e.getMessage()));
        }
        return errors;
    }

    @Override
    public PodContribution render(RenderContext context) {
        RuleSupport.requireValid(this, context);
        Claw claw = context.claw();
        var names = context.names();
        CustomRuntimeSpec custom = Specs.spec(claw).getCustom();
        Volumes.DataLayout layout = new Volumes.DataLayout(context)
                .mount(
                        VolumeRole.SESSION,
                        Specs.mountPath(claw, VolumeRole.SESSION).orElse("/data/session"))
                .mount(
                        VolumeRole.WORKSPACE,
                        Specs.mountPath(claw, VolumeRole.WORKSPACE).orElse("/data/workspace"))
                .mount(
                        VolumeRole.OUTPUT,
                        Specs.mountPath(claw, VolumeRole.OUTPUT).orElse("/data/output"));

        Map<String, Object> config = Specs.config(claw);
        List<ConfigFile> files = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>(layout.volumeMounts());
        List<EnvVar> env = new ArrayList<>();
        if (!config.isEmpty()) {
            String path = custom.getConfigPath() != null ? custom.getConfigPath() : DEFAULT_CONFIG_PATH;
            files.add(new ConfigFile("config.json", path, ConfigWriters.json(config), ConfigFormat.JSON, false));
            volumes.add(Volumes.configMap(names.configVolumeName(), names.configMapName()));
            mounts.add(new VolumeMountBuilder()
                    .withName(names.configVolumeName())
                    .withMountPath(path)
                    .withSubPath("config.json")
                    .withReadOnly(true)
                    .build());
            env.add(ContainerSupport.env("CLAW_CONFIG_PATH", path));
        }
        env.addAll(ContainerSupport.credentialKeyEnv(claw));
        env.addAll(ContainerSupport.userEnv(claw));
        volumes.addAll(layout.standIns());

        ContainerBuilder container = new ContainerBuilder()
                .withName("runtime")
                .withImage(custom.getImage().trim())
                .withImagePullPolicy(ContainerSupport.pullPolicy(claw))
                .withEnv(env)
                .withEnvFrom(ContainerSupport.credentialsEnvFrom(claw, names))
                .withVolumeMounts(mounts)
                .withResources(Specs.spec(claw).getResources())
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .withTerminationMessagePolicy("FallbackToLogsOnError");
        if (custom.getCommand() != null && !custom.getCommand().isEmpty()) {
            container.withCommand(custom.getCommand());
        }
        if (custom.getArgs() != null && !custom.getArgs().isEmpty()) {
            container.withArgs(custom.getArgs());
        }
        if (custom.getLivenessProbe() != null) {
            container.withLivenessProbe(new ProbeBuilder(custom.getLivenessProbe()).build());
        }
        if (custom.getReadinessProbe() != null) {
            container.withReadinessProbe(new ProbeBuilder(custom.getReadinessProbe()).build());
        }
        if (custom.getStartupProbe() != null) {
            container.withStartupProbe(new ProbeBuilder(custom.getStartupProbe()).build());
        }
        List<RuntimePort> exposed = new ArrayList<>();
        for (CustomPort p : custom.getPorts() == null ? List.<CustomPort>of() : custom.getPorts()) {
            container
                    .addNewPort()
                    .withName(p.getName())
                    .withContainerPort(p.getContainerPort())
                    .withProtocol(p.getProtocol() != null ? p.getProtocol() : "TCP")
                    .endPort();
            exposed.add(new RuntimePort(p.getName(), p.getContainerPort(), "from spec.custom.ports", PortExposure.POD));
        }
        long grace = Specs.spec(claw).getTerminationGracePeriodSeconds() != null
                ? Specs.spec(claw).getTerminationGracePeriodSeconds()
                : DESCRIPTOR.shutdown().terminationGracePeriodSeconds();
        var pod = new PodSecurityContextBuilder()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile();
        Specs.fsGroup(claw).ifPresent(g -> pod.withFsGroup(g).withFsGroupChangePolicy("OnRootMismatch"));
        return new PodContribution(
                container.build(),
                List.of(),
                volumes,
                layout.dataMounts(),
                pod.build(),
                grace,
                files,
                List.of(),
                new BridgeTarget.None("a custom runtime speaks no protocol the bridge knows"),
                exposed);
    }
}
