package io.k8s4claw.operator.selfconfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSelfConfig;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigSpec;
import io.k8s4claw.api.v1alpha1.SelfConfigEnvVar;
import io.k8s4claw.api.v1alpha1.SelfConfigPhase;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.realcluster.RealCluster;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import io.k8s4claw.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SelfConfigReconciler} against the real kube-apiserver (claw-testkit's control plane, with the CRDs from
 * {@code deploy/crds}): each step is a direct {@code process} call, the Claw and the requests are real objects, the
 * owner's writes are {@code kubectl apply --server-side} with a field manager of its own, as a GitOps tool makes them.
 */
class SelfConfigOnRealApiServerTest {

    static RealCluster real;
    static KubernetesClient admin;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T23:00:00Z"));
    SelfConfigReconciler reconciler;
    String ns;

    @BeforeAll
    static void cluster() {
        real = RealCluster.shared();
        admin = real.adminClient();
    }

    @BeforeEach
    void namespace() {
        ns = real.newNamespace("selfconfig");
        reconciler = new SelfConfigReconciler(
                new ClawPlanner(RuntimeAdapters.load(), SidecarImages.defaults()), Duration.ofHours(1), clock);
        admin.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("llm")
                        .withNamespace(ns)
                        .endMetadata()
                        .withStringData(Map.of("OPENAI_API_KEY", "sk-test", "MODEL_HOST_ROUTE", "eu"))
                        .build())
                .create();
        admin.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("team-skills")
                        .withNamespace(ns)
                        .withLabels(Map.of(SkillCatalog.LABEL, "true"))
                        .endMetadata()
                        .withData(Map.of("release-notes", "---\nname: release-notes\n---\n# Release notes\n"))
                        .build())
                .create();
    }

    /** The owner's manifest, applied as a GitOps tool does: server-side apply, field manager {@code gitops}. */
    String ownerManifest(String allowed, String extraEnv) {
        return """
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata:
                  name: agent
                  namespace: %s
                spec:
                  runtime: hermesclaw
                  config:
                    model: nous-hermes-3
                  credentials:
                    secretRef:
                      name: llm
                  selfConfigure:
                    enabled: true
                    allowedActions: [%s]
                  env:
                    - name: LOG_LEVEL
                      value: info
                %s""".formatted(ns, allowed, extraEnv);
    }

    LocalControlPlane.CommandResult ownerApplies(String manifest, boolean force) {
        return force
                ? real.plane()
                        .kubectl(
                                manifest,
                                "apply",
                                "--server-side",
                                "--field-manager=gitops",
                                "--force-conflicts",
                                "-f",
                                "-")
                : real.plane().kubectl(manifest, "apply", "--server-side", "--field-manager=gitops", "-f", "-");
    }

    ClawSelfConfig request(String name, Consumer<ClawSelfConfigSpec> spec) {
        ClawSelfConfigSpec s = new ClawSelfConfigSpec();
        s.setClawRef("agent");
        spec.accept(s);
        ClawSelfConfig r = ClawSelfConfig.of(name, s);
        r.getMetadata().setNamespace(ns);
        return admin.resource(r).create();
    }

    ClawSelfConfig process(ClawSelfConfig request) {
        reconciler.process(admin, admin.resource(request).get());
        return admin.resource(request).get();
    }

    Claw claw() {
        return admin.resources(Claw.class).inNamespace(ns).withName("agent").get();
    }

    @Test
    void anAllowedRequestIsAppliedInOnePatchUnderItsOwnFieldManager() {
        assertThat(ownerApplies(ownerManifest("skills, config, envVars", ""), false)
                        .ok())
                .isTrue();
        ClawSelfConfig r = process(request("more", s -> {
            s.setAddSkills(List.of("release-notes"));
            s.setConfigPatch(Map.of("skillsWriteApproval", "true", "memoryEnabled", "false"));
            s.setAddEnvVars(List.of(new SelfConfigEnvVar("CUSTOM_FLAG", "true")));
        }));

        assertThat(r.getStatus().getPhase()).as(r.getStatus().getMessage()).isEqualTo(SelfConfigPhase.APPLIED);
        assertThat(r.getStatus().getMessage()).contains("release-notes", "skillsWriteApproval", "CUSTOM_FLAG");
        assertThat(r.getStatus().getAppliedAt()).isEqualTo(clock.instant().toString());
        assertThat(r.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("agent"));
        Claw claw = claw();
        SkillSpec skill = claw.getSpec().getSkills().get(0);
        assertThat(skill.getName()).isEqualTo("release-notes");
        assertThat(skill.getConfigMapRef().getName()).isEqualTo("team-skills");
        assertThat(claw.getSpec().getConfig().get("skillsWriteApproval").booleanValue())
                .isTrue();
        assertThat(claw.getSpec().getConfig().get("memoryEnabled").booleanValue())
                .isFalse();
        assertThat(claw.getSpec().getConfig().get("model").asText()).isEqualTo("nous-hermes-3");
        assertThat(claw.getSpec().getEnv()).extracting(EnvVar::getName).containsExactly("LOG_LEVEL", "CUSTOM_FLAG");
        assertThat(claw.getMetadata().getManagedFields()).anySatisfy(m -> {
            assertThat(m.getManager()).isEqualTo(SelfConfigReconciler.FIELD_MANAGER);
            assertThat(m.getOperation()).isEqualTo("Update");
        });
        List<Event> events = admin.v1().events().inNamespace(ns).list().getItems();
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("SelfConfigApplied");
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("ClawSelfConfig");
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("SelfConfigApplied");
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("Claw");
        });
        // Decided once: a second look changes nothing.
        String version = claw().getMetadata().getResourceVersion();
        process(r);
        assertThat(claw().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    record Bad(String what, Consumer<ClawSelfConfigSpec> spec, String reason) {}

    @Test
    void aDeniedRequestChangesNothingAndSaysWhy() {
        assertThat(ownerApplies(ownerManifest("skills, config", ""), false).ok())
                .isTrue();
        List<Bad> bad = List.of(
                new Bad(
                        "action not allowed",
                        s -> s.setAddEnvVars(List.of(new SelfConfigEnvVar("CUSTOM_FLAG", "1"))),
                        "allowedActions of Claw agent does not include envVars (allowed: skills, config)"),
                new Bad(
                        "unknown skill source",
                        s -> s.setAddSkills(List.of("@anthropic/tool-use")),
                        "addSkills: @anthropic/tool-use is in no skill catalog of namespace " + ns),
                new Bad(
                        "breaks the runtime's config schema",
                        s -> s.setConfigPatch(Map.of("skillsWriteApproval", "maybe")),
                        "the change would make Claw agent invalid: spec.config.skillsWriteApproval: must be true or "
                                + "false, got a string"),
                new Bad(
                        "pinned by the adapter",
                        s -> s.setConfigPatch(Map.of("gateway.api_server.host", "0.0.0.0")),
                        "spec.config.gateway.api_server.host: is pinned by the hermesclaw adapter"),
                new Bad(
                        "where the key is sent",
                        s -> s.setConfigPatch(Map.of("baseUrl", "https://attacker.example.com/v1")),
                        "configPatch.baseUrl: is protected"),
                new Bad(
                        "a valid skill and a bad config key together",
                        s -> {
                            s.setAddSkills(List.of("release-notes"));
                            s.setConfigPatch(Map.of("model.api_key", "x"));
                        },
                        "configPatch.model.api_key: is protected"),
                new Bad(
                        "workspace files",
                        s -> s.setAddWorkspaceFiles(Map.of("notes.md", "hi")),
                        "does not include workspaceFiles"),
                new Bad(
                        "removing a skill that is not there",
                        s -> s.setRemoveSkills(List.of("triage")),
                        "removeSkills: triage is not installed"));
        String version = claw().getMetadata().getResourceVersion();
        int i = 0;
        for (Bad b : bad) {
            ClawSelfConfig r = process(request("bad-" + i++, b.spec()));
            assertThat(r.getStatus().getPhase()).as(b.what()).isEqualTo(SelfConfigPhase.DENIED);
            assertThat(r.getStatus().getMessage())
                    .as(b.what())
                    .contains(b.reason())
                    .endsWith("nothing was changed");
            assertThat(claw().getMetadata().getResourceVersion())
                    .as(b.what() + ": the Claw is untouched")
                    .isEqualTo(version);
        }
        assertThat(claw().getSpec().getSkills())
                .as("the valid half of a bad request is not applied")
                .isNull();
        assertThat(admin.v1().events().inNamespace(ns).list().getItems())
                .filteredOn(e -> "SelfConfigDenied".equals(e.getReason()))
                .hasSizeGreaterThanOrEqualTo(bad.size());
    }

    @Test
    void envVarsThatWouldOverrideASecretOrLookLikeCredentialsAreDenied() {
        assertThat(ownerApplies(ownerManifest("envVars", """
                    - name: DB_URL
                      valueFrom:
                        secretKeyRef: {name: llm, key: MODEL_HOST_ROUTE}
                """), false).ok()).isTrue();
        String version = claw().getMetadata().getResourceVersion();
        Map<String, String> reasons = Map.of(
                "MODEL_HOST_ROUTE", "is read from a Secret (the Claw's credentials)",
                "DB_URL", "is read from a Secret",
                "OPENAI_API_KEY", "is read from a Secret",
                "ANTHROPIC_API_KEY", "looks like a credential");
        reasons.forEach((name, reason) -> {
            ClawSelfConfig r = process(request(
                    "env-" + name.toLowerCase().replace('_', '-'),
                    s -> s.setAddEnvVars(List.of(new SelfConfigEnvVar(name, "x")))));
            assertThat(r.getStatus().getPhase()).as(name).isEqualTo(SelfConfigPhase.DENIED);
            assertThat(r.getStatus().getMessage()).as(name).contains(name + " " + reason);
        });
        ClawSelfConfig remove = process(request("remove-db-url", s -> s.setRemoveEnvVars(List.of("DB_URL"))));
        assertThat(remove.getStatus().getMessage()).contains("DB_URL comes from a Secret or ConfigMap (valueFrom)");
        assertThat(claw().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void aClawThatDoesNotAllowItOrDoesNotExistDenies() {
        ClawSelfConfig missing = process(request("missing", s -> s.setAddSkills(List.of("release-notes"))));
        assertThat(missing.getStatus().getPhase()).isEqualTo(SelfConfigPhase.DENIED);
        assertThat(missing.getStatus().getMessage()).isEqualTo("Claw agent does not exist in namespace " + ns);
        String off = ownerManifest("skills", "").replace("enabled: true", "enabled: false");
        assertThat(ownerApplies(off, false).ok()).isTrue();
        ClawSelfConfig r = process(request("off", s -> s.setAddSkills(List.of("release-notes"))));
        assertThat(r.getStatus().getPhase()).isEqualTo(SelfConfigPhase.DENIED);
        assertThat(r.getStatus().getMessage()).contains("does not allow self-configuration");
        assertThat(claw().getSpec().getSkills()).isNull();
    }

    @Test
    void aLaterChangeByTheOwnerWinsAndTheRequestSaysSo() {
        assertThat(ownerApplies(ownerManifest("config, envVars", ""), false).ok())
                .isTrue();
        ClawSelfConfig r = process(request("flag", s -> {
            s.setAddEnvVars(List.of(new SelfConfigEnvVar("CUSTOM_FLAG", "true")));
            s.setConfigPatch(Map.of("curatorEnabled", "false"));
        }));
        assertThat(r.getStatus().getPhase()).isEqualTo(SelfConfigPhase.APPLIED);

        // The owner re-applies its manifest with an unrelated change: the key the agent added to spec.config is the
        // agent's field, untouched by the owner's apply; but spec.env is one atomic list the agent now wrote, so the
        // owner's apply without --force-conflicts is refused, naming the agent's field manager.
        String changed = ownerManifest("config, envVars", "").replace("value: info", "value: debug");
        LocalControlPlane.CommandResult conflict = ownerApplies(changed, false);
        assertThat(conflict.ok()).isFalse();
        assertThat(conflict.stderr())
                .contains("conflict")
                .contains(SelfConfigReconciler.FIELD_MANAGER)
                .contains(".spec.env");
        r = process(r);
        assertThat(r.getStatus().getConditions())
                .as("nothing was overridden yet")
                .isNull();

        // GitOps tools apply with force: the owner's later change wins.
        assertThat(ownerApplies(changed, true).ok()).isTrue();
        Claw claw = claw();
        assertThat(claw.getSpec().getEnv()).extracting(EnvVar::getName).containsExactly("LOG_LEVEL");
        assertThat(claw.getSpec().getConfig().get("curatorEnabled").booleanValue())
                .as("the agent's own key survives")
                .isFalse();
        r = process(r);
        assertThat(r.getStatus().getPhase()).isEqualTo(SelfConfigPhase.APPLIED);
        assertThat(r.getStatus().getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo(SelfConfigReconciler.CONDITION_OVERRIDDEN);
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getMessage())
                    .contains("env CUSTOM_FLAG is no longer set to the requested value")
                    .doesNotContain("curatorEnabled")
                    .contains("gitops (Apply");
        });
        // The agent's change is not re-asserted: the owner's value stands.
        process(r);
        assertThat(claw().getSpec().getEnv()).extracting(EnvVar::getName).containsExactly("LOG_LEVEL");
    }

    @Test
    void anAppliedRequestIsDeletedWhenItsRetentionIsOver() {
        assertThat(ownerApplies(ownerManifest("skills", ""), false).ok()).isTrue();
        ClawSelfConfig r = process(request("kept", s -> s.setAddSkills(List.of("release-notes"))));
        assertThat(r.getStatus().getPhase()).isEqualTo(SelfConfigPhase.APPLIED);
        clock.advance(Duration.ofMinutes(59));
        assertThat(reconciler.process(admin, r)).contains(Duration.ofMinutes(1));
        assertThat(admin.resource(r).get()).isNotNull();
        clock.advance(Duration.ofMinutes(1));
        assertThat(reconciler.process(admin, admin.resource(r).get())).isEmpty();
        assertThat(admin.resource(r).get()).isNull();
        assertThat(claw().getSpec().getSkills())
                .as("deleting the request keeps its change")
                .hasSize(1);
        ClawSelfConfig denied = process(request("denied", s -> s.setAddSkills(List.of("nope"))));
        clock.advance(Duration.ofHours(2));
        reconciler.process(admin, denied);
        assertThat(admin.resource(denied).get())
                .as("a denied request stays for the agent to read")
                .isNotNull();
    }
}
