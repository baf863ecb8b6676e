package io.k8s4claw.adapters.support;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.k8s4claw.api.runtime.BridgeTarget;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.PortExposure;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimePort;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shared shape of the runtimes that read one configuration file and need no bridge (ZeroClaw, PicoClaw, Nanobot):
 * data volumes under a writable home, the rendered file mounted read-only (subPath) where the runtime looks for
 * it, a non-root container with no capabilities, and {@code spec.config} merged over the adapter's defaults.
 */
public abstract class FileConfiguredRuntime implements RuntimeAdapter {

    /** Where the runtime's pieces live, resolved for one Claw. */
    protected record Paths(String home, String state, String workspace, String output) {}

    protected static final long DEFAULT_UID = 1000L;
    protected static final String HOME_VOLUME = "home";
    protected static final String TMP_VOLUME = "tmp";

    /** Default home (mounted as an emptyDir so the runtime can write dot-files there). */
    protected abstract String defaultHome();

    /** The runtime's state directory below {@code home} when the session volume has no mount path. */
    protected abstract String stateDirName();

    /** Where the workspace lives when the workspace volume has no mount path (default: inside the state dir). */
    protected String defaultWorkspace(String home, String state) {
        return state + "/workspace";
    }

    /** Absolute path of the config file, given the resolved paths. */
    protected abstract String configPath(Paths paths);

    /** The config file's data key. */
    protected abstract String configKey();

    /** Adapter defaults for a Claw (base of the merge). */
    protected abstract Map<String, Object> defaults(Claw claw, Paths paths);

    /** Documented shorthands mapped to the runtime's own keys (called unless Passthrough). */
    protected abstract Map<String, Object> mapShorthands(Map<String, Object> user);

    /**
     * The shorthand PicoClaw and Nanobot share: a top-level {@code model} is their {@code agents.defaults.model}.
     * Everything else passes through; an explicit {@code agents.defaults.model} in the rest wins.
     */
    protected static Map<String, Object> modelUnderAgentDefaults(Map<String, Object> user) {
        Map<String, Object> rest = new LinkedHashMap<>(user);
        Object model = rest.remove("model");
        Map<String, Object> mapped = new LinkedHashMap<>();
        if (model != null) {
            mapped.put("agents", new LinkedHashMap<>(Map.of("defaults", new LinkedHashMap<>(Map.of("model", model)))));
        }
        return MergeMode.DEEP_MERGE.merge(mapped, rest);
    }

    /** Writes the merged tree in the runtime's format. */
    protected abstract String write(Map<String, Object> config);

    /** Runtime-specific env (credentials and spec.env are added by the base). */
    /** Environment of the runtime's own (beyond the credentials and the user's env); none unless overridden. */
    protected List<EnvVar> env(Claw claw, Paths paths) {
        return List.of();
    }

    /** The container's command; empty (the image's entry point) unless overridden. */
    protected List<String> command() {
        return List.of();
    }

    protected abstract List<String> args();

    protected abstract Probe startupProbe();

    protected abstract Probe livenessProbe();

    protected abstract Probe readinessProbe();

    protected abstract ResourceRequirements defaultResources();

    /** Runtime-specific create rules (besides the common ones). */
    protected List<FieldError> runtimeRules(Claw claw, Map<String, Object> user) {
        return List.of();
    }

    /** Ports of the container (containerPort entries) and those the operator may expose. */
    protected List<RuntimePort> containerPorts(Claw claw) {
        return List.of();
    }

    protected long runAsUser() {
        return DEFAULT_UID;
    }

    /** The image to run (the pinned default unless the Claw overrides it). */
    protected String image(Claw claw) {
        return ContainerSupport.image(claw, descriptor().image());
    }

