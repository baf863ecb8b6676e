package io.k8s4claw.adapters.openclaw;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.k8s4claw.adapters.support.ConfigWriters;
import io.k8s4claw.adapters.support.ContainerSupport;
import io.k8s4claw.adapters.support.Probes;
import io.k8s4claw.adapters.support.RuleSupport;
import io.k8s4claw.adapters.support.Scripts;
import io.k8s4claw.adapters.support.SelfConfigSkill;
import io.k8s4claw.adapters.support.Specs;
import io.k8s4claw.adapters.support.Volumes;
import io.k8s4claw.api.runtime.BridgeProtocol;
import io.k8s4claw.api.runtime.BridgeTarget;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.ConfigFormat;
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
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.api.validation.FieldError;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenClaw ({@code runtime: openclaw}) — see {@code claw-runtime-adapters/docs/runtime-adapters.md#openclaw}.
 *
 * <p>Renders the gateway container ({@code node /app/dist/index.js gateway run}, port 18789, local mode, token
 * auth from a generated Secret through {@code OPENCLAW_GATEWAY_TOKEN}), a strict {@code openclaw.json} mounted
 * read-only, state on the session volume, exec probes checking the JSON bodies of {@code /healthz},
 * {@code /startupz} and {@code /readyz}, and a non-root, read-only-root-filesystem pod.
 */
public final class OpenClawAdapter implements RuntimeAdapter {

    public static final String RUNTIME_ID = "openclaw";
    static final int GATEWAY_PORT = 18789;
    static final String PINNED_TAG = "2026.9.6";
    static final long NODE_UID = 1000L;

    static final String HOME = "/home/node";
    static final String DEFAULT_STATE = HOME + "/.openclaw";
    static final String DEFAULT_OUTPUT = HOME + "/output";
    static final String CONFIG_DIR = "/etc/k8s4claw/openclaw";
    static final String SKILLS_DIR = "/etc/k8s4claw/openclaw-skills";
    static final String TOKEN_SECRET_SUFFIX = "openclaw-gateway";
    static final String TOKEN_KEY = "OPENCLAW_GATEWAY_TOKEN";
    static final String TMP_VOLUME = "tmp";
    static final String SKILLS_VOLUME = "skills";

    private static final Set<String> RESERVED_ENV = Set.of(
            "OPENCLAW_GATEWAY_TOKEN",
            "OPENCLAW_CONFIG_PATH",
            "OPENCLAW_STATE_DIR",
            "OPENCLAW_CONFIG_READONLY",
            "OPENCLAW_GATEWAY_PORT",
            "OPENCLAW_GATEWAY_PASSWORD");

    private static final RuntimeDescriptor DESCRIPTOR = new RuntimeDescriptor(
            RUNTIME_ID,
            "OpenClaw",
            new ImagePolicy("ghcr.io/openclaw/openclaw", PINNED_TAG, "\\d{4}\\.\\d{1,2}\\.\\d{1,2}"),
            List.of(new RuntimePort(
                    "gateway",
                    GATEWAY_PORT,
                    "gateway WebSocket protocol v4 + HTTP probes (loopback unless the" + " Claw enables an Ingress)",
                    PortExposure.LOOPBACK)),
            List.of(BridgeProtocol.OPENCLAW_GATEWAY),
            ConfigFormat.JSON,
            MergeMode.DEEP_MERGE,
            new ShutdownPolicy(
                    120,
                    30,
                    "on SIGTERM the gateway stops admission, drains active turns (its own budget is 330 s, so a "
                            + "turn longer than the pod's grace is cut), broadcasts shutdown and closes sockets "
                            + "with 1012"),
            "node gateway run on 18789 (loopback, or lan + token auth behind an Ingress), strict openclaw.json from"
                    + " spec.config, token from a generated Secret, exec probes on /healthz, /startupz, /readyz "
                    + "bodies");

    @Override
    public RuntimeDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<FieldError> validateCreate(Claw claw) {
        List<FieldError> errors =
                new ArrayList<>(RuleSupport.commonCreate(claw, DESCRIPTOR, Set.of(CONFIG_DIR, SKILLS_DIR, "/tmp")));
        Map<String, Object> user;
        try {
            user = Specs.config(claw);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("spec.config", e.getMessage()));
            return errors;
        }
        MergeMode mode = MergeMode.of(Specs.spec(claw).getConfigMergeMode());
        errors.addAll(OpenClawConfig.validate(user, mode, Specs.hasChannels(claw)));
        boolean ownProviders = user.containsKey("providers")
                || (user.get("models") instanceof Map<?, ?> m && m.containsKey("providers"));
        if (!Specs.hasCredentials(claw) && !ownProviders) {
            errors.add(new FieldError(
                    "spec.credentials",
                    "openclaw needs a model provider key (ANTHROPIC_API_KEY, OPENAI_API_KEY,"
                            + " GEMINI_API_KEY, OPENROUTER_API_KEY, ...) from a Secret: set "
                            + "spec.credentials.secretRef.name or"
                            + " spec.credentials.keys, or configure your own provider under spec.config.providers"));
        }
        errors.addAll(RuleSupport.reservedEnv(
                claw, RESERVED_ENV, "the gateway's token, config and state locations are pinned"));
        return errors;
    }

    /** The {@code openclaw.json} a valid Claw renders to (also used by the real-gateway integration test). */
    static Map<String, Object> renderConfig(Claw claw, String workspace) {
        MergeMode mode = MergeMode.of(Specs.spec(claw).getConfigMergeMode());
        Map<String, Object> user = Specs.config(claw);
        boolean exposed = Specs.ingressEnabled(claw);
        Map<String, Object> config = mode.mapsKeys()
                ? mode.merge(OpenClawConfig.defaults(workspace, exposed), OpenClawConfig.mapShorthands(user))
                // Passthrough: the user's native config, with the gateway settings that keep it reachable and safe
                : MergeMode.DEEP_MERGE.merge(
                        user,
                        Map.of(
                                "gateway",
                                OpenClawConfig.defaults(workspace, exposed).get("gateway")));
        List<SkillSpec> skills = SelfConfigSkill.withBuiltIn(claw, Specs.skills(claw), SelfConfigSkill.Tooling.NODE);
        if (!skills.isEmpty()) {
            Map<String, Object> entries = new LinkedHashMap<>();
            for (SkillSpec s : skills) {
                entries.put(s.getName(), OpenClawConfig.map("enabled", true));
            }
            config = MergeMode.DEEP_MERGE.merge(
                    config,
                    OpenClawConfig.map(
                            "skills",
                            OpenClawConfig.map(
                                    "load", OpenClawConfig.map("extraDirs", List.of(SKILLS_DIR)), "entries", entries)));
        }
        return config;
    }

    @Override
    public PodContribution render(RenderContext context) {
        RuleSupport.requireValid(this, context);
        Claw claw = context.claw();
        var names = context.names();
        boolean exposed = Specs.ingressEnabled(claw);
        boolean optionB = Specs.hasChannels(claw);

        String state = Specs.mountPath(claw, VolumeRole.SESSION)
                .map(OpenClawAdapter::trimSlash)
                .orElse(DEFAULT_STATE);
        String workspace = Specs.mountPath(claw, VolumeRole.WORKSPACE)
                .map(OpenClawAdapter::trimSlash)
                .orElse(state + "/workspace");
        String output = Specs.mountPath(claw, VolumeRole.OUTPUT)
                .map(OpenClawAdapter::trimSlash)
                .orElse(DEFAULT_OUTPUT);
        Volumes.DataLayout layout = new Volumes.DataLayout(context)
                .mount(VolumeRole.SESSION, state)
                .mount(VolumeRole.WORKSPACE, workspace)
                .mount(VolumeRole.OUTPUT, output);

        Map<String, Object> config = renderConfig(claw, workspace);
        boolean builtInChannels = config.containsKey("channels");
        List<ConfigFile> files = List.of(
                new ConfigFile(
                        "openclaw.json",
                        CONFIG_DIR + "/openclaw.json",
                        ConfigWriters.json(config),
                        ConfigFormat.JSON,
                        false),
                new ConfigFile(
                        "probe.mjs",
                        CONFIG_DIR + "/probe.mjs",
                        Scripts.load(OpenClawAdapter.class, "probe.mjs"),
                        ConfigFormat.TEXT,
                        false));
        List<ConfigFile> allFiles = new ArrayList<>(files);
        List<SkillSpec> skills = SelfConfigSkill.withBuiltIn(claw, Specs.skills(claw), SelfConfigSkill.Tooling.NODE);
        for (SkillSpec s : skills) {
            if (s.getInline() != null) {
                allFiles.add(new ConfigFile(
                        Volumes.inlineSkillKey(s.getName()),
                        SKILLS_DIR + "/" + s.getName() + "/SKILL.md",
                        s.getInline(),
                        ConfigFormat.TEXT,
                        false));
            }
        }

        SecretKeyReference token = new SecretKeyReference(names.generatedSecretName(TOKEN_SECRET_SUFFIX), TOKEN_KEY);
        ResourceRequirements resources =
                ContainerSupport.resources(claw, ContainerSupport.resources("500m", "1Gi", "2Gi"));

        List<EnvVar> env = new ArrayList<>();
        env.add(ContainerSupport.env("HOME", HOME));
        env.add(ContainerSupport.env("NODE_ENV", "production"));
        env.add(ContainerSupport.env("OPENCLAW_STATE_DIR", state));
        env.add(ContainerSupport.env("OPENCLAW_CONFIG_PATH", CONFIG_DIR + "/openclaw.json"));
        env.add(ContainerSupport.env("OPENCLAW_CONFIG_READONLY", "1"));
        env.add(token.toEnvVar(TOKEN_KEY));
        env.add(ContainerSupport.env("OPENCLAW_DISABLE_BONJOUR", "1"));
        env.add(ContainerSupport.env("OPENCLAW_NO_RESPAWN", "1"));
        env.add(ContainerSupport.env("OPENCLAW_NO_AUTO_UPDATE", "1"));
        if (!builtInChannels) {
            env.add(ContainerSupport.env("OPENCLAW_SKIP_CHANNELS", "1"));
        }
        // V8 sizes its heap from host RAM, not the cgroup limit: pin it to ~75 % of the memory limit.
        ContainerSupport.memoryLimitMiB(resources)
                .ifPresent(
                        mib -> env.add(ContainerSupport.env("NODE_OPTIONS", "--max-old-space-size=" + (mib * 3 / 4))));
        env.addAll(ContainerSupport.credentialKeyEnv(claw));
        env.addAll(ContainerSupport.userEnv(claw));

        List<VolumeMount> mounts = new ArrayList<>(layout.volumeMounts());
        mounts.add(Volumes.mount(names.configVolumeName(), CONFIG_DIR, true));
        mounts.add(Volumes.mount(TMP_VOLUME, "/tmp", false));
        if (!skills.isEmpty()) {
            mounts.add(Volumes.mount(SKILLS_VOLUME, SKILLS_DIR, true));
        }

        ContainerBuilder container = new ContainerBuilder()
                .withName("openclaw")
                .withImage(ContainerSupport.image(claw, DESCRIPTOR.image()))
                .withImagePullPolicy(ContainerSupport.pullPolicy(claw))
                .withCommand("node", "/app/dist/index.js", "gateway", "run")
                .withEnv(env)
                .withEnvFrom(ContainerSupport.credentialsEnvFrom(claw, names))
                .withVolumeMounts(mounts)
                .withStartupProbe(Probes.exec(probe("startup"), 5, 5, 60))
                .withLivenessProbe(Probes.exec(probe("live"), 30, 10, 3))
                .withReadinessProbe(Probes.exec(probe("ready"), 10, 5, 3))
                .withResources(resources)
                .withSecurityContext(new SecurityContextBuilder()
                        .withRunAsUser(NODE_UID)
                        .withRunAsGroup(NODE_UID)
                        .withRunAsNonRoot(true)
                        .withAllowPrivilegeEscalation(false)
                        .withReadOnlyRootFilesystem(true)
                        .withNewCapabilities()
                        .withDrop("ALL")
                        .endCapabilities()
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .build())
                .withTerminationMessagePolicy("FallbackToLogsOnError");
        List<RuntimePort> exposedPorts = List.of();
        if (exposed) {
            container
                    .addNewPort()
                    .withName("gateway")
                    .withContainerPort(GATEWAY_PORT)
                    .withProtocol("TCP")
                    .endPort();
            exposedPorts = List.of(new RuntimePort("gateway", GATEWAY_PORT, "gateway (token auth)", PortExposure.POD));
        }

        List<Volume> volumes = new ArrayList<>();
        volumes.add(Volumes.configMap(names.configVolumeName(), names.configMapName()));
        volumes.add(Volumes.emptyDir(TMP_VOLUME, null, null));
        if (!skills.isEmpty()) {
            volumes.add(Volumes.skills(SKILLS_VOLUME, skills, names.configMapName()));
        }
        volumes.addAll(layout.standIns());

        PodSecurityContext pod = new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withFsGroup(Specs.fsGroup(claw).orElse(NODE_UID))
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
        long grace = Specs.spec(claw).getTerminationGracePeriodSeconds() != null
                ? Specs.spec(claw).getTerminationGracePeriodSeconds()
                : DESCRIPTOR.shutdown().terminationGracePeriodSeconds();
        GeneratedSecret secret = new GeneratedSecret(
                TOKEN_SECRET_SUFFIX,
                List.of(GeneratedSecret.Key.hex(TOKEN_KEY, 32)),
                "OpenClaw gateway token (operator access to the gateway); read by the gateway and the bridge");
        BridgeTarget target = new BridgeTarget.OpenClawGateway(URI.create("ws://127.0.0.1:" + GATEWAY_PORT), token);
        Container built = container.build();
        return new PodContribution(
                built,
                List.of(),
                volumes,
                layout.dataMounts(),
                pod,
                grace,
                allFiles,
                List.of(secret),
                target,
                exposedPorts);
    }

    private static List<String> probe(String mode) {
        return List.of("node", CONFIG_DIR + "/probe.mjs", mode);
    }

    private static String trimSlash(String path) {
        String p = path.replaceAll("/+$", "");
        return p.isEmpty() ? "/" : p;
    }
}
