package io.k8s4claw.testkit.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.testkit.install.CachedInstall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The promtool peer: built from the pinned wrapper module, it is promtool and judges rules as Prometheus would. */
class PromtoolInstallerTest {

    @Test
    void theBuiltPromtoolReportsThePinnedRelease() {
        Promtool promtool = PromtoolInstaller.ensureBuilt();
        assertThat(promtool.version()).isEqualTo("3.16.0");
        Promtool.Result version = promtool.run("--version").orThrow("--version");
        assertThat(version.stdout() + version.stderr())
                .contains("promtool, version 3.16.0")
                .contains("go1.");
    }

    @Test
    void aSecondBuildReusesTheCache() {
        Promtool first = PromtoolInstaller.ensureBuilt();
        Promtool second = PromtoolInstaller.ensureBuilt();
        assertThat(second.binary()).isEqualTo(first.binary());
        assertThat(first.binary().getParent().getParent().resolve(CachedInstall.COMPLETE_MARKER))
                .isRegularFile();
    }

    @Test
    void checkRulesAcceptsAGoodRuleAndRefusesABadExpression(@TempDir Path dir) throws Exception {
        Promtool promtool = PromtoolInstaller.ensureBuilt();
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, """
                groups:
                - name: g
                  rules:
                  - alert: Up
                    expr: up == 0
                    for: 5m
                """);
        assertThat(promtool.run("check", "rules", good.toString())
                        .orThrow("check rules")
                        .stdout())
                .contains("SUCCESS: 1 rules found");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                groups:
                - name: g
                  rules:
                  - alert: Broken
                    expr: sum by (job (up)
                """);
        Promtool.Result refused = promtool.run("check", "rules", bad.toString());
        assertThat(refused.ok()).isFalse();
        assertThat(refused.stdout() + refused.stderr()).contains("Broken").containsIgnoringCase("parse error");
    }

    @Test
    void aMissingGoIsOneLineSayingWhatToDo(@TempDir Path cache) {
        PromtoolInstaller installer =
                new PromtoolInstaller(cache, cache.resolve("no-such-go").toString());
        assertThatThrownBy(installer::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Go 1.26 or newer is needed to build promtool 3.16.0")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(cache.resolve(PromtoolInstaller.MODULE_VERSION + "-" + PromtoolInstaller.pinHash()))
                .doesNotExist();
    }

    @Test
    void thePrometheusOperatorCrdsAreTheReleasesFiles() throws Exception {
        List<Path> crds = PrometheusOperatorCrds.ensureFetched();
        assertThat(crds).hasSize(3).allSatisfy(p -> assertThat(p).isRegularFile());
        assertThat(Files.readString(crds.get(0)))
                .contains("name: servicemonitors.monitoring.coreos.com")
                .contains("operator.prometheus.io/version: 0.94.1");
        assertThat(Files.readString(crds.get(1))).contains("name: podmonitors.monitoring.coreos.com");
        assertThat(Files.readString(crds.get(2))).contains("name: prometheusrules.monitoring.coreos.com");
        assertThat(crds.get(0).getParent().resolve(CachedInstall.COMPLETE_MARKER))
                .isRegularFile();
    }

    @Test
    void aFetchWithAFailingGoSaysSo(@TempDir Path cache) throws Exception {
        Path go = cache.resolve("failing-go");
        Files.writeString(
                go, "#!/bin/sh\necho '{\"Path\":\"x\",\"Error\":\"reading proxy: 403 Forbidden\"}'\nexit 1\n");
        Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwx------"));
        PrometheusOperatorCrds crds = new PrometheusOperatorCrds(cache.resolve("cache"), go.toString());
        assertThatThrownBy(crds::fetch)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "go mod download github.com/prometheus-operator/prometheus-operator@v0.94.1 failed")
                .hasMessageContaining("403 Forbidden");
        assertThat(cache.resolve("cache").resolve(PrometheusOperatorCrds.VERSION))
                .doesNotExist();
    }

    @Test
    void aModuleWithAnotherHashIsRefused(@TempDir Path cache) throws Exception {
        Path go = cache.resolve("lying-go");
        Files.writeString(go, "#!/bin/sh\necho '{\"Path\":\"x\",\"Dir\":\"/nonexistent\",\"Sum\":\"h1:AAAA=\"}'\n");
        Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwx------"));
        PrometheusOperatorCrds crds = new PrometheusOperatorCrds(cache.resolve("cache"), go.toString());
        assertThatThrownBy(crds::fetch)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has hash h1:AAAA=, not the pinned " + PrometheusOperatorCrds.MODULE_SUM);
    }
}
