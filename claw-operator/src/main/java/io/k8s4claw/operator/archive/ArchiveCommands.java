package io.k8s4claw.operator.archive;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code claw archive} and {@code claw restore}: what the archive Job and the restore init container run (in the
 * operator's image). Credentials come from the environment ({@link S3Target}); the outcome, success or failure, is
 * one line on stdout and in {@code --result-file} (the container's termination message, which the operator reads).
 * Exit codes: 0 done; 2 credentials; 3 missing; 4 corrupt; 5 transfer; 6 local.
 */
public final class ArchiveCommands {

    private ArchiveCommands() {}

    /** Options both commands share: where the object store is. */
    static final class Store {
        @Option(names = "--bucket", required = true, description = "Bucket.")
        String bucket;

        @Option(
                names = "--key",
                required = true,
                description = "Object key of the archive (its checksum is KEY.sha256).")
        String key;

        @Option(names = "--endpoint", description = "S3-compatible endpoint URL; AWS S3 when absent.")
        URI endpoint;

        @Option(
                names = "--region",
                defaultValue = S3Target.DEFAULT_REGION,
                description = "Region (default: ${DEFAULT-VALUE}).")
        String region;

        @Option(names = "--path-style", description = "Path-style addressing (MinIO, SeaweedFS, ...).")
        boolean pathStyle;

        @Option(
                names = "--result-file",
                description = "Also write the one-line outcome here (e.g. /dev/termination-log).")
        Path resultFile;

        S3Client client() {
            return new S3Target(endpoint, region, pathStyle, bucket).client(System.getenv());
        }

        int report(PrintWriter out, String line, int exit) {
            out.println(line);
            out.flush();
            if (resultFile != null) {
                try {
                    Files.writeString(resultFile, line + "\n", StandardCharsets.UTF_8);
                } catch (IOException e) {
                    out.println("warning: cannot write " + resultFile + ": " + e.getMessage());
                }
            }
            return exit;
        }
    }

    static int exitCode(ArchiveException.Kind kind) {
        return switch (kind) {
            case CREDENTIALS -> 2;
            case MISSING -> 3;
            case CORRUPT -> 4;
            case TRANSFER -> 5;
            case LOCAL -> 6;
        };
    }

    @Command(
            name = "archive",
            mixinStandardHelpOptions = true,
            description =
                    "Archive a directory (a Claw's volume) to S3-compatible storage as KEY (tar.gz) and KEY.sha256.")
    public static final class Archive implements Callable<Integer> {
        @CommandLine.Mixin
        Store store = new Store();

        @Option(names = "--dir", required = true, description = "Directory to archive.")
        Path dir;

        @Option(
                names = "--part-size-mib",
                defaultValue = "16",
                description = "Multipart part size in MiB (≥ 5; default ${DEFAULT-VALUE}).")
        int partSizeMib;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (S3Client s3 = store.client()) {
                VolumeArchive.Archived a =
                        VolumeArchive.archive(dir, s3, store.bucket, store.key, partSizeMib * 1024 * 1024);
                return store.report(
                        out,
                        "archived " + a.files() + " file(s), " + a.bytes() + " bytes in " + a.parts()
                                + " part(s) to s3://" + store.bucket + "/" + a.key() + " sha256:" + a.sha256(),
                        0);
            } catch (ArchiveException e) {
                return store.report(out, "archive failed (" + e.kind() + "): " + e.getMessage(), exitCode(e.kind()));
            }
        }
    }

    @Command(
            name = "restore",
            mixinStandardHelpOptions = true,
            description =
                    "Restore an archive made by 'claw archive' into an empty directory, checking its SHA-256 first.")
    public static final class Restore implements Callable<Integer> {
        @CommandLine.Mixin
        Store store = new Store();

        @Option(names = "--dir", required = true, description = "Empty directory (a fresh volume) to restore into.")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (S3Client s3 = store.client()) {
                VolumeArchive.Restored r = VolumeArchive.restore(s3, store.bucket, store.key, dir);
                return store.report(
                        out,
                        r.alreadyRestored()
                                ? "already restored from s3://" + store.bucket + "/" + r.key()
                                : "restored " + r.files() + " file(s) from s3://" + store.bucket + "/" + r.key() + " ("
                                        + r.bytes() + " bytes, sha256:" + r.sha256() + ")",
                        0);
            } catch (ArchiveException e) {
                return store.report(out, "restore failed (" + e.kind() + "): " + e.getMessage(), exitCode(e.kind()));
            }
        }
    }
}
