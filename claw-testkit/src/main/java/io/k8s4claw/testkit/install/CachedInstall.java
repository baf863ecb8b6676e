package io.k8s4claw.testkit.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cache discipline shared by the test-peer installers: a component is built in a staging directory next to
 * its final place, gets a completion marker only when its installer succeeded, and is then moved into place, so a
 * half-finished install is never taken for a good one. Callers hold a file lock over the cache while installing.
 */
public final class CachedInstall {

    public static final String COMPLETE_MARKER = ".k8s4claw-install-complete";

    private CachedInstall() {}

    /** Whether {@code dir} holds a finished install. */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(COMPLETE_MARKER));
    }

    /** A fresh staging directory for {@code target}, private to this process. */
    public static Path freshStaging(Path target) throws IOException {
        Path staging = target.resolveSibling(
                target.getFileName() + ".staging-" + ProcessHandle.current().pid());
        deleteRecursively(staging);
        deleteRecursively(target);
        Files.createDirectories(staging);
        return staging;
    }

    /** Marks {@code staging} complete with {@code note} and moves it to {@code target}. */
    public static void complete(Path staging, Path target, String note) throws IOException {
        Files.writeString(staging.resolve(COMPLETE_MARKER), note + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        }
    }

    /** The last {@code lines} lines of a log, for error messages. */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
