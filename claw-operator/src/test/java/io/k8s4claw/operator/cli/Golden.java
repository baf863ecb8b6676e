package io.k8s4claw.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/golden/}. {@code -Dgolden.update=true} rewrites them from the
 * current output (then review the diff with git before committing).
 */
final class Golden {

    static final Path DIR = Path.of("src/test/resources/golden");

    private Golden() {
    }

    static void assertMatches(String name, String actual) {
        Path file = DIR.resolve(name);
        try {
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual);
            }
            assertThat(file).as("golden file %s (regenerate: ./mvnw -pl claw-operator test -Dgolden.update=true)", file).exists();
            assertThat(actual).as("output differs from %s (regenerate with -Dgolden.update=true and review the diff)", file)
                    .isEqualTo(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
