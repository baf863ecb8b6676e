package io.k8s4claw.operator.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSelfConfig;
import io.k8s4claw.operator.install.RepoRoot;
import io.k8s4claw.operator.selfconfig.SelfConfigAccessReconciler;
import io.k8s4claw.testkit.hermes.HermesInstaller;
import io.k8s4claw.testkit.openclaw.OpenClawInstaller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The claw-self-config skill's own instructions work: the program in the SKILL.md the adapter renders (Python's urllib
 * for Hermes, Node's fetch for OpenClaw), run by the runtime's own interpreter (the real Hermes 0.19.0 venv's Python,
 * OpenClaw's bundled Node) with the Claw's ServiceAccount token laid out as the kubelet mounts it, creates a
 * ClawSelfConfig on the real apiserver — past RBAC and the admission policy. Only the mount directory and the API
 * server's address differ from inside the pod.
 */
class SelfConfigSkillOnRealApiServerTest {

    static final String MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
    static RealCluster real;
    static KubernetesClient admin;

    @BeforeAll
    static void install() {
        real = RealCluster.shared();
        admin = real.adminClient();
        RealCluster.apply(real.plane(), RepoRoot.path().resolve("deploy/admission/self-config-policy.yaml"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hermesclaw", "openclaw"})
    void theSkillsProgramCreatesTheRequestWithTheMountedToken(String runtime, @TempDir Path dir) throws Exception {
        String ns = real.newNamespace("selfconfig-skill");
        RealCluster.check(
                real.plane()
                        .kubectl(
                                """
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata: {name: agent, namespace: %s}
                spec:
                  runtime: %s
                  config: {model: nous-hermes-3}
                  credentials: {secretRef: {name: llm}}
                  selfConfigure: {enabled: true, allowedActions: [skills]}
                """.formatted(ns, runtime).replace(
                                        runtime.equals("hermesclaw") ? "" : "  config: {model: nous-hermes-3}\n", ""),
                                "apply",
                                "--server-side",
                                "-f",
                                "-"),
                "Claw agent");
        RealCluster.check(
                real.plane().kubectl(null, "-n", ns, "create", "serviceaccount", "agent"), "serviceaccount agent");
        Claw claw =
                admin.resources(Claw.class).inNamespace(ns).withName("agent").get();
        SelfConfigAccessReconciler.sync(real.operatorClient(), claw);

        String skill =
                RuntimeAdapters.load().require(runtime).render(RenderContext.of(claw, List.of())).configFiles().stream()
                        .filter(f -> f.key().equals("skill.claw-self-config.SKILL.md"))
                        .map(ConfigFile::content)
                        .findFirst()
                        .orElseThrow();
        Path mount = Files.createDirectories(dir.resolve("serviceaccount"));
        Files.writeString(mount.resolve("token"), RealCluster.token(real.plane(), ns, "agent"));
        Files.writeString(mount.resolve("namespace"), ns);
        Files.copy(real.plane().caCertificate(), mount.resolve("ca.crt"));
        boolean python = runtime.equals("hermesclaw");
        String program = codeBlock(skill, python ? "python" : "js")
                .replace(MOUNT, mount.toString())
                .replace("https://kubernetes.default.svc", real.plane().serverUrl());
        Path script = dir.resolve(python ? "request.py" : "request.mjs");
        Files.writeString(script, program);
        ProcessBuilder pb = python
                ? new ProcessBuilder(HermesInstaller.ensureInstalled().python().toString(), script.toString())
                : new ProcessBuilder(
                        OpenClawInstaller.ensureInstalled().nodeBinary().toString(), script.toString());
        pb.environment().put("NODE_EXTRA_CA_CERTS", mount.resolve("ca.crt").toString());
        pb.redirectErrorStream(true);

        // RBAC needs a moment to see the new binding.
        String[] out = new String[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            out[0] = run(pb);
            return out[0].startsWith("agent-") || out[0].startsWith("201 agent-");
        });
        String name = out[0].replaceFirst("^201 ", "").strip();
        ClawSelfConfig created = admin.resources(ClawSelfConfig.class)
                .inNamespace(ns)
                .withName(name)
                .get();
        assertThat(created.getSpec().getClawRef()).isEqualTo("agent");
        assertThat(created.getSpec().getAddSkills()).containsExactly("release-notes");
        assertThat(created.getMetadata().getManagedFields())
                .anySatisfy(m -> assertThat(m.getManager()).isNotBlank());
    }

    static String codeBlock(String markdown, String language) {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
                .matcher(markdown);
        assertThat(m.find()).as("a ```%s block in the skill", language).isTrue();
        return m.group(1);
    }

    static String run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
