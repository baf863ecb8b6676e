package io.k8s4claw.adapters.ironclaw;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.k8s4claw.adapters.support.ContainerSupport;
import io.k8s4claw.adapters.support.Probes;
import io.k8s4claw.adapters.support.RuleSupport;
import io.k8s4claw.adapters.support.Specs;
import io.k8s4claw.adapters.support.Volumes;
import io.k8s4claw.api.runtime.BridgeTarget;
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
import io.k8s4claw.api.v1alpha1.DatabaseSpec;
import io.k8s4claw.api.v1alpha1.ImageSpec;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * IronClaw ({@code runtime: ironclaw}, nearai): Rust + WASM, configured through environment variables, state in
 * PostgreSQL with pgvector ({@code DATABASE_URL}). Web UI/gateway on 3000 ({@code /api/health}), HTTP webhook
 * channel on 8080.
 *
 * <p>There is no published image (it is built from the project's Dockerfile, Debian slim, UID 1000), so the Claw
 * names it in {@code spec.image}. {@code DATABASE_URL} comes from {@code spec.database.secretRef}; without it
 * IronClaw cannot start, so validation says so. {@code spec.config} is a flat map of IronClaw's environment
 * variables ({@code LLM_BACKEND}, {@code LLM_MODEL}, {@code AGENT_NAME}, ...); secrets belong in the credentials
 * Secret, not in it.
 */
public final class IronClawAdapter implements RuntimeAdapter {

    public static final String RUNTIME_ID = "ironclaw";
    static final int WEB_PORT = 3000;
    static final int WEBHOOK_PORT = 8080;
    static final long UID = 1000L;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern SECRET_LIKE = Pattern.compile(".*(KEY|TOKEN|SECRET|PASSWORD).*");
    private static final Set<String> RESERVED_ENV =
            Set.of("DATABASE_URL", "HOME", "GATEWAY_PORT", "HTTP_PORT", "HTTP_HOST");

    private static final RuntimeDescriptor DESCRIPTOR = new RuntimeDescriptor(
            RUNTIME_ID,
            "IronClaw",
            ImagePolicy.none(),
            List.of(
                    new RuntimePort(
                            "web", WEB_PORT, "web UI / gateway (SSE, WebSocket, /api/health)", PortExposure.POD),
                    new RuntimePort(
                            "webhook",
                            WEBHOOK_PORT,
                            "HTTP webhook channel (X-IronClaw-Signature HMAC)",
                            PortExposure.POD)),
            List.of(),
            ConfigFormat.NONE,
            MergeMode.DEEP_MERGE,
            new ShutdownPolicy(30, 10, "exits on SIGTERM; state is in PostgreSQL"),
            "ironclaw (image from spec.image) with DATABASE_URL from spec.database.secretRef, spec.config as "
                    + "environment,"
                    + " httpGet probes on /api/health:3000");

    @Override
    public RuntimeDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<FieldError> validateCreate(Claw claw) {
        List<FieldError> errors = new ArrayList<>();
        // commonCreate reports spec.database for every runtime but ironclaw, so it is safe to call here.
        errors.addAll(RuleSupport.commonCreate(claw, DESCRIPTOR, Set.of("/tmp")));
        DatabaseSpec db = Specs.spec(claw).getDatabase();
        if (db == null
                || db.getSecretRef() == null
                || blank(db.getSecretRef().getName())
                || blank(db.getSecretRef().getKey())) {
            errors.add(new FieldError(
                    "spec.database.secretRef",
                    "ironclaw keeps its state in PostgreSQL with the pgvector extension"
                            + " and cannot start without it: create a Secret holding the connection URL"
                            + " (postgres://user:password@host:5432/ironclaw) and set "
                            + "spec.database.secretRef {name, key}"));
        }
        ImageSpec image = Specs.spec(claw).getImage();
        if (image == null || blank(image.getRepository())) {
            errors.add(new FieldError(
                    "spec.image.repository",
                    "ironclaw publishes no container image: build it from nearai/ironclaw's"
                            + " Dockerfile, push it, and set spec.image.repository (and tag)"));
        }
        Map<String, Object> config;
        try {
            config = Specs.config(claw);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("spec.config", e.getMessage()));
            return errors;
        }
        for (Map.Entry<String, Object> e : config.entrySet()) {
            String field = "spec.config." + e.getKey();
            Object v = e.getValue();
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                errors.add(new FieldError(
                        field,
                        "ironclaw is configured through environment variables: keys must look like"
                                + " LLM_BACKEND or AGENT_NAME ([A-Z][A-Z0-9_]*)"));
            } else if (RESERVED_ENV.contains(e.getKey())) {
                errors.add(new FieldError(field, "is set by the adapter; remove it"));
            } else if (SECRET_LIKE.matcher(e.getKey()).matches()) {
                errors.add(new FieldError(
                        field,
                        "looks like a secret; put it into the credentials Secret (spec.credentials), not the Claw"));
            } else if (v instanceof Map || v instanceof List) {
                errors.add(new FieldError(
                        field, "must be a string, number or boolean (it becomes an environment variable)"));
            }
        }
        errors.addAll(RuleSupport.reservedEnv(claw, RESERVED_ENV, "database, ports and home are pinned"));
        return errors;
    }

    @Override
    public PodContribution render(RenderContext context) {
        RuleSupport.requireValid(this, context);
        Claw claw = context.claw();
        var names = context.names();
        String home = "/home/ironclaw";
        String state = Specs.mountPath(claw, VolumeRole.SESSION).orElse(home + "/.ironclaw");
        String workspace = Specs.mountPath(claw, VolumeRole.WORKSPACE).orElse(home + "/workspace");
        String output = Specs.mountPath(claw, VolumeRole.OUTPUT).orElse(home + "/output");
        Volumes.DataLayout layout = new Volumes.DataLayout(context)
                .mount(VolumeRole.SESSION, state)
                .mount(VolumeRole.WORKSPACE, workspace)
                .mount(VolumeRole.OUTPUT, output);

        DatabaseSpec db = Specs.spec(claw).getDatabase();
        List<EnvVar> env = new ArrayList<>();
        env.add(ContainerSupport.env("HOME", home));
        env.add(new EnvVarBuilder()
                .withName("DATABASE_URL")
                .withNewValueFrom()
                .withNewSecretKeyRef(
                        db.getSecretRef().getKey(), db.getSecretRef().getName(), false)
                .endValueFrom()
                .build());
        env.add(ContainerSupport.env("GATEWAY_PORT", Integer.toString(WEB_PORT)));
        env.add(ContainerSupport.env("HTTP_HOST", "0.0.0.0"));
        env.add(ContainerSupport.env("HTTP_PORT", Integer.toString(WEBHOOK_PORT)));
        Specs.config(claw).forEach((k, v) -> env.add(ContainerSupport.env(k, String.valueOf(v))));
        env.addAll(ContainerSupport.credentialKeyEnv(claw));
        env.addAll(ContainerSupport.userEnv(claw));

        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(Volumes.mount("home", home, false));
        mounts.addAll(layout.volumeMounts());
        mounts.add(Volumes.mount("tmp", "/tmp", false));

        ContainerBuilder container = new ContainerBuilder()
                .withName(RUNTIME_ID)
                .withImage(ContainerSupport.image(claw, DESCRIPTOR.image()))
                .withImagePullPolicy(ContainerSupport.pullPolicy(claw))
                .withEnv(env)
                .withEnvFrom(ContainerSupport.credentialsEnvFrom(claw, names))
                .withVolumeMounts(mounts)
                .addNewPort()
                .withName("web")
                .withContainerPort(WEB_PORT)
                .withProtocol("TCP")
                .endPort()
                .addNewPort()
                .withName("webhook")
                .withContainerPort(WEBHOOK_PORT)
                .withProtocol("TCP")
                .endPort()
                .withStartupProbe(Probes.httpGet("/api/health", WEB_PORT, 5, 3, 36))
                .withLivenessProbe(Probes.httpGet("/api/health", WEB_PORT, 30, 5, 3))
                .withReadinessProbe(Probes.httpGet("/api/health", WEB_PORT, 10, 3, 3))
                .withResources(ContainerSupport.resources(claw, ContainerSupport.resources("250m", "512Mi", "2Gi")))
                .withSecurityContext(new SecurityContextBuilder()
                        .withRunAsUser(UID)
                        .withRunAsGroup(UID)
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
        List<Volume> volumes = new ArrayList<>();
        volumes.add(Volumes.emptyDir("home", null, null));
        volumes.add(Volumes.emptyDir("tmp", null, null));
        volumes.addAll(layout.standIns());
        long grace = Specs.spec(claw).getTerminationGracePeriodSeconds() != null
                ? Specs.spec(claw).getTerminationGracePeriodSeconds()
                : DESCRIPTOR.shutdown().terminationGracePeriodSeconds();
        return new PodContribution(
                container.build(),
                List.of(),
                volumes,
                layout.dataMounts(),
                new PodSecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withFsGroup(Specs.fsGroup(claw).orElse(UID))
                        .withFsGroupChangePolicy("OnRootMismatch")
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .build(),
                grace,
                List.of(),
                List.of(),
                new BridgeTarget.None("IronClaw's webhook channel (HMAC) has no bridge connector yet"),
                List.of(DESCRIPTOR.ports().get(0), DESCRIPTOR.ports().get(1)));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
