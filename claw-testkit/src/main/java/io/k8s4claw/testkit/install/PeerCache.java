package io.k8s4claw.testkit.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Where a test peer is installed once per machine, and how it gets there: {@link CachedInstall}'s discipline (staging
 * directory, completion marker, move into place) under a file lock that serialises the test JVMs of a parallel build.
 *
 * @param dir the peer's cache directory, e.g. {@code ~/.cache/k8s4claw/kubernetes}
 * @param relocateEnv the environment variable that relocates it (named in error messages)
 */
public record PeerCache(Path dir, String relocateEnv) {

    private static final Object JVM_LOCK = new Object();

    /** Fills a staging directory; throws when anything fails. */
    @FunctionalInterface
    public interface Install {
        void into(Path staging) throws IOException;
    }

    /** {@code -D<property>}, else {@code $<env>}, else {@code ~/.cache/k8s4claw/<name>}. */
    public static PeerCache fromEnvironment(String property, String env, String name) {
        String dir = System.getProperty(property);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(env);
        }
        Path path = dir == null || dir.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "k8s4claw", name)
                : Path.of(dir);
        return new PeerCache(path.toAbsolutePath(), env);
    }

    /** Installs {@code target} (a directory of this cache) unless a complete one is there; {@code what} names it. */
    public Path ensure(Path target, String what, Install install) {
        if (CachedInstall.isComplete(target)) {
            return target;
        }
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(dir);
                try (FileChannel lockFile = FileChannel.open(
                                dir.resolve(".build.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock ignored = lockFile.lock()) {
                    if (!CachedInstall.isComplete(target)) {
                        installInto(target, what, install);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "installing " + what + " into " + dir + " failed: " + e.getMessage()
                                + " (relocate the cache with $" + relocateEnv + ")",
                        e);
            }
        }
        return target;
    }

    private void installInto(Path target, String what, Install install) throws IOException {
        Path staging = CachedInstall.freshStaging(target);
        long started = System.nanoTime();
        install.into(staging);
        CachedInstall.complete(
                staging,
                target,
                what + " installed in "
                        + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s");
    }
}
