package io.k8s4claw.testkit.registry;

import io.k8s4claw.testkit.install.CachedInstall;
import io.k8s4claw.testkit.process.PeerProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A running CNCF distribution registry ({@link RegistryInstaller}) on a free loopback port, plain HTTP (as Docker
 * and crane expect of a loopback registry), filesystem storage in a fresh directory, and either open to anyone or in
 * token-auth mode ({@code auth: token} with {@link TokenIssuer} as its realm, the way ghcr.io and Docker Hub answer).
 * Test images are pushed with the built {@code crane}: a one-layer image made from a small file, tagged as asked.
 *
 * <p>The registry's own log is {@code <dir>/registry.log}; every crane call's output {@code <dir>/crane.log}.
 */
public final class OciRegistry implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final RegistryInstaller.Binaries binaries;
    private final Path dir;
    private final int port;
    private final Optional<TokenIssuer> tokens;
    private final Path dockerConfig;
    private final Process process;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private OciRegistry(
            RegistryInstaller.Binaries binaries,
            Path dir,
            int port,
            Optional<TokenIssuer> tokens,
            Path dockerConfig,
            Process process) {
        this.binaries = binaries;
        this.dir = dir;
        this.port = port;
        this.tokens = tokens;
        this.dockerConfig = dockerConfig;
        this.process = process;
    }

    /** An open registry: anyone pulls and pushes. */
    public static OciRegistry start(RegistryInstaller.Binaries binaries, Path dir) {
        return start(binaries, dir, Optional.empty(), null, null);
    }

    /**
     * A registry in token-auth mode: every request needs a token of {@code tokens}; crane pushes as
     * {@code user}/{@code password}, which the issuer must know.
     */
    public static OciRegistry startWithTokenAuth(
            RegistryInstaller.Binaries binaries, Path dir, TokenIssuer tokens, String user, String password) {
        return start(binaries, dir, Optional.of(tokens), user, password);
    }

    private static OciRegistry start(
            RegistryInstaller.Binaries binaries, Path dir, Optional<TokenIssuer> tokens, String user, String password) {
        try {
            Files.createDirectories(dir.resolve("storage"));
            int port = PeerProcesses.freeLoopbackPort();
            StringBuilder config =
                    new StringBuilder("""
                    version: 0.1
                    log:
                      level: info
                      accesslog:
                        disabled: false
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                      secret: %s
                    """.formatted(dir.resolve("storage"), port, PeerProcesses.randomHexSecret()));
            if (tokens.isPresent()) {
                Path jwks = tokens.get().writeJwks(dir.resolve("jwks.json"));
                config.append("""
                        auth:
                          token:
                            realm: %s
                            service: %s
                            issuer: %s
                            jwks: %s
                            signingalgorithms: [RS256]
                        """.formatted(tokens.get().realm(), tokens.get().service(), TokenIssuer.ISSUER, jwks));
            }
            Path configFile = Files.writeString(dir.resolve("config.yml"), config.toString());
            Path dockerConfig = Files.createDirectories(dir.resolve("docker-config"));
            String auths = user == null
                    ? "{}"
                    : "{\"127.0.0.1:" + port + "\":{\"auth\":\""
                            + Base64.getEncoder()
                                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))
                            + "\"}}";
            Files.writeString(dockerConfig.resolve("config.json"), "{\"auths\":" + auths + "}");
            ProcessBuilder pb = new ProcessBuilder(binaries.registry().toString(), "serve", configFile.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("registry.log").toFile()));
            pb.environment().put("OTEL_TRACES_EXPORTER", "none");
            Process process = pb.start();
            OciRegistry registry = new OciRegistry(binaries, dir, port, tokens, dockerConfig, process);
            registry.awaitServing();
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("starting the registry in " + dir + " failed", e);
        }
    }

    private void awaitServing() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the registry exited with " + process.exitValue() + "; see " + dir.resolve("registry.log"));
            }
            try {
                int code = http.send(
                                HttpRequest.newBuilder(URI.create(baseUrl() + "/v2/"))
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (code == 200 || code == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            PeerProcesses.pause(100);
        }
        close();
        throw new IllegalStateException(
                "the registry did not serve /v2/ within " + START_TIMEOUT + "; see " + dir.resolve("registry.log"));
    }

    /** {@code 127.0.0.1:<port>}: the registry part of an image reference. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public String baseUrl() {
        return "http://" + host();
    }

    public Optional<TokenIssuer> tokens() {
        return tokens;
    }

    /**
     * Pushes a one-layer image to {@code repository} under every tag given (the first tag is pushed, the others made
     * with {@code crane tag}); {@code content} makes the layer, so different contents give different digests.
     */
    public void push(String repository, String content, String... tags) {
        try {
            Path layerDir = Files.createTempDirectory(dir, "layer");
            Files.writeString(layerDir.resolve("version.txt"), content);
            Path tar = layerDir.resolve("layer.tar");
            run(List.of("tar", "-C", layerDir.toString(), "-cf", tar.toString(), "version.txt"), "tar");
            String ref = host() + "/" + repository + ":" + tags[0];
            crane("append", "--new_layer", tar.toString(), "--new_tag", ref);
            for (int i = 1; i < tags.length; i++) {
                crane("tag", ref, tags[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code crane ls}: the tags as crane lists them (through the same auth flow). */
    public List<String> tags(String repository) {
        String out = crane("ls", host() + "/" + repository);
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }

    /** Runs crane with this registry's credentials; returns its standard output. */
    public String crane(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binaries.crane().toString());
        command.addAll(List.of(args));
        return run(command, "crane " + args[0]);
    }

    private String run(List<String> command, String what) {
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("crane.log").toFile()));
            pb.environment().put("DOCKER_CONFIG", dockerConfig.toString());
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within 120 s; see " + dir.resolve("crane.log"));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed with exit code " + p.exitValue() + "; see "
                        + dir.resolve("crane.log") + ":\n" + CachedInstall.tail(dir.resolve("crane.log"), 10));
            }
            return Files.readString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        PeerProcesses.stopTree(process, false, Duration.ofSeconds(5));
    }
}
