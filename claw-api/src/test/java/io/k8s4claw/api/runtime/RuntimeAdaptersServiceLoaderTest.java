package io.k8s4claw.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves discovery the way a third party ships an adapter: a separate jar with a
 * {@code META-INF/services/io.k8s4claw.api.runtime.RuntimeAdapter} entry, compiled here at test time against
 * claw-api only, and loaded through a class loader that did not know it before.
 */
class RuntimeAdaptersServiceLoaderTest {

    private static final String ADAPTER_SOURCE = """
            package com.example.claw;

            import io.k8s4claw.api.runtime.*;
            import io.k8s4claw.api.v1alpha1.Claw;
            import io.k8s4claw.api.validation.FieldError;
            import io.fabric8.kubernetes.api.model.ContainerBuilder;
            import io.fabric8.kubernetes.api.model.PodSecurityContext;
            import java.util.List;

            public class EchoClawAdapter implements RuntimeAdapter {
                public RuntimeDescriptor descriptor() {
                    return new RuntimeDescriptor("echoclaw", "Echo Claw",
                            new ImagePolicy("example.com/echoclaw", "1.2.3", "\\\\d+\\\\.\\\\d+\\\\.\\\\d+"),
                            List.of(new RuntimePort("http", 8080, "echo API", PortExposure.POD)),
                            List.of(), ConfigFormat.JSON, MergeMode.DEEP_MERGE,
                            new ShutdownPolicy(30, 10, "exits at once"), "test adapter");
                }
                public List<FieldError> validateCreate(Claw claw) { return List.of(); }
                public List<FieldError> validateUpdate(Claw previous, Claw updated) { return List.of(); }
                public PodContribution render(RenderContext context) {
                    return new PodContribution(
                            new \
            ContainerBuilder().withName("runtime").withImage(descriptor().image().defaultImage().orElseThrow()).build(),
                            List.of(), List.of(), List.of(), new PodSecurityContext(), 30, List.of(), List.of(),
                            new BridgeTarget.None("echo has no bridge protocol"), List.of());
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void anAdapterInASeparateJarIsDiscovered() throws Exception {
        Path jar = buildJar("com.example.claw.EchoClawAdapter\n");

        assertThat(RuntimeAdapters.load(getClass().getClassLoader()).find("echoclaw"))
                .as("not visible before the jar is on the class path")
                .isEmpty();

        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            RuntimeAdapters adapters = RuntimeAdapters.load(loader);

            assertThat(adapters.runtimeIds()).contains("echoclaw");
            RuntimeAdapter echo = adapters.require("echoclaw");
            assertThat(echo.getClass().getClassLoader()).isSameAs(loader);
            assertThat(echo.descriptor().image().defaultImage()).contains("example.com/echoclaw:1.2.3");
            assertThat(adapters.descriptors())
                    .extracting(RuntimeDescriptor::runtimeId)
                    .contains("echoclaw");
        }
    }

    @Test
    void aBrokenServiceEntryFailsWithTheFileName() throws Exception {
        Path jar = buildJar("com.example.claw.DoesNotExist\n");
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            assertThatThrownBy(() -> RuntimeAdapters.load(loader))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("META-INF/services/io.k8s4claw.api.runtime.RuntimeAdapter")
                    .hasMessageContaining("com.example.claw.DoesNotExist");
        }
    }

    @Test
    void duplicateRuntimeIdsAreRefusedNamingBothClasses() throws Exception {
        Path jar = buildJar("com.example.claw.EchoClawAdapter\n");
        try (URLClassLoader a = new URLClassLoader(
                        new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
                URLClassLoader b = new URLClassLoader(
                        new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            List<RuntimeAdapter> twice = List.of(
                    a.loadClass("com.example.claw.EchoClawAdapter")
                            .asSubclass(RuntimeAdapter.class)
                            .getDeclaredConstructor()
                            .newInstance(),
                    b.loadClass("com.example.claw.EchoClawAdapter")
                            .asSubclass(RuntimeAdapter.class)
                            .getDeclaredConstructor()
                            .newInstance());
            assertThatThrownBy(() -> RuntimeAdapters.of(twice))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'echoclaw'")
                    .hasMessageContaining("com.example.claw.EchoClawAdapter");
        }
    }

    @Test
    void requireListsWhatIsAvailable() {
        assertThatThrownBy(() -> RuntimeAdapters.of(List.of()).require("hermesclaw"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'hermesclaw'")
                .hasMessageContaining("claw-runtime-adapters");
    }

    private Path buildJar(String serviceEntry) throws IOException {
        Path src = dir.resolve("src/com/example/claw/EchoClawAdapter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, ADAPTER_SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("tests need a JDK (javax.tools compiler)").isNotNull();
        int rc = javac.run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                src.toString());
        assertThat(rc).as("javac exit code").isZero();

        Path jar = dir.resolve("echoclaw-" + System.nanoTime() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + RuntimeAdapter.class.getName()));
            writeUtf8(out, serviceEntry);
            out.closeEntry();
        }
        return jar;
    }

    private static void writeUtf8(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }
}
