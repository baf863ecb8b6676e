package io.k8s4claw.testkit.s3;

import io.k8s4claw.testkit.install.CachedInstall;
import io.k8s4claw.testkit.process.PeerProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A real SeaweedFS ({@code weed server}: master, volume server, filer and S3 gateway in one process) on loopback,
 * with one S3 identity whose access key and secret are random per run. Its data lives in a temporary directory
 * deleted on {@link #close}. Every port is a free loopback port (gRPC ports too, which weed would otherwise put at
 * port + 10000).
 */
public final class SeaweedFsServer implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int s3Port;
    private final String accessKey;
    private final String secretKey;

    private SeaweedFsServer(Process process, Path dir, int s3Port, String accessKey, String secretKey) {
        this.process = process;
        this.dir = dir;
        this.s3Port = s3Port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Builds weed if needed ({@link SeaweedFsInstaller}), starts it and waits until its S3 port answers. */
    public static SeaweedFsServer start() {
        Path weed = SeaweedFsInstaller.ensureBuilt();
        try {
            Path dir = Files.createTempDirectory("k8s4claw-seaweedfs-");
            String accessKey =
                    "AK" + PeerProcesses.randomHexSecret().substring(0, 18).toUpperCase();
            String secretKey = PeerProcesses.randomHexSecret();
            Path config = dir.resolve("s3.json");
            Files.writeString(config, """
                    {"identities": [{"name": "k8s4claw-test", "credentials": [{"accessKey": "%s", "secretKey": "%s"}],
                      "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
                    """.formatted(accessKey, secretKey), StandardCharsets.UTF_8);
            Path data = Files.createDirectories(dir.resolve("data"));
            int master = PeerProcesses.freeLoopbackPort();
            int volume = PeerProcesses.freeLoopbackPort();
            int filer = PeerProcesses.freeLoopbackPort();
            int s3 = PeerProcesses.freeLoopbackPort();
            List<String> command = new ArrayList<>(List.of(
                    weed.toString(),
                    "server",
                    "-ip=127.0.0.1",
                    "-ip.bind=127.0.0.1",
                    "-dir=" + data,
                    "-master.port=" + master,
                    "-master.port.grpc=" + PeerProcesses.freeLoopbackPort(),
                    "-master.volumeSizeLimitMB=64",
                    "-volume.port=" + volume,
                    "-volume.port.grpc=" + PeerProcesses.freeLoopbackPort(),
                    "-filer",
                    "-filer.port=" + filer,
                    "-filer.port.grpc=" + PeerProcesses.freeLoopbackPort(),
                    "-s3",
                    "-s3.port=" + s3,
                    "-s3.port.grpc=" + PeerProcesses.freeLoopbackPort(),
                    "-s3.config=" + config));
            Path log = dir.resolve("weed.log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            SeaweedFsServer server = new SeaweedFsServer(process, dir, s3, accessKey, secretKey);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!server.answers()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException("SeaweedFS did not start its S3 gateway on 127.0.0.1:" + s3
                            + (process.isAlive() ? " within 90 s" : " (exit " + process.exitValue() + ")")
                            + "; last lines of " + log
                            + ":\n" + CachedInstall.tail(log, 30));
                }
                PeerProcesses.pause(250);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start SeaweedFS", e);
        }
    }

    /** Any HTTP answer from the S3 port (an anonymous request is refused with 403 once the gateway is up). */
    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint().toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            int code = c.getResponseCode();
            c.disconnect();
            return code > 0;
        } catch (IOException e) {
            return false;
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + s3Port);
    }

    public int s3Port() {
        return s3Port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        PeerProcesses.stopTree(process, false, Duration.ofSeconds(10));
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind
        }
    }
}
