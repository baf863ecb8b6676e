package io.k8s4claw.testkit.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Go module's source fetched, not built, for files it carries (CRD definitions, say): {@code go mod download -json
 * module@version} through the Go module proxy, the module's hash checked against a pinned go.sum line so different
 * content can never be taken for it.
 *
 * @param module  module path
 * @param version exact version
 * @param sum     its go.sum {@code h1:} hash (of the module zip)
 */
public record GoModuleDownload(String module, String version, String sum) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The files {@code directory/<name>} of the module copied into {@code cache}'s directory {@code <version>/}
     * (fetched only when a complete copy is not there yet); a file the module lacks fails the fetch, naming it.
     */
    public List<Path> copyFiles(String go, PeerCache cache, String what, String directory, List<String> names) {
        Path target = cache.dir().resolve(version);
        cache.ensure(target, what, staging -> {
            Path moduleDir = fetch(go, staging);
            for (String name : names) {
                Path file = moduleDir.resolve(directory).resolve(name);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalStateException(module + "@" + version + " has no " + directory + "/" + name);
                }
                Files.copy(file, staging.resolve(name));
            }
        });
        return names.stream().map(target::resolve).toList();
    }

    /** The module's directory in Go's module cache (read-only); {@code workDir} holds the command's log meanwhile. */
    public Path fetch(String go, Path workDir) throws IOException {
        String coordinate = module + "@" + version;
        Path log = workDir.resolve("go-mod-download.json");
        ProcessBuilder pb = new ProcessBuilder(go, "mod", "download", "-json", coordinate)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("GO111MODULE", "on");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run '" + go + "': Go is needed to fetch " + coordinate + " for the tests"
                            + " (install Go, or point $" + GoModuleBuild.GO_ENV + " at a go binary)",
                    e);
        }
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("go mod download " + coordinate + " did not finish within 10 minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted fetching " + coordinate, e);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        JsonNode info;
        try {
            info = JSON.readTree(output);
        } catch (IOException e) {
            throw new IllegalStateException("go mod download " + coordinate + " failed with exit code "
                    + process.exitValue() + ": " + CachedInstall.tail(log, 10));
        }
        if (info == null || info.hasNonNull("Error") || process.exitValue() != 0) {
            throw new IllegalStateException(
                    "go mod download " + coordinate + " failed (is the Go module proxy reachable? GOPROXY="
                            + System.getenv().getOrDefault("GOPROXY", "default") + "): "
                            + (info == null ? output : info.path("Error").asText(output)));
        }
        String got = info.path("Sum").asText();
        if (!sum.equals(got)) {
            throw new IllegalStateException(coordinate + " has hash " + got + ", not the pinned " + sum
                    + ": the module proxy served different content; do not use it");
        }
        Files.delete(log);
        return Path.of(info.path("Dir").asText());
    }
}
