package io.k8s4claw.adapters.hermes;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.k8s4claw.adapters.support.BridgeChoice;
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
import io.k8s4claw.api.runtime.RenderNames;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.runtime.RuntimePort;
import io.k8s4claw.api.runtime.SecretKeyReference;
import io.k8s4claw.api.runtime.ShutdownPolicy;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.BridgeProtocolSetting;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.api.v1alpha1.Supervisor;
import io.k8s4claw.api.validation.FieldError;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hermes Agent ({@code runtime: hermesclaw}) — see {@code claw-runtime-adapters/docs/runtime-adapters.md#hermesclaw}.
 *
 * <p>Renders: an init container (managed scope with the pinned API server settings and keys, config.yaml merged
 * by the Claw's merge mode, skills installed without clobbering the agent's own), the {@code hermes} container
 * running {@code gateway run --no-supervise} (or s6-supervised), API server on 127.0.0.1:8642 with a generated
 * key, exec probes reading {@code /health} and {@code /health/detailed} bodies, /dev/shm for the bundled
 * browser, root start with a minimal capability set or the rootless variant (UID 10000).
 */
public final class HermesClawAdapter implements RuntimeAdapter {

    public static final String RUNTIME_ID = "hermesclaw";
    static final String API_HOST = "127.0.0.1";
    static final int API_PORT = 8642;
    static final long HERMES_UID = 10000L;

    static final String DEFAULT_HOME = "/opt/data";
    static final String DEFAULT_OUTPUT = "/opt/output";
    static final String CONFIG_DIR = "/etc/k8s4claw/hermes";
    /** Not {@code /etc/hermes}: the image keeps its own files there (browser path, provenance). */
    static final String MANAGED_DIR = "/etc/k8s4claw/hermes-managed";

    static final String SKILLS_SRC = "/etc/k8s4claw/skills-src";

    static final String API_SECRET_SUFFIX = "hermes-api";
    static final String API_SECRET_KEY = "API_SERVER_KEY";
    static final String RELAY_SECRET_SUFFIX = "hermes-relay";
    static final String RELAY_SECRET_KEY = "GATEWAY_RELAY_SECRET";

    static final String MANAGED_VOLUME = "hermes-managed";
    static final String SHM_VOLUME = "dshm";
    static final String SKILLS_VOLUME = "skills-src";

    /** Tested tag (tags are {@code vYYYY.M.D}; never {@code latest}). */
    static final String PINNED_TAG = "v2026.8.19";

    static final long DEFAULT_GRACE = 120;
    static final long MINIMUM_GRACE = 90;
    /** s6 grace: services 30 s + kill 5 s, well below the pod's termination grace. */
    static final String S6_SERVICES_GRACETIME = "30000";

    static final String S6_KILL_GRACETIME = "5000";

    private static final List<String> CAPABILITIES =
            List.of("CHOWN", "SETUID", "SETGID", "DAC_OVERRIDE", "FOWNER", "KILL");

    private static final Set<String> RESERVED_ENV = Set.of(
            "HERMES_HOME",
            "HERMES_MANAGED_DIR",
            "API_SERVER_ENABLED",
            "API_SERVER_HOST",
            "API_SERVER_PORT",
            "API_SERVER_KEY",
            "GATEWAY_RELAY_URL",
            "GATEWAY_RELAY_ID",
            "GATEWAY_RELAY_SECRET",
            "GATEWAY_RELAY_PLATFORMS",
            "GATEWAY_RELAY_ALLOW_DIRECT_PLATFORMS",
            "HERMES_GATEWAY_NO_SUPERVISE",
            "HERMES_YOLO_MODE",
            "HERMES_ALLOW_ROOT_GATEWAY");

    private static final RuntimeDescriptor DESCRIPTOR = new RuntimeDescriptor(
            RUNTIME_ID,
            "Hermes Agent",
            new ImagePolicy("nousresearch/hermes-agent", PINNED_TAG, "v\\d{4}\\.\\d{1,2}\\.\\d{1,2}"),
            List.of(new RuntimePort(
                    "api", API_PORT, "OpenAI-compatible API server (runs + SSE, /health)", PortExposure.LOOPBACK)),
            List.of(BridgeProtocol.HERMES_SSE, BridgeProtocol.HERMES_RELAY),
            ConfigFormat.YAML,
            MergeMode.DEEP_MERGE,
            new ShutdownPolicy(
                    DEFAULT_GRACE,
                    MINIMUM_GRACE,
                    "on SIGTERM Hermes drains, marks in-flight sessions for resume,"
                            + " closes SQLite and writes .clean_shutdown; its watchdog hard-exits after drain + 60 s"),
            "hermes gateway run --no-supervise with the API server on 127.0.0.1:8642 (generated key), config.yaml "
                    + "merged"
                    + " on the data volume, pinned settings in the managed scope, exec probes on /health and "
                    + "/health/detailed");

    @Override
    public RuntimeDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<FieldError> validateCreate(Claw claw) {
        List<FieldError> errors = new ArrayList<>(
                RuleSupport.commonCreate(claw, DESCRIPTOR, Set.of(CONFIG_DIR, MANAGED_DIR, SKILLS_SRC, "/dev/shm")));
        var spec = Specs.spec(claw);
        if (!Specs.hasCredentials(claw)) {
            errors.add(new FieldError(
                    "spec.credentials",
                    "hermesclaw needs an LLM provider key (e.g. OPENROUTER_API_KEY,"
                            + " ANTHROPIC_API_KEY, OPENAI_API_KEY, NOUS_API_KEY) from a Secret: set "
                            + "spec.credentials.secretRef.name"));
        }
        if (Specs.ingressEnabled(claw)) {
            errors.add(new FieldError(
                    "spec.ingress.enabled",
                    "Hermes's API server stays on loopback: its key is equivalent to a"
                            + " shell in the pod, so hermesclaw cannot be exposed through an Ingress; reach "
                            + "it through ClawChannels"));
        }
        if (Specs.rootless(claw) && spec.effectiveSupervisor() == Supervisor.S6) {
            errors.add(new FieldError(
                    "spec.supervisor",
                    "s6 needs a root start (it remaps users and fixes volume ownership);"
                            + " with spec.security.rootless use supervisor kubernetes (gateway run --no-supervise)"));
        }
        if (spec.effectiveBridgeProtocol() == BridgeProtocolSetting.RELAY && !Specs.hasChannels(claw)) {
            errors.add(new FieldError(
                    "spec.bridge.protocol",
                    "relay needs the in-pod bridge, which runs only when the Claw has"
                            + " spec.channels; without channels Hermes would dial a relay that is not there "
                            + "and switch its own"
                            + " platforms off (relay-exclusive mode). Add spec.channels or leave the "
                            + "protocol at auto"));
        }
        Long grace = spec.getTerminationGracePeriodSeconds();
        if (grace != null && grace <= 35 && spec.effectiveSupervisor() == Supervisor.S6) {
            errors.add(new FieldError(
                    "spec.terminationGracePeriodSeconds", "must exceed the s6 grace (30 s services + 5 s kill)"));
        }
        Map<String, Object> user;
        try {
            user = Specs.config(claw);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("spec.config", e.getMessage()));
            return errors;
        }
        errors.addAll(HermesConfig.validate(user, MergeMode.of(spec.getConfigMergeMode())));
        errors.addAll(
                RuleSupport.reservedEnv(claw, RESERVED_ENV, "API server, managed scope and relay settings are pinned"));
        return errors;
    }

    @Override
    public PodContribution render(RenderContext context) {
        RuleSupport.requireValid(this, context);
        Render r = new Render(context);
        Paths paths = paths(r);
        Bridge bridge = bridge(r);
        List<SkillSpec> skills = skills(r);
        SecurityContext securityContext = r.rootless ? rootlessContext() : rootStartContext();
        long grace = r.spec.getTerminationGracePeriodSeconds() != null
                ? r.spec.getTerminationGracePeriodSeconds()
                : DEFAULT_GRACE;
        return new PodContribution(
                runtimeContainer(r, paths, bridge, securityContext),
                List.of(initContainer(r, paths, bridge, skills, securityContext)),
                volumes(r, paths, skills),
                paths.layout.dataMounts(),
                podSecurityContext(r.claw, r.rootless),
                grace,
                configFiles(r, bridge, skills),
                bridge.secrets,
                bridge.target,
                List.of());
    }

    /** What every part of the rendering reads: the Claw and the choices made from it once. */
    private static final class Render {
        final RenderContext context;
        final Claw claw;
        final ClawSpec spec;
        final RenderNames names;
        final MergeMode mode;
        final boolean rootless;
        final boolean s6;
        /** Option B: channels go through the bridge. */
        final boolean optionB;

        final boolean relay;

        Render(RenderContext context) {
            this.context = context;
            this.claw = context.claw();
            this.spec = Specs.spec(claw);
            this.names = context.names();
            this.mode = MergeMode.of(spec.getConfigMergeMode());
            this.rootless = Specs.rootless(claw);
            this.s6 = spec.effectiveSupervisor() == Supervisor.S6;
            this.optionB = Specs.hasChannels(claw);
            this.relay = BridgeChoice.resolve(claw, DESCRIPTOR).orElseThrow() == BridgeProtocol.HERMES_RELAY;
        }
    }

    /** Where Hermes's home, skills, workspace and output live, and the data volumes mounted there. */
    private record Paths(String home, String skillsDir, String outputPath, Volumes.DataLayout layout) {}

    private static Paths paths(Render r) {
        String home = Specs.mountPath(r.claw, VolumeRole.SESSION)
                .map(HermesClawAdapter::trimSlash)
                .orElse(DEFAULT_HOME);
        String skillsDir = home + "/skills";
        String workspacePath = Specs.mountPath(r.claw, VolumeRole.WORKSPACE)
                .map(HermesClawAdapter::trimSlash)
                .orElse(skillsDir);
        String outputPath = Specs.mountPath(r.claw, VolumeRole.OUTPUT)
                .map(HermesClawAdapter::trimSlash)
                .orElse(DEFAULT_OUTPUT);
        Volumes.DataLayout layout = new Volumes.DataLayout(r.context)
                .mount(VolumeRole.SESSION, home)
                .mount(VolumeRole.WORKSPACE, workspacePath);
        if (!workspacePath.equals(skillsDir)) {
            layout.mount(VolumeRole.WORKSPACE, skillsDir); // Hermes's skills directory lives on the workspace volume
        }
        layout.mount(VolumeRole.OUTPUT, outputPath);
        return new Paths(home, skillsDir, outputPath, layout);
    }

    /** The generated secrets and how the bridge reaches Hermes (SSE, or the relay Hermes dials). */
    private record Bridge(
            SecretKeyReference apiKey,
            SecretKeyReference relaySecret,
            List<GeneratedSecret> secrets,
            HermesConfig.RelaySettings relaySettings,
            BridgeTarget target) {}

    private static Bridge bridge(Render r) {
        SecretKeyReference apiKey =
                new SecretKeyReference(r.names.generatedSecretName(API_SECRET_SUFFIX), API_SECRET_KEY);
        SecretKeyReference relaySecret =
                new SecretKeyReference(r.names.generatedSecretName(RELAY_SECRET_SUFFIX), RELAY_SECRET_KEY);
        List<GeneratedSecret> secrets = new ArrayList<>();
        secrets.add(new GeneratedSecret(
                API_SECRET_SUFFIX,
                List.of(GeneratedSecret.Key.hex(API_SECRET_KEY, 32)),
                "Hermes API server key (equivalent to a shell in the pod); read by Hermes and the bridge"));
        URI apiUrl = URI.create("http://" + API_HOST + ":" + API_PORT);
        if (!r.relay) {
            return new Bridge(apiKey, relaySecret, secrets, null, new BridgeTarget.HermesSse(apiUrl, apiKey));
        }
        secrets.add(new GeneratedSecret(
                RELAY_SECRET_SUFFIX,
                List.of(GeneratedSecret.Key.hex(RELAY_SECRET_KEY, 32)),
                "HMAC secret Hermes signs its relay WebSocket upgrade with; shared with the bridge"));
        HermesConfig.RelaySettings relaySettings = new HermesConfig.RelaySettings(
                "http://127.0.0.1:" + r.context.relayPort(),
                "gw-" + r.context.clawName(),
                relayPlatforms(r.context.channels()));
        BridgeTarget target = new BridgeTarget.HermesRelay(
                apiUrl, apiKey, r.context.relayPort(), relaySecret, relaySettings.id(), relaySettings.platforms());
        return new Bridge(apiKey, relaySecret, secrets, relaySettings, target);
    }

    /** spec.skills, plus the skill that explains self-configuration when the Claw allows it. */
    private static List<SkillSpec> skills(Render r) {
        return SelfConfigSkill.withBuiltIn(r.claw, Specs.skills(r.claw), SelfConfigSkill.Tooling.PYTHON);
    }

    private static List<ConfigFile> configFiles(Render r, Bridge bridge, List<SkillSpec> skills) {
        Map<String, Object> user = Specs.config(r.claw);
        List<ConfigFile> files = new ArrayList<>();
        files.add(new ConfigFile(
                "config.yaml",
                CONFIG_DIR + "/config.yaml",
                ConfigWriters.yaml(HermesConfig.render(user, r.mode)),
                ConfigFormat.YAML,
                false));
        files.add(new ConfigFile(
                "managed-config.yaml",
                CONFIG_DIR + "/managed-config.yaml",
                ConfigWriters.yaml(HermesConfig.managedConfig(r.optionB, r.relay)),
                ConfigFormat.YAML,
                false));
        files.add(new ConfigFile(
                "managed.env",
                CONFIG_DIR + "/managed.env",
                HermesConfig.managedEnv(r.optionB, bridge.relaySettings),
                ConfigFormat.DOTENV,
                false));
        for (String script : List.of("init.sh", "merge_config.py", "probe.py")) {
            files.add(new ConfigFile(
                    script,
                    CONFIG_DIR + "/" + script,
                    Scripts.load(HermesClawAdapter.class, script),
                    ConfigFormat.TEXT,
                    false));
        }
        for (SkillSpec skill : skills) {
            if (skill.getInline() != null) {
                files.add(new ConfigFile(
                        inlineSkillKey(skill),
                        SKILLS_SRC + "/" + skill.getName() + "/SKILL.md",
                        skill.getInline(),
                        ConfigFormat.TEXT,
                        false));
            }
        }
        return files;
    }

    private static List<Volume> volumes(Render r, Paths paths, List<SkillSpec> skills) {
        List<Volume> volumes = new ArrayList<>();
        volumes.add(Volumes.configMap(r.names.configVolumeName(), r.names.configMapName()));
        volumes.add(Volumes.emptyDir(MANAGED_VOLUME, "Memory", "1Mi"));
        volumes.add(Volumes.emptyDir(SHM_VOLUME, "Memory", "1Gi"));
        if (!skills.isEmpty()) {
            volumes.add(Volumes.skills(SKILLS_VOLUME, skills, r.names.configMapName()));
        }
        volumes.addAll(paths.layout.standIns());
        return volumes;
    }

    private static Container runtimeContainer(Render r, Paths paths, Bridge bridge, SecurityContext securityContext) {
        List<EnvVar> env = new ArrayList<>();
        env.add(ContainerSupport.env("HERMES_HOME", paths.home));
        env.add(ContainerSupport.env("HERMES_MANAGED_DIR", MANAGED_DIR));
        env.add(ContainerSupport.env("API_SERVER_ENABLED", "true"));
        env.add(ContainerSupport.env("API_SERVER_HOST", API_HOST));
        env.add(ContainerSupport.env("API_SERVER_PORT", Integer.toString(API_PORT)));
        env.add(bridge.apiKey.toEnvVar("API_SERVER_KEY"));
        env.add(ContainerSupport.env("CLAW_OUTPUT_DIR", paths.outputPath));
        if (r.relay) {
            HermesConfig.RelaySettings relaySettings = bridge.relaySettings;
            env.add(ContainerSupport.env("GATEWAY_RELAY_URL", relaySettings.url()));
            env.add(ContainerSupport.env("GATEWAY_RELAY_ID", relaySettings.id()));
            env.add(bridge.relaySecret.toEnvVar("GATEWAY_RELAY_SECRET"));
            if (!relaySettings.platforms().isEmpty()) {
                env.add(ContainerSupport.env("GATEWAY_RELAY_PLATFORMS", String.join(",", relaySettings.platforms())));
            }
        }
        if (!r.rootless) {
            // /init (s6-overlay) is PID 1 on the root path: forward SIGTERM to the gateway and keep s6's own
            // shutdown well inside the pod's grace (its ~3 s default would cut Hermes's drain short).
            env.add(ContainerSupport.env("S6_CMD_RECEIVE_SIGNALS", "1"));
            env.add(ContainerSupport.env("S6_SERVICES_GRACETIME", S6_SERVICES_GRACETIME));
            env.add(ContainerSupport.env("S6_KILL_GRACETIME", S6_KILL_GRACETIME));
        }
        env.addAll(ContainerSupport.credentialKeyEnv(r.claw));
        if (r.optionB) {
            // Option B: the bridge carries every message; platform tokens never reach Hermes even if the
            // credentials Secret holds them (explicit env beats envFrom).
            for (String name : HermesConfig.PLATFORM_TOKEN_ENV) {
                env.add(ContainerSupport.env(name, ""));
            }
        }
        env.addAll(ContainerSupport.userEnv(r.claw));

        List<VolumeMount> mounts = new ArrayList<>(paths.layout.volumeMounts());
        mounts.add(Volumes.mount(r.names.configVolumeName(), CONFIG_DIR, true));
        mounts.add(Volumes.mount(MANAGED_VOLUME, MANAGED_DIR, true));
        mounts.add(Volumes.mount(SHM_VOLUME, "/dev/shm", false));

        List<String> probeLive = List.of("python3", "-I", CONFIG_DIR + "/probe.py", "live");
        List<String> probeReady = List.of("python3", "-I", CONFIG_DIR + "/probe.py", "ready");
        ContainerBuilder runtime = new ContainerBuilder()
                .withName("hermes")
                .withImage(ContainerSupport.image(r.claw, DESCRIPTOR.image()))
                .withImagePullPolicy(ContainerSupport.pullPolicy(r.claw))
                .withEnv(env)
                .withEnvFrom(ContainerSupport.credentialsEnvFrom(r.claw, r.names))
                .withVolumeMounts(mounts)
                // startup: up to 10 min (volume ownership scan, migrations, integrity check after an unclean stop)
                .withStartupProbe(Probes.exec(probeLive, 10, 5, 60))
                .withLivenessProbe(Probes.exec(probeLive, 30, 10, 3))
                .withReadinessProbe(Probes.exec(probeReady, 15, 10, 2))
                .withResources(ContainerSupport.resources(r.claw, ContainerSupport.resources("1", "1Gi", "4Gi")))
                .withSecurityContext(securityContext)
                .withTerminationMessagePolicy("FallbackToLogsOnError");
        if (r.rootless) {
            // Without s6's setup: main-wrapper.sh only activates the venv and execs hermes as UID 10000.
            runtime.withCommand("/opt/hermes/docker/main-wrapper.sh").withArgs("gateway", "run", "--no-supervise");
        } else if (r.s6) {
            runtime.withArgs("gateway", "run");
        } else {
            runtime.withArgs("gateway", "run", "--no-supervise");
        }
        return runtime.build();
    }

    private static Container initContainer(
            Render r, Paths paths, Bridge bridge, List<SkillSpec> skills, SecurityContext securityContext) {
        List<EnvVar> env = new ArrayList<>();
        env.add(ContainerSupport.env("HERMES_HOME", paths.home));
        env.add(ContainerSupport.env("HERMES_MANAGED_DIR", MANAGED_DIR));
        env.add(ContainerSupport.env("CLAW_CONFIG_DIR", CONFIG_DIR));
        env.add(ContainerSupport.env("CLAW_MERGE_MODE", r.mode.specValue()));
        env.add(ContainerSupport.env("CLAW_HERMES_UID", Long.toString(HERMES_UID)));
        env.add(ContainerSupport.env("CLAW_PYTHON", "/opt/hermes/.venv/bin/python"));
        if (!skills.isEmpty()) {
            env.add(ContainerSupport.env("CLAW_SKILLS_SRC", SKILLS_SRC));
            env.add(ContainerSupport.env("CLAW_SKILLS_DIR", paths.skillsDir));
        }
        env.add(bridge.apiKey.toEnvVar("API_SERVER_KEY"));
        if (r.relay) {
            env.add(bridge.relaySecret.toEnvVar("GATEWAY_RELAY_SECRET"));
        }
        List<VolumeMount> mounts = new ArrayList<>(paths.layout.volumeMounts());
        mounts.add(Volumes.mount(r.names.configVolumeName(), CONFIG_DIR, true));
        mounts.add(Volumes.mount(MANAGED_VOLUME, MANAGED_DIR, false));
        if (!skills.isEmpty()) {
            mounts.add(Volumes.mount(SKILLS_VOLUME, SKILLS_SRC, true));
        }
        return new ContainerBuilder()
                .withName("hermes-init")
                .withImage(ContainerSupport.image(r.claw, DESCRIPTOR.image()))
                .withImagePullPolicy(ContainerSupport.pullPolicy(r.claw))
                .withCommand("/bin/sh", CONFIG_DIR + "/init.sh")
                .withEnv(env)
                .withVolumeMounts(mounts)
                .withResources(ContainerSupport.resources("50m", "64Mi", "256Mi"))
                .withSecurityContext(securityContext)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .build();
    }

    /** Root start, as s6-overlay needs, with only the capabilities it uses; no privilege escalation. */
    private static SecurityContext rootStartContext() {
        Capabilities caps =
                new CapabilitiesBuilder().withDrop("ALL").withAdd(CAPABILITIES).build();
        return new SecurityContextBuilder()
                .withRunAsUser(0L)
                .withRunAsNonRoot(false)
                .withAllowPrivilegeEscalation(false)
                .withCapabilities(caps)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    /** Rootless: UID/GID 10000 (the image's hermes user), no capabilities. */
    private static SecurityContext rootlessContext() {
        return new SecurityContextBuilder()
                .withRunAsUser(HERMES_UID)
                .withRunAsGroup(HERMES_UID)
                .withRunAsNonRoot(true)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    private static PodSecurityContext podSecurityContext(Claw claw, boolean rootless) {
        PodSecurityContextBuilder b = new PodSecurityContextBuilder()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile();
        Long fsGroup = Specs.fsGroup(claw).orElse(rootless ? HERMES_UID : null);
        if (fsGroup != null) {
            b.withFsGroup(fsGroup).withFsGroupChangePolicy("OnRootMismatch");
        }
        if (rootless) {
            b.withRunAsNonRoot(true);
        }
        return b.build();
    }

    static String inlineSkillKey(SkillSpec skill) {
        return Volumes.inlineSkillKey(skill.getName());
    }

    /** The platforms Hermes announces on the relay: the Claw's channel types, in order, without duplicates. */
    private static List<String> relayPlatforms(List<ClawChannel> channels) {
        Set<String> platforms = new LinkedHashSet<>();
        for (ClawChannel channel : channels) {
            if (channel.getSpec() != null && channel.getSpec().getType() != null) {
                platforms.add(channel.getSpec().getType().wireValue());
            }
        }
        return List.copyOf(platforms);
    }

    private static String trimSlash(String path) {
        String p = path.replaceAll("/+$", "");
        return p.isEmpty() ? "/" : p;
    }
}
