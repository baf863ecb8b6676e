package io.k8s4claw.adapters.hermes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.k8s4claw.api.runtime.DataMount;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.Supervisor;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Render variants not covered by the examples' golden files. */
class HermesRenderTest {

    private static PodContribution render(Claw claw) {
        return new HermesClawAdapter().render(RenderContext.of(claw, List.of()));
    }

    private static Map<String, EnvVar> env(Container c) {
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    @Test
    void withoutMountPathsHermesHomeIsOptDataAndSkillsLiveOnTheWorkspace() {
        PodContribution pod = render(HermesValidationTest.validClaw());
        Container hermes = pod.runtimeContainer();

        assertThat(env(hermes).get("HERMES_HOME").getValue()).isEqualTo("/opt/data");
        assertThat(hermes.getVolumeMounts())
                .extracting(VolumeMount::getName, VolumeMount::getMountPath)
                .contains(
                        Tuple.tuple("session", "/opt/data"),
                        Tuple.tuple("workspace", "/opt/data/skills"),
                        Tuple.tuple("dshm", "/dev/shm"));
        assertThat(pod.volumes())
                .filteredOn(v -> v.getName().equals("dshm"))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
                    assertThat(v.getEmptyDir().getSizeLimit().toString()).isEqualTo("1Gi");
                });
        assertThat(pod.terminationGracePeriodSeconds()).isGreaterThanOrEqualTo(90);
        assertThat(hermes.getStartupProbe().getPeriodSeconds()
                        * hermes.getStartupProbe().getFailureThreshold())
                .as("startup allows ≥ 5 minutes")
                .isGreaterThanOrEqualTo(300);
        assertThat(hermes.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(hermes.getResources().getRequests().get("cpu").toString()).isEqualTo("1");
        assertThat(hermes.getResources().getRequests().get("memory").toString()).isEqualTo("1Gi");
        assertThat(env(hermes).get("API_SERVER_HOST").getValue()).isEqualTo("127.0.0.1");
        assertThat(hermes.getPorts())
                .as("no containerPort: the API is loopback-only")
                .isNullOrEmpty();
        assertThat(pod.exposedPorts()).isEmpty();
        assertThat(pod.configFiles())
                .noneMatch(
                        f -> f.content().contains("API_SERVER_KEY=") && !f.key().equals("init.sh"));
    }

    @Test
    void optionAKeepsPlatformTokensAvailable() {
        PodContribution pod = render(HermesValidationTest.validClaw());
        assertThat(env(pod.runtimeContainer())).doesNotContainKey("SLACK_BOT_TOKEN");
        assertThat(pod.runtimeContainer().getEnvFrom())
                .singleElement()
                .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("hermes-api-keys"));
    }

    @Test
    void s6SupervisionIsReachableWithGraceTimesBelowThePodsGrace() {
        Claw claw = HermesValidationTest.validClaw();
        claw.getSpec().setSupervisor(Supervisor.S6);
        PodContribution pod = render(claw);
        Container hermes = pod.runtimeContainer();

        assertThat(hermes.getArgs()).containsExactly("gateway", "run");
        assertThat(hermes.getCommand())
                .as("the image's entrypoint (s6 /init) stays")
                .isNullOrEmpty();
        long s6Total = Long.parseLong(env(hermes).get("S6_SERVICES_GRACETIME").getValue())
                + Long.parseLong(env(hermes).get("S6_KILL_GRACETIME").getValue());
        assertThat(s6Total).isLessThan(pod.terminationGracePeriodSeconds() * 1000);
        assertThat(hermes.getSecurityContext().getCapabilities().getAdd())
                .containsExactlyInAnyOrder("CHOWN", "SETUID", "SETGID", "DAC_OVERRIDE", "FOWNER", "KILL");
        assertThat(hermes.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(hermes.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void aDisabledSessionVolumeBecomesAnEmptyDirStandIn() {
        Claw claw = HermesValidationTest.validClaw();
        PersistenceSpec p = new PersistenceSpec();
        VolumeSpec session = new VolumeSpec();
        session.setEnabled(false);
        session.setSize("1Gi");
        p.setSession(session);
        claw.getSpec().setPersistence(p);

        PodContribution pod = render(claw);

        assertThat(pod.dataMounts())
                .filteredOn(m -> m.role() == VolumeRole.SESSION)
                .singleElement()
                .extracting(DataMount::persistent)
                .isEqualTo(false);
        assertThat(pod.volumes())
                .filteredOn(v -> v.getName().equals("session"))
                .singleElement()
                .extracting(Volume::getEmptyDir)
                .isNotNull();
        assertThat(pod.volumes()).noneMatch(v -> v.getName().equals("workspace"));
    }
}
