package io.k8s4claw.operator.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.testkit.s3.CuttingProxy;
import io.k8s4claw.testkit.s3.SeaweedFsServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * {@link VolumeArchive} against a real S3-compatible server: SeaweedFS built from its Go module and run on loopback
 * ({@link SeaweedFsServer}), which checks SigV4 signatures against its configured identity. Network cuts are made by
 * {@link CuttingProxy} between the client and the server.
 */
class VolumeArchiveOnSeaweedFsTest {

    static final int PART = VolumeArchive.MIN_PART_SIZE;
    static SeaweedFsServer seaweed;
    static S3Client direct;
    static final String BUCKET = "claw-archives";

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() {
        seaweed = SeaweedFsServer.start();
        direct = client(seaweed.endpoint(), seaweed.accessKey(), seaweed.secretKey());
        direct.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stopServer() {
        if (direct != null) {
            direct.close();
        }
        if (seaweed != null) {
            seaweed.close();
        }
    }

    static S3Client client(URI endpoint, String accessKey, String secretKey) {
        return new S3Target(endpoint, null, true, BUCKET)
                .client(Map.of(S3Target.ACCESS_KEY_ENV, accessKey, S3Target.SECRET_KEY_ENV, secretKey));
    }

    /**
     * An agent's volume: a 12 MiB incompressible file (so the gzipped tar spans three 5 MiB parts), small files, a
     * symlink.
     */
    Path volume(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        byte[] big = new byte[12 * 1024 * 1024];
        new Random(42).nextBytes(big);
        Files.write(dir.resolve("state.db"), big);
        Files.createDirectories(dir.resolve("memories/2026"));
        Files.writeString(dir.resolve("memories/2026/notes.md"), "# remembered\nthe user prefers tea\n");
        Files.writeString(dir.resolve("skills.json"), "{\"skills\":[\"web-search\"]}");
        Files.setPosixFilePermissions(dir.resolve("skills.json"), PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(dir.resolve("a".repeat(80) + "/" + "b".repeat(80)));
        Files.writeString(
                dir.resolve("a".repeat(80) + "/" + "b".repeat(80) + "/long-path.txt"), "past ustar's 100 characters");
        Files.createSymbolicLink(dir.resolve("latest"), Path.of("memories/2026/notes.md"));
        return dir;
    }

    /** Every entry's relative path with its content hash (files), target (links) or "dir". */
    static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> !p.equals(dir)).toList()) {
                String name = dir.relativize(p).toString();
                if (name.equals(VolumeArchive.RESTORED_MARKER)) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    out.put(name, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(name, "dir");
                } else {
                    out.put(
                            name,
                            HexFormat.of().formatHex(VolumeArchive.sha256().digest(Files.readAllBytes(p))) + " "
                                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                }
            }
        }
        return out;
    }

    @Test
    void aVolumeLargerThanOnePartGoesUpInPartsAndComesBackIdentical() throws IOException {
        Path volume = volume("session");
        VolumeArchive.Archived archived =
                VolumeArchive.archive(volume, direct, BUCKET, "ns/agent/session/1.tar.gz", PART);
        assertThat(archived.parts()).isGreaterThanOrEqualTo(3);
        assertThat(archived.bytes()).isGreaterThan(2L * PART);
        assertThat(archived.files()).isEqualTo(4);
        assertThat(direct.headObject(b -> b.bucket(BUCKET).key("ns/agent/session/1.tar.gz"))
                        .contentLength())
                .isEqualTo(archived.bytes());
        assertThat(direct.getObjectAsBytes(b -> b.bucket(BUCKET).key("ns/agent/session/1.tar.gz.sha256"))
                        .asUtf8String())
                .isEqualTo(archived.sha256() + "  1.tar.gz\n");

        Path restored = tmp.resolve("restored");
        VolumeArchive.Restored r = VolumeArchive.restore(direct, BUCKET, "ns/agent/session/1.tar.gz", restored);
        assertThat(r.sha256()).isEqualTo(archived.sha256());
        assertThat(r.files()).isEqualTo(4);
        assertThat(tree(restored)).isEqualTo(tree(volume));
        assertThat(Files.readString(restored.resolve(VolumeArchive.RESTORED_MARKER))
                        .strip())
                .isEqualTo("ns/agent/session/1.tar.gz");
        // A restarted init step does not restore twice.
        assertThat(VolumeArchive.restore(direct, BUCKET, "ns/agent/session/1.tar.gz", restored)
                        .alreadyRestored())
                .isTrue();
    }

    @Test
    void aConnectionCutMidUploadIsRetriedAndTheArchiveIsWhole() throws IOException {
        Path volume = volume("workspace");
        try (CuttingProxy proxy = new CuttingProxy(seaweed.s3Port(), 2L * 1024 * 1024, 1);
                S3Client viaProxy = client(
                        URI.create("http://127.0.0.1:" + proxy.port()), seaweed.accessKey(), seaweed.secretKey())) {
            VolumeArchive.Archived archived =
                    VolumeArchive.archive(volume, viaProxy, BUCKET, "ns/agent/workspace/cut.tar.gz", PART);
            assertThat(proxy.cutsMade()).isEqualTo(1);
            assertThat(archived.parts()).isGreaterThanOrEqualTo(3);
        }
        Path restored = tmp.resolve("restored-after-cut");
        VolumeArchive.restore(direct, BUCKET, "ns/agent/workspace/cut.tar.gz", restored);
        assertThat(tree(restored)).isEqualTo(tree(volume));
    }

    @Test
    void anOutageFailsTheArchiveAsTransferAndLeavesNoObject() throws IOException {
        Path volume = volume("output");
        try (CuttingProxy proxy = new CuttingProxy(seaweed.s3Port(), 1024 * 1024, -1);
                S3Client viaProxy = client(
                        URI.create("http://127.0.0.1:" + proxy.port()), seaweed.accessKey(), seaweed.secretKey())) {
            assertThatThrownBy(() ->
                            VolumeArchive.archive(volume, viaProxy, BUCKET, "ns/agent/output/outage.tar.gz", PART))
                    .isInstanceOfSatisfying(
                            ArchiveException.class, e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.TRANSFER))
                    .hasMessageContaining("archiving " + volume);
            assertThat(proxy.cutsMade()).isGreaterThanOrEqualTo(3); // the SDK's retries, each cut again
        }
        assertThatThrownBy(() -> direct.headObject(b -> b.bucket(BUCKET).key("ns/agent/output/outage.tar.gz")))
                .isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> direct.headObject(b -> b.bucket(BUCKET).key("ns/agent/output/outage.tar.gz.sha256")))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void wrongCredentialsAreRefusedAndSaySo() throws IOException {
        Path volume = volume("creds");
        try (S3Client wrong = client(seaweed.endpoint(), seaweed.accessKey(), "not-the-secret")) {
            assertThatThrownBy(
                            () -> VolumeArchive.archive(volume, wrong, BUCKET, "ns/agent/session/creds.tar.gz", PART))
                    .isInstanceOfSatisfying(
                            ArchiveException.class,
                            e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.CREDENTIALS))
                    .hasMessageContaining("refused the credentials")
                    .hasMessageNotContaining("not-the-secret");
            assertThatThrownBy(
                            () -> VolumeArchive.restore(wrong, BUCKET, "ns/agent/session/1.tar.gz", tmp.resolve("r")))
                    .isInstanceOfSatisfying(
                            ArchiveException.class,
                            e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.CREDENTIALS));
        }
        try (S3Client unknown = client(seaweed.endpoint(), "AKNOBODY", "whatever")) {
            assertThatThrownBy(
                            () -> VolumeArchive.archive(volume, unknown, BUCKET, "ns/agent/session/creds.tar.gz", PART))
                    .isInstanceOfSatisfying(
                            ArchiveException.class,
                            e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.CREDENTIALS));
        }
        assertThatThrownBy(() -> direct.headObject(b -> b.bucket(BUCKET).key("ns/agent/session/creds.tar.gz")))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void aMissingOrCorruptArchiveIsReportedAndNothingIsUnpacked() throws IOException {
        Path empty = tmp.resolve("fresh");
        assertThatThrownBy(() -> VolumeArchive.restore(direct, BUCKET, "ns/agent/session/never.tar.gz", empty))
                .isInstanceOfSatisfying(
                        ArchiveException.class, e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.MISSING))
                .hasMessageContaining("never.tar.gz.sha256");

        VolumeArchive.Archived good =
                VolumeArchive.archive(volume("tampered"), direct, BUCKET, "ns/agent/session/tampered.tar.gz", PART);
        // The object replaced behind the checksum's back (a truncated copy: what a half-finished overwrite leaves).
        byte[] original = direct.getObjectAsBytes(b -> b.bucket(BUCKET).key("ns/agent/session/tampered.tar.gz"))
                .asByteArray();
        direct.putObject(
                b -> b.bucket(BUCKET).key("ns/agent/session/tampered.tar.gz"),
                RequestBody.fromBytes(Arrays.copyOf(original, original.length / 2)));
        assertThatThrownBy(() -> VolumeArchive.restore(direct, BUCKET, "ns/agent/session/tampered.tar.gz", empty))
                .isInstanceOfSatisfying(
                        ArchiveException.class, e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.CORRUPT))
                .hasMessageContaining("says " + good.sha256())
                .hasMessageContaining("nothing was unpacked");
        try (Stream<Path> left = Files.list(empty)) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void restoringOverExistingDataIsRefused() throws IOException {
        VolumeArchive.archive(volume("src"), direct, BUCKET, "ns/agent/session/over.tar.gz", PART);
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("memory.db"), "the agent's current memory", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> VolumeArchive.restore(direct, BUCKET, "ns/agent/session/over.tar.gz", used))
                .isInstanceOfSatisfying(
                        ArchiveException.class, e -> assertThat(e.kind()).isEqualTo(ArchiveException.Kind.LOCAL))
                .hasMessageContaining("not empty (memory.db)");
        assertThat(Files.readString(used.resolve("memory.db"))).isEqualTo("the agent's current memory");
    }

    /**
     * {@code claw archive} / {@code claw restore} as the Job and the init step run them: a process, credentials in its
     * environment.
     */
    record Run(int exit, String result) {}

    Run claw(Map<String, String> env, String... args) throws Exception {
        Path result = Files.createTempFile(tmp, "result", ".txt");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.k8s4claw.operator.cli.ClawCommand"));
        command.addAll(List.of(args));
        command.addAll(List.of(
                "--bucket",
                BUCKET,
                "--endpoint",
                seaweed.endpoint().toString(),
                "--path-style",
                "--result-file",
                result.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("cli.log").toFile());
        pb.environment().remove(S3Target.ACCESS_KEY_ENV);
        pb.environment().remove(S3Target.SECRET_KEY_ENV);
        pb.environment().putAll(env);
        Process process = pb.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), Files.readString(result).strip());
    }

    @Test
    void theCliArchivesAndRestoresWithCredentialsFromItsEnvironmentAndSaysWhatHappenedInItsExitCodeAndResultFile()
            throws Exception {
        Path volume = volume("cli");
        Map<String, String> env =
                Map.of(S3Target.ACCESS_KEY_ENV, seaweed.accessKey(), S3Target.SECRET_KEY_ENV, seaweed.secretKey());
        Run archived = claw(
                env,
                "archive",
                "--dir",
                volume.toString(),
                "--key",
                "ns/cli/session/u1.tar.gz",
                "--part-size-mib",
                "5");
        assertThat(archived.exit()).isZero();
        assertThat(archived.result())
                .startsWith("archived 4 file(s), ")
                .contains(" part(s) to s3://" + BUCKET + "/ns/cli/session/u1.tar.gz sha256:");

        Path target = tmp.resolve("cli-restored");
        Run restored = claw(env, "restore", "--dir", target.toString(), "--key", "ns/cli/session/u1.tar.gz");
        assertThat(restored.exit()).isZero();
        assertThat(restored.result())
                .startsWith("restored 4 file(s) from s3://" + BUCKET + "/ns/cli/session/u1.tar.gz");
        assertThat(tree(target)).isEqualTo(tree(volume));

        Run missing = claw(
                env, "restore", "--dir", tmp.resolve("cli-missing").toString(), "--key", "ns/cli/session/none.tar.gz");
        assertThat(missing.exit()).isEqualTo(3);
        assertThat(missing.result()).startsWith("restore failed (MISSING): ");

        Run refused = claw(
                Map.of(S3Target.ACCESS_KEY_ENV, seaweed.accessKey(), S3Target.SECRET_KEY_ENV, "wrong"),
                "archive",
                "--dir",
                volume.toString(),
                "--key",
                "ns/cli/session/u2.tar.gz");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.result())
                .startsWith("archive failed (CREDENTIALS): ")
                .doesNotContain("wrong");

        Run noCredentials = claw(Map.of(), "archive", "--dir", volume.toString(), "--key", "ns/cli/session/u3.tar.gz");
        assertThat(noCredentials.exit()).isEqualTo(2);
        assertThat(noCredentials.result())
                .contains("no object-storage credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }
}
