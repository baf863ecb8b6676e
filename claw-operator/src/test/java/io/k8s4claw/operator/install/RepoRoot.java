package io.k8s4claw.operator.install;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, whether tests run from the reactor root or the module directory. */
public final class RepoRoot {
    private RepoRoot() {}

    public static Path path() {
        String configured = System.getProperty("repo.root");
        Path start = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("mvnw")) && Files.isDirectory(p.resolve("claw-operator"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root above " + start);
    }
}
