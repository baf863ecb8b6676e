package io.k8s4claw.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another operator embeds the adapters: a program compiled and run in its own JVM with only claw-api,
 * claw-runtime-adapters and their runtime dependencies on the class path (no operator, no test kit, no
 * Kubernetes API server) lists the runtimes and renders a Hermes pod contribution.
 */
class ConsumerClasspathTest {

    private static final List<String> TEST_ONLY = List.of(
            "test-classes",
            "junit",
            "assertj",
            "opentest4j",
            "apiguardian",
            "byte-buddy",
            "claw-testkit",
            "okhttp",
            "okio",
            "kotlin",
            "mockwebserver",
            "hamcrest",
            "annotations-13",
            "surefire");

    private static final String CONSUMER = """
            import io.k8s4claw.api.runtime.*;
            import io.k8s4claw.api.v1alpha1.Claw;
            import io.k8s4claw.api.validation.Manifests;
            import java.nio.file.*;
            import java.util.List;

            public class Consumer {
                public static void main(String[] args) throws Exception {
                    RuntimeAdapters adapters = RuntimeAdapters.load();
                    System.out.println("runtimes=" + adapters.runtimeIds());
                    Claw claw = \
            Manifests.bind(Manifests.readYamlDocuments(Files.readString(Path.of(args[0]))).get(0), Claw.class);
                    RuntimeAdapter hermes = adapters.require(claw.getSpec().getRuntime().wireValue());
                    System.out.println("errors=" + hermes.validateCreate(claw));
                    PodContribution pod = hermes.render(RenderContext.of(claw, List.of()));
                    System.out.println("image=" + pod.runtimeContainer().getImage());
                    System.out.println("args=" + pod.runtimeContainer().getArgs());
                    System.out.println("bridge=" + pod.bridgeTarget().protocol().orElseThrow());
                    System.out.println("secrets=" + \
            pod.generatedSecrets().stream().map(GeneratedSecret::nameSuffix).toList());
                    System.out.println("files=" + pod.configFiles().stream().map(ConfigFile::key).toList());
                    System.out.println("grace=" + pod.terminationGracePeriodSeconds());
                }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void aProgramWithOnlyTheLibrariesListsRuntimesAndRendersHermes() throws Exception {
        List<String> classpath = Arrays.stream(
                        System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> TEST_ONLY.stream().noneMatch(entry::contains))
                .toList();
        assertThat(classpath)
                .anyMatch(e -> e.contains("claw-api"))
                .anyMatch(e ->
                        e.endsWith("claw-runtime-adapters" + File.separator + "target" + File.separator + "classes"))
                .noneMatch(e -> e.contains("claw-operator")
                        || e.contains("kubernetes-client-" + "7")
                        || e.contains("server-mock"));
        String cp = String.join(File.pathSeparator, classpath);

        Path src = tmp.resolve("Consumer.java");
        Files.writeString(src, CONSUMER);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "-d", classes.toString(), "-cp", cp, src.toString());
        assertThat(rc)
                .as("the consumer compiles against claw-api + claw-runtime-adapters only")
                .isZero();

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        classes + File.pathSeparator + cp,
                        "Consumer",
                        Examples.DIR.resolve("hermes-assistant.yaml").toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out)
                .contains(
                        "runtimes=[custom, hermesclaw, ironclaw, nanobot, nanoclaw, openclaw, picoclaw, zeroclaw]",
                        "errors=[]",
                        "image=nousresearch/hermes-agent:v2026.8.19",
                        "args=[gateway, run, --no-supervise]",
                        "bridge=hermes-sse",
                        "secrets=[hermes-api]",
                        "grace=120",
                        "files=[config.yaml, managed-config.yaml, managed.env, init.sh, merge_config.py, probe.py]");
    }
}
