package io.k8s4claw.testkit.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.testkit.install.CachedInstall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Helm peer: built from the pinned wrapper module, it is Helm and says which release it is. */
class HelmInstallerTest {

    @Test
    void theBuiltHelmReportsThePinnedRelease() throws Exception {
        Helm helm = HelmInstaller.ensureBuilt();
        assertThat(helm.version()).isEqualTo(HelmInstaller.HELM_VERSION);

        Helm.Result version = helm.run("version", "--template", "{{ .Version }} {{ .GitTreeState }} {{ .GoVersion }}")
                .orThrow("version");
        String[] parts = version.stdout().strip().split(" ");
        assertThat(parts[0]).isEqualTo("v4.3.2");
        assertThat(parts[1]).isEqualTo("clean");
        assertThat(parts[2]).startsWith("go1.");
        // client-go as the wrapper's go.mod pins it (Helm reads it from the binary's build information).
        assertThat(helm.run("version", "--template", "{{ .KubeClientVersion }}")
                        .orThrow("version")
                        .stdout()
                        .strip())
                .isEqualTo("v1.37");
    }

    @Test
    void aSecondBuildReusesTheCache() {
        Helm first = HelmInstaller.ensureBuilt();
        Helm second = HelmInstaller.ensureBuilt();
        assertThat(second.binary()).isEqualTo(first.binary());
        assertThat(first.binary().getParent().getParent().resolve(CachedInstall.COMPLETE_MARKER))
                .isRegularFile();
    }

    @Test
    void aMissingGoIsOneLineSayingWhatToDo(@TempDir Path cache) {
        HelmInstaller installer =
                new HelmInstaller(cache, cache.resolve("no-such-go").toString());
        assertThatThrownBy(installer::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Go 1.26 or newer is needed to build helm v4.3.2")
                .hasMessageContaining("$K8S4CLAW_GO")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        // Nothing half-built is left to be taken for a build.
        assertThat(cache.resolve(HelmInstaller.HELM_VERSION + "-" + HelmInstaller.pinHash()))
                .doesNotExist();
    }

    @Test
    void aFailedBuildSaysSoWithGosOutput(@TempDir Path cache) throws Exception {
        Path go = cache.resolve("failing-go");
        Files.writeString(
                go, "#!/bin/sh\necho 'go: helm.sh/helm/v4@v4.3.2: reading proxy: 403 Forbidden' >&2\nexit 1\n");
        Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwx------"));
        HelmInstaller installer = new HelmInstaller(cache.resolve("cache"), go.toString());
        assertThatThrownBy(installer::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(
                        "go build of helm v4.3.2 failed with exit code 1 (is the Go module proxy reachable?")
                .hasMessageContaining("403 Forbidden");
        assertThat(cache.resolve("cache").resolve(HelmInstaller.HELM_VERSION + "-" + HelmInstaller.pinHash()))
                .doesNotExist();
    }

    @Test
    void aChartCommandRunsWithoutTheMachinesHelmSettings(@TempDir Path dir) throws Exception {
        Helm helm = HelmInstaller.ensureBuilt();
        helm.run("create", dir.resolve("demo").toString()).orThrow("create");
        String settings = helm.run("env").orThrow("env").stdout();
        String ownHome = "HELM_CONFIG_HOME=\""
                + Path.of(System.getProperty("java.io.tmpdir")).resolve("k8s4claw-helm-");
        assertThat(settings).contains(ownHome);
        assertThat(helm.run("lint", dir.resolve("demo").toString())
                        .orThrow("lint")
                        .stdout())
                .contains("1 chart(s) linted, 0 chart(s) failed");
    }
}
