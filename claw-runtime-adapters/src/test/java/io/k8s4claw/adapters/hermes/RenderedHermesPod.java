package io.k8s4claw.adapters.hermes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.testkit.hermes.HermesInstallation;
import io.k8s4claw.testkit.hermes.HermesInstaller;
import io.k8s4claw.testkit.hermes.RealHermes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Hermes pod as the hermesclaw adapter renders it, run on this machine with the real Hermes: the ConfigMap's
 * files in a directory, the init container's {@code init.sh} with its rendered environment, then
 * {@code hermes} with the runtime container's rendered arguments and environment, and the rendered exec probes.
 * Pod paths are mirrored under {@code <root>/fs}; Secret references resolve to
 * the generated API key. The API server port is the rendered one (8642): pods of this class run one at a time.
 */
final class RenderedHermesPod implements AutoCloseable {

    record Exec(int exitCode, String output) {}

    private final PodContribution pod;
    private final Path root;
    private final String apiKey;
    private final HermesInstallation installation = HermesInstaller.ensureInstalled();
    private RealHermes hermes;

    RenderedHermesPod(Claw claw, Path root, String apiKey) throws IOException {
        this(claw, List.of(), root, apiKey);
    }

    RenderedHermesPod(Claw claw, List<ClawChannel> channels, Path root, String apiKey) throws IOException {
        this.pod = new HermesClawAdapter().render(RenderContext.of(claw, channels));
        this.root = root;
        this.apiKey = apiKey;
        for (var mount : pod.dataMounts()) {
            Files.createDirectories(local(mount.mountPath()));
        }
        for (ConfigFile f : pod.configFiles()) {
            Path target = local(f.mountPath());
            Files.createDirectories(target.getParent());
            Files.writeString(target, f.content(), StandardCharsets.UTF_8);
        }
    }

    PodContribution pod() {
        return pod;
    }

    /**
     * Where a pod path is on this machine: the pod's file tree mirrored under {@code <root>/fs}, so nested mounts nest.
     */
    Path local(String podPath) {
        if (!podPath.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute pod path: " + podPath);
        }
        return root.resolve("fs" + podPath);
    }

    Path home() {
        return Path.of(env(pod.runtimeContainer()).get("HERMES_HOME"));
    }

    /** A container's rendered environment with Secret references resolved and pod paths mapped. */
    Map<String, String> env(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar v : container.getEnv()) {
            String value;
            if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
                value = v.getValueFrom().getSecretKeyRef().getKey().equals("API_SERVER_KEY")
                        ? apiKey
                        : "0123456789abcdef0123456789abcdef";
            } else {
                value = v.getValue() == null ? "" : v.getValue();
            }
            env.put(
                    v.getName(),
                    value.startsWith("/") && !value.startsWith("/opt/hermes/")
                            ? local(value).toString()
                            : value);
        }
        return env;
    }

    /** Runs the init container's command as rendered (with the installed Hermes's Python for the merge). */
    Exec init() throws Exception {
        Container init = pod.initContainers().get(0);
        Map<String, String> env = env(init);
        env.put("CLAW_PYTHON", installation.python().toString()); // the image's /opt/hermes/.venv/bin/python
        List<String> command = new ArrayList<>();
        for (String part : init.getCommand()) {
            command.add(part.startsWith("/etc/") ? local(part).toString() : part);
        }
        return exec(command, env);
    }

    /** Starts Hermes with the runtime container's rendered arguments and environment; waits for /health. */
    RealHermes start() {
        hermes = builder().start();
        return hermes;
    }

    /** The launcher for the runtime container, for a start other than {@link #start()}. */
    RealHermes.Builder builder() {
        return builder(Map.of());
    }

    /**
     * The launcher with {@code fromSecrets} standing in for the container's {@code envFrom} Secrets: set first,
     * so the rendered {@code env} entries beat them, as in Kubernetes.
     */
    RealHermes.Builder builder(Map<String, String> fromSecrets) {
        Container runtime = pod.runtimeContainer();
        Map<String, String> env = new LinkedHashMap<>(fromSecrets);
        env.putAll(env(runtime));
        return RealHermes.builder()
                .installation(installation)
                .root(root)
                .home(home())
                .port(HermesClawAdapter.API_PORT)
                .apiKey(apiKey)
                .args(runtime.getArgs())
                .env(env);
    }

    void adopt(RealHermes running) {
        this.hermes = running;
    }

    /** Runs the runtime container's rendered liveness or readiness probe command. */
    Exec probe(boolean readiness) throws Exception {
        Container runtime = pod.runtimeContainer();
        List<String> command = (readiness ? runtime.getReadinessProbe() : runtime.getLivenessProbe())
                .getExec()
                .getCommand();
        List<String> local = new ArrayList<>();
        for (String part : command) {
            local.add(part.startsWith("/etc/") ? local(part).toString() : part);
        }
        return exec(local, env(runtime));
    }

    private static Exec exec(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new Exec(p.exitValue(), out);
    }

    @Override
    public void close() {
        if (hermes != null) {
            hermes.close();
        }
    }
}
