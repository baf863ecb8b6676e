package io.k8s4claw.operator.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A volume's contents as one gzipped tar object in S3-compatible storage, plus a {@code <key>.sha256} object holding
 * the archive's SHA-256 (written last: an archive without it is incomplete). Archiving streams the tar through a
 * multipart upload part by part, so no copy of the volume is made; restoring downloads into the volume, checks the
 * hash before unpacking anything, unpacks and leaves a {@value #RESTORED_MARKER} file naming the key, so a restarted
 * init step does not restore twice.
 */
public final class VolumeArchive {

    /** S3's smallest part (all parts but the last must be at least this). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

    public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;
    public static final String CHECKSUM_SUFFIX = ".sha256";
    public static final String RESTORED_MARKER = ".claw-restored";
    private static final String DOWNLOAD_NAME = ".claw-restore-download.tar.gz";
    /** Present on fresh ext4 volumes; not data. */
    private static final Set<String> IGNORED_ON_EMPTY_CHECK = Set.of("lost+found", DOWNLOAD_NAME);

    /** What an archive run wrote. */
    public record Archived(String key, long bytes, int parts, String sha256, long files) {}

    /** What a restore found. */
    public record Restored(String key, long bytes, String sha256, long files, boolean alreadyRestored) {}

    private VolumeArchive() {}

    public static Archived archive(Path dir, S3Client s3, String bucket, String key, int partSize) {
        if (!Files.isDirectory(dir)) {
            throw new ArchiveException(ArchiveException.Kind.LOCAL, dir + " is not a directory: nothing to archive");
        }
        MessageDigest sha = sha256();
        long files;
        MultipartUpload upload = new MultipartUpload(s3, bucket, key, partSize);
        try {
            DigestOutputStream digest = new DigestOutputStream(upload, sha);
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(digest, 64 * 1024))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                files = writeTree(dir, tar);
            }
        } catch (IOException | RuntimeException e) {
            upload.abort();
            throw classify(e, "archiving " + dir + " to s3://" + bucket + "/" + key);
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        try {
            s3.putObject(
                    b -> b.bucket(bucket).key(key + CHECKSUM_SUFFIX).contentType("text/plain"),
                    RequestBody.fromString(hex + "  " + fileName(key) + "\n"));
        } catch (RuntimeException e) {
            throw classify(e, "writing the checksum s3://" + bucket + "/" + key + CHECKSUM_SUFFIX);
        }
        return new Archived(key, upload.bytes(), upload.parts(), hex, files);
    }

    public static Restored restore(S3Client s3, String bucket, String key, Path dir) {
        try {
            Files.createDirectories(dir);
            Path marker = dir.resolve(RESTORED_MARKER);
            if (Files.exists(marker)) {
                String done = Files.readString(marker, StandardCharsets.UTF_8).strip();
                if (done.equals(key)) {
                    return new Restored(key, 0, null, 0, true);
                }
                throw new ArchiveException(
                        ArchiveException.Kind.LOCAL,
                        dir + " was restored from " + done + ", not " + key + "; a volume is restored once");
            }
            try (Stream<Path> entries = Files.list(dir)) {
                List<String> present = entries.map(p -> p.getFileName().toString())
                        .filter(n -> !IGNORED_ON_EMPTY_CHECK.contains(n))
                        .toList();
                if (!present.isEmpty()) {
                    throw new ArchiveException(
                            ArchiveException.Kind.LOCAL,
                            dir + " is not empty (" + String.join(", ", present.subList(0, Math.min(5, present.size())))
                                    + "); restoring over existing data is refused");
                }
            }
        } catch (IOException e) {
            throw new ArchiveException(ArchiveException.Kind.LOCAL, "cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        String expected;
        try {
            expected = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key + CHECKSUM_SUFFIX))
                    .asUtf8String()
                    .strip()
                    .split("\\s+")[0];
        } catch (RuntimeException e) {
            throw classify(
                    e,
                    "reading the checksum s3://" + bucket + "/" + key + CHECKSUM_SUFFIX
                            + " (an archive without one was never completed)");
        }
        Path download = dir.resolve(DOWNLOAD_NAME);
        MessageDigest sha = sha256();
        long bytes;
        try {
            Files.deleteIfExists(download);
            s3.getObject(b -> b.bucket(bucket).key(key), ResponseTransformer.toFile(download));
            try (InputStream in = new DigestInputStream(Files.newInputStream(download), sha)) {
                bytes = in.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(download);
            throw classify(e, "downloading s3://" + bucket + "/" + key);
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(expected)) {
            deleteQuietly(download);
            throw new ArchiveException(
                    ArchiveException.Kind.CORRUPT,
                    "s3://" + bucket + "/" + key + " has SHA-256 " + actual + " but its checksum object says "
                            + expected + ": the archive is corrupt; nothing was unpacked");
        }
        long files;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GZIPInputStream(new BufferedInputStream(Files.newInputStream(download))))) {
            files = unpack(tar, dir);
        } catch (IOException e) {
            throw new ArchiveException(
                    ArchiveException.Kind.CORRUPT,
                    "s3://" + bucket + "/" + key + " matches its checksum but does" + " not unpack: " + e.getMessage(),
                    e);
        } finally {
            deleteQuietly(download);
        }
        try {
            Files.writeString(dir.resolve(RESTORED_MARKER), key + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ArchiveException(
                    ArchiveException.Kind.LOCAL, "cannot write " + RESTORED_MARKER + " in " + dir, e);
        }
        return new Restored(key, bytes, actual, files, false);
    }

    private static long writeTree(Path dir, TarArchiveOutputStream tar) throws IOException {
        long files = 0;
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(p -> !p.equals(dir)).sorted().toList();
        }
        for (Path p : paths) {
            String name = dir.relativize(p).toString().replace('\\', '/');
            if (name.equals(RESTORED_MARKER)
                    || name.equals(DOWNLOAD_NAME)
                    || name.equals("lost+found")
                    || name.startsWith("lost+found/")) {
                continue;
            }
            TarArchiveEntry entry;
            boolean regular = false;
            if (Files.isSymbolicLink(p)) {
                entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                entry.setLinkName(Files.readSymbolicLink(p).toString());
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                entry = new TarArchiveEntry(p.toFile(), name + "/");
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                entry = new TarArchiveEntry(p.toFile(), name);
                regular = true;
                files++;
            } else {
                continue; // sockets, fifos: not data
            }
            mode(p).ifPresent(entry::setMode);
            tar.putArchiveEntry(entry);
            // Not entry.isFile(): commons-compress calls any entry not ending in '/' a file, symlinks included.
            if (regular) {
                try (InputStream in = Files.newInputStream(p)) {
                    in.transferTo(tar);
                }
            }
            tar.closeArchiveEntry();
        }
        return files;
    }

    private static long unpack(TarArchiveInputStream tar, Path dir) throws IOException {
        long files = 0;
        Path root = dir.toAbsolutePath().normalize();
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            Path target = root.resolve(entry.getName()).normalize();
            if (!target.startsWith(root) || target.equals(root)) {
                throw new IOException("entry " + entry.getName() + " points outside the volume");
            }
            if (entry.isDirectory()) {
                Files.createDirectories(target);
            } else if (entry.isSymbolicLink()) {
                Files.createDirectories(target.getParent());
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                continue;
            } else if (entry.isFile()) {
                Files.createDirectories(target.getParent());
                Files.copy(tar, target);
                files++;
            } else {
                continue;
            }
            setMode(target, entry.getMode());
        }
        return files;
    }

    private static Optional<Integer> mode(Path p) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            int mode = 0;
            for (PosixFilePermission perm : perms) {
                mode |= 1 << (8 - perm.ordinal());
            }
            return Optional.of(mode);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static void setMode(Path p, int mode) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(s.toString()));
        } catch (IOException | UnsupportedOperationException e) {
            // a filesystem without POSIX modes keeps its defaults
        }
    }

    /** Turns an SDK or I/O failure into what it means for the user. */
    static ArchiveException classify(Throwable e, String doing) {
        if (e instanceof ArchiveException a) {
            return a;
        }
        // The stream layers (gzip, tar) may wrap what the object store said: judge by the store's own answer.
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof S3Exception || c instanceof ArchiveException) {
                return classify(c, doing);
            }
        }
        if (e instanceof NoSuchKeyException) {
            return new ArchiveException(ArchiveException.Kind.MISSING, doing + ": no such object", e);
        }
        if (e instanceof S3Exception s3) {
            String code =
                    s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            if (s3.statusCode() == 403
                    || "InvalidAccessKeyId".equals(code)
                    || "SignatureDoesNotMatch".equals(code)
                    || "AccessDenied".equals(code)) {
                return new ArchiveException(
                        ArchiveException.Kind.CREDENTIALS,
                        doing + ": the object store refused the credentials (" + code + "); check the archive Secret's "
                                + S3Target.ACCESS_KEY_ENV + " and " + S3Target.SECRET_KEY_ENV,
                        e);
            }
            if (s3.statusCode() == 404) {
                return new ArchiveException(
                        ArchiveException.Kind.MISSING, doing + ": " + (code == null ? "not found" : code), e);
            }
            return new ArchiveException(
                    ArchiveException.Kind.TRANSFER, doing + ": HTTP " + s3.statusCode() + " " + code, e);
        }
        if (e instanceof SdkClientException || e instanceof IOException || e.getCause() instanceof IOException) {
            return new ArchiveException(ArchiveException.Kind.TRANSFER, doing + ": " + e.getMessage(), e);
        }
        return new ArchiveException(ArchiveException.Kind.TRANSFER, doing + ": " + e, e);
    }

    private static String fileName(String key) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left for the next attempt, which deletes it first
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
