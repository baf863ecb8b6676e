package io.k8s4claw.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rendered pods against the Kubernetes Pod Security Standards (the checks a namespace labelled
 * {@code pod-security.kubernetes.io/enforce} makes): every runtime meets <em>restricted</em>, except Hermes's default
 * root start, which meets <em>baseline</em> (s6 needs root and a few capabilities, all on baseline's list).
 */
class PodSecurityStandardsTest {

    private static final RuntimeAdapters ADAPTERS = RuntimeAdapters.load();
    /** Capabilities the baseline level allows to be added. */
    private static final Set<String> BASELINE_CAPS = Set.of(
            "AUDIT_WRITE",
            "CHOWN",
            "DAC_OVERRIDE",
            "FOWNER",
            "FSETID",
            "KILL",
            "MKNOD",
            "NET_BIND_SERVICE",
            "SETFCAP",
            "SETGID",
            "SETPCAP",
            "SETUID",
            "SYS_CHROOT");

    private static PodContribution render(String file) {
        Examples.Loaded loaded = Examples.load(file, "slack-team-channel.yaml");
        Claw claw = loaded.claw();
        return ADAPTERS.require(claw.getSpec().getRuntime().wireValue())
                .render(RenderContext.of(claw, Examples.channelsOf(claw, loaded.channels())));
    }

    private static List<Container> containers(PodContribution pod) {
        List<Container> all = new ArrayList<>(pod.initContainers());
        all.add(pod.runtimeContainer());
        return all;
    }

    /** Baseline: no privileged, only baseline capabilities added, no host namespaces/paths, seccomp not Unconfined. */
    private static void assertBaseline(PodContribution pod) {
        for (Volume v : pod.volumes()) {
            assertThat(v.getHostPath()).as("hostPath volume %s", v.getName()).isNull();
        }
        for (Container c : containers(pod)) {
            SecurityContext sc = c.getSecurityContext();
            assertThat(sc).as(c.getName()).isNotNull();
            assertThat(sc.getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
            if (sc.getCapabilities() != null && sc.getCapabilities().getAdd() != null) {
                assertThat(BASELINE_CAPS)
                        .as(c.getName())
                        .containsAll(sc.getCapabilities().getAdd());
            }
            assertThat(c.getPorts() == null ? List.of() : c.getPorts())
                    .allSatisfy(p -> assertThat(p.getHostPort()).isNull());
            if (sc.getSeccompProfile() != null) {
                assertThat(sc.getSeccompProfile().getType()).isNotEqualTo("Unconfined");
            }
        }
    }

    private static void assertRestricted(PodContribution pod) {
        assertBaseline(pod);
        PodSecurityContext psc = pod.podSecurityContext();
        for (Container c : containers(pod)) {
            SecurityContext sc = c.getSecurityContext();
            assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(sc.getCapabilities().getDrop()).as(c.getName()).contains("ALL");
            assertThat(
                            sc.getCapabilities().getAdd() == null
                                    ? List.<String>of()
                                    : sc.getCapabilities().getAdd())
                    .as(c.getName())
                    .isSubsetOf("NET_BIND_SERVICE");
            boolean nonRoot = Boolean.TRUE.equals(sc.getRunAsNonRoot())
                    || (sc.getRunAsNonRoot() == null && Boolean.TRUE.equals(psc.getRunAsNonRoot()));
            assertThat(nonRoot).as("%s runAsNonRoot", c.getName()).isTrue();
            assertThat(sc.getRunAsUser()).as(c.getName()).isNotEqualTo(0L);
            String seccomp = sc.getSeccompProfile() != null
                    ? sc.getSeccompProfile().getType()
                    : psc.getSeccompProfile() != null ? psc.getSeccompProfile().getType() : null;
            assertThat(seccomp).as(c.getName()).isIn("RuntimeDefault", "Localhost");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "hermes-relay-rootless.yaml",
                "openclaw-ankra-stack.yaml",
                "openclaw-local-model.yaml",
                "zeroclaw-agent.yaml",
                "picoclaw-agent.yaml",
                "ironclaw-agent.yaml",
                "nanobot-agent.yaml"
            })
    void restricted(String example) {
        assertRestricted(render(example));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hermes-assistant.yaml"})
    void hermesRootStartIsBaseline(String example) {
        PodContribution pod = render(example);
        assertBaseline(pod);
        assertThat(pod.runtimeContainer().getSecurityContext().getAllowPrivilegeEscalation())
                .isFalse();
        assertThat(pod.runtimeContainer().getSecurityContext().getCapabilities().getDrop())
                .contains("ALL");
    }
}