    @Override
    public List<FieldError> validateCreate(Claw claw) {
        List<FieldError> errors = new ArrayList<>(RuleSupport.commonCreate(claw, descriptor(), Set.of("/tmp")));
        Map<String, Object> user;
        try {
            user = Specs.config(claw);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("spec.config", e.getMessage()));
            return errors;
        }
        if (!Specs.skills(claw).isEmpty()) {
            errors.add(new FieldError(
                    "spec.skills",
                    descriptor().displayName() + " has no SKILL.md directory this adapter installs into;"
                            + " remove spec.skills (skills are supported for hermesclaw and openclaw)"));
        }
        if (Specs.rootless(claw)) {
            // fine: the container runs non-root anyway
        }
        errors.addAll(runtimeRules(claw, user));
        return errors;
    }

    protected Paths paths(Claw claw) {
        String home = defaultHome();
        String state = Specs.mountPath(claw, VolumeRole.SESSION)
                .map(FileConfiguredRuntime::trimSlash)
                .orElse(home + "/" + stateDirName());
        String workspace = Specs.mountPath(claw, VolumeRole.WORKSPACE)
                .map(FileConfiguredRuntime::trimSlash)
                .orElse(defaultWorkspace(home, state));
        String output = Specs.mountPath(claw, VolumeRole.OUTPUT)
                .map(FileConfiguredRuntime::trimSlash)
                .orElse(home + "/output");
        return new Paths(home, state, workspace, output);
    }

    /** The configuration a valid Claw renders to. */
    public Map<String, Object> renderConfig(Claw claw) {
        MergeMode mode = MergeMode.of(Specs.spec(claw).getConfigMergeMode());
        Map<String, Object> user = Specs.config(claw);
        return mode.merge(defaults(claw, paths(claw)), mode.mapsKeys() ? mapShorthands(user) : user);
    }

    @Override
    public PodContribution render(RenderContext context) {
        RuleSupport.requireValid(this, context);
        Claw claw = context.claw();
        var names = context.names();
        Paths paths = paths(claw);
        Volumes.DataLayout layout = new Volumes.DataLayout(context)
                .mount(VolumeRole.SESSION, paths.state())
                .mount(VolumeRole.WORKSPACE, paths.workspace())
                .mount(VolumeRole.OUTPUT, paths.output());
        String configPath = configPath(paths);
        ConfigFile file = new ConfigFile(
                configKey(), configPath, write(renderConfig(claw)), descriptor().configFormat(), false);

        List<EnvVar> env = new ArrayList<>();
        env.add(ContainerSupport.env("HOME", paths.home()));
        env.addAll(env(claw, paths));
        env.addAll(ContainerSupport.credentialKeyEnv(claw));
        env.addAll(ContainerSupport.userEnv(claw));

        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(Volumes.mount(HOME_VOLUME, paths.home(), false));
        mounts.addAll(layout.volumeMounts());
        mounts.add(new VolumeMountBuilder()
                .withName(names.configVolumeName())
                .withMountPath(configPath)
                .withSubPath(configKey())
                .withReadOnly(true)
                .build());
        mounts.add(Volumes.mount(TMP_VOLUME, "/tmp", false));

        ContainerBuilder container = new ContainerBuilder()
                .withName(runtimeId())
                .withImage(image(claw))
                .withImagePullPolicy(ContainerSupport.pullPolicy(claw))
                .withEnv(env)
                .withEnvFrom(ContainerSupport.credentialsEnvFrom(claw, names))
                .withVolumeMounts(mounts)
                .withStartupProbe(startupProbe())
                .withLivenessProbe(livenessProbe())
                .withReadinessProbe(readinessProbe())
                .withResources(ContainerSupport.resources(claw, defaultResources()))
                .withSecurityContext(securityContext())
                .withTerminationMessagePolicy("FallbackToLogsOnError");
        if (!command().isEmpty()) {
            container.withCommand(command());
        }
        if (!args().isEmpty()) {
            container.withArgs(args());
        }
        List<RuntimePort> exposed = new ArrayList<>();
        for (RuntimePort p : containerPorts(claw)) {
            container
                    .addNewPort()
                    .withName(p.name())
                    .withContainerPort(p.port())
                    .withProtocol("TCP")
                    .endPort();
            if (p.exposure() == PortExposure.POD) {
                exposed.add(p);
            }
        }
        Container built = container.build();

        List<Volume> volumes = new ArrayList<>();
        volumes.add(Volumes.configMap(names.configVolumeName(), names.configMapName()));
        volumes.add(Volumes.emptyDir(HOME_VOLUME, null, null));
        volumes.add(Volumes.emptyDir(TMP_VOLUME, null, null));
        volumes.addAll(layout.standIns());

        long uid = runAsUser();
        PodSecurityContext pod = new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withFsGroup(Specs.fsGroup(claw).orElse(uid))
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
        long grace = Specs.spec(claw).getTerminationGracePeriodSeconds() != null
                ? Specs.spec(claw).getTerminationGracePeriodSeconds()
                : descriptor().shutdown().terminationGracePeriodSeconds();
        return new PodContribution(
                built,
                List.of(),
                volumes,
                layout.dataMounts(),
                pod,
                grace,
                List.of(file),
                List.of(),
                new BridgeTarget.None(descriptor().displayName() + " speaks no protocol the bridge implements;"
                        + " configure its own channels in spec.config"),
                exposed);
    }

    protected SecurityContext securityContext() {
        long uid = runAsUser();
        return new SecurityContextBuilder()
                .withRunAsUser(uid)
                .withRunAsGroup(uid)
                .withRunAsNonRoot(true)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    protected static String trimSlash(String path) {
        String p = path.replaceAll("/+$", "");
        return p.isEmpty() ? "/" : p;
    }

    protected static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
