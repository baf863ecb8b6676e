package io.k8s4claw.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Golden files under {@code src/test/resources/golden/} (and, through {@link #rewriteAndFail}, the copies of
 * generated files kept elsewhere in the repository). {@code -Dgolden.update=true} rewrites them from the current
 * output; review the diff with git, then run again without the flag.
 *
 * <p>Update mode writes and then fails, naming what it rewrote: a run that rewrote its expectations has checked
 * nothing, so it must never be green. It is refused when the {@code CI} environment variable is set (the build
 * refuses it up front too: the root pom's {@code refuse-golden-update-in-ci} profile).
 */
public final class Golden {

    static final Path DIR = Path.of("src/test/resources/golden");

    private Golden() {}

    /** Whether this run rewrites golden files ({@code -Dgolden.update=true}); throws under CI, where it is refused. */
    public static boolean updating() {
        if (!Boolean.getBoolean("golden.update")) {
            return false;
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("-Dgolden.update=true is refused when CI is set: golden files are reviewed "
                    + "changes, a CI run only checks them");
        }
        return true;
    }

    /**
     * Update mode only: writes each file (path to content), then fails listing each one as changed or unchanged
     * and telling to re-run without the flag.
     */
    public static void rewriteAndFail(Map<Path, String> files) {
        List<String> written = new ArrayList<>();
        try {
            for (Map.Entry<Path, String> e : files.entrySet()) {
                Path file = e.getKey();
                boolean changed = !Files.exists(file) || !Files.readString(file).equals(e.getValue());
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue());
                written.add(file + (changed ? " (changed)" : " (unchanged)"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("golden.update rewrote " + String.join(", ", written)
                + ". An update run checks nothing: review the diff with git, then re-run without -Dgolden.update");
    }

    static void assertMatches(String name, String actual) {
        Path file = DIR.resolve(name);
        if (updating()) {
            rewriteAndFail(Map.of(file, actual));
        }
        try {
            assertThat(file)
                    .as("golden file %s (regenerate: ./mvnw -pl claw-operator test -Dgolden.update=true)", file)
                    .exists();
            assertThat(actual)
                    .as("output differs from %s (regenerate with -Dgolden.update=true and review the diff)", file)
                    .isEqualTo(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
