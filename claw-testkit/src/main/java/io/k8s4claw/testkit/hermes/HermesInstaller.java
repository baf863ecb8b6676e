package io.k8s4claw.testkit.hermes;

import io.k8s4claw.testkit.install.CachedInstall;
import io.k8s4claw.testkit.install.PeerCache;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs the real Hermes Agent ({@code hermes-agent} from PyPI, version {@value #HERMES_VERSION}) into a
 * virtual environment in a cache directory, once, from the hash-locked {@code peer/requirements.txt} resource of
 * this package ({@code pip install --require-hashes --no-deps --only-binary=:all:}).
 *
 * <p>Cache: {@code $K8S4CLAW_HERMES_CACHE} (or system property {@code k8s4claw.hermes.cache}), default
 * {@code ~/.cache/k8s4claw/hermes}. The install directory's name carries the requirements file's hash, so a
 * changed lock installs afresh; it is built in a staging directory and moved into place only after pip succeeded
 * and {@code hermes_cli} imports, under a file lock that serialises parallel test JVMs ({@link PeerCache}). Python is
 * {@code $K8S4CLAW_PYTHON} or {@code python3} on {@code PATH} and must be 3.11–3.13 (what hermes-agent 0.19.0
 * declares). pip's output goes to {@code <cache>/install-hermes.log}.
 */
public final class HermesInstaller {

    public static final String HERMES_VERSION = "0.19.0";
    public static final String CACHE_ENV = "K8S4CLAW_HERMES_CACHE";
    public static final String CACHE_PROPERTY = "k8s4claw.hermes.cache";
    public static final String PYTHON_ENV = "K8S4CLAW_PYTHON";

    private static final String REQUIREMENTS = "/io/k8s4claw/testkit/hermes/peer/requirements.txt";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(15);

    private final PeerCache cache;
    private final String python;

    public HermesInstaller(Path cacheDir, String python) {
        this.cache = new PeerCache(cacheDir.toAbsolutePath(), CACHE_ENV);
        this.python = python;
    }

    /** The installer configured from the environment (see class comment). */
    public static HermesInstaller fromEnvironment() {
        String python = System.getenv(PYTHON_ENV);
        return new HermesInstaller(
                PeerCache.fromEnvironment(CACHE_PROPERTY, CACHE_ENV, "hermes").dir(),
                python == null || python.isBlank() ? "python3" : python);
    }

    /** Installs Hermes unless the cache already holds this lock's install, and returns it. */
    public static HermesInstallation ensureInstalled() {
        return fromEnvironment().install();
    }

    public Path cacheDir() {
        return cache.dir();
    }

    /** Idempotent: reuses a complete install of the current lock. */
    public HermesInstallation install() {
        Path target = cache.dir().resolve("hermes-agent-" + HERMES_VERSION + "-lock-" + lockHash());
        cache.ensure(target, "hermes-agent " + HERMES_VERSION, this::installInto);
        HermesInstallation installation = new HermesInstallation(target.resolve("venv"), HERMES_VERSION);
        if (!Files.isExecutable(installation.python())) {
            throw new IllegalStateException("the Hermes install in " + target + " has no " + installation.python()
                    + "; delete " + target + " and retry");
        }
        return installation;
    }

    private void installInto(Path staging) throws IOException {
        Path log = cache.dir().resolve("install-hermes.log");
        Files.writeString(log, "");
        run(
                List.of(
                        python,
                        "-c",
                        "import sys; v = sys.version_info; "
                                + "sys.exit(0 if (3, 11) <= v[:2] < (3, 14) else 'Python %d.%d: hermes-agent "
                                + HERMES_VERSION
                                + " needs >=3.11,<3.14' % v[:2])"),
                staging,
                log,
                "checking the Python version");
        Path venv = staging.resolve("venv");
        run(List.of(python, "-m", "venv", venv.toString()), staging, log, "creating the virtual environment");
        Path requirements = staging.resolve("requirements.txt");
        Files.write(requirements, requirementsFile());
        run(
                List.of(
                        venv.resolve("bin/python").toString(),
                        "-m",
                        "pip",
                        "install",
                        "--disable-pip-version-check",
                        "--no-input",
                        "--require-hashes",
                        "--no-deps",
                        "--only-binary=:all:",
                        "-r",
                        requirements.toString()),
                staging,
                log,
                "pip install --require-hashes of " + REQUIREMENTS + " (is PyPI reachable?)");
        run(
                List.of(venv.resolve("bin/python").toString(), "-c", "import hermes_cli.main, aiohttp, yaml"),
                staging,
                log,
                "importing hermes_cli after the install");
    }

    private void run(List<String> command, Path dir, Path log, String what) throws IOException {
        Files.writeString(
                log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("PYTHONPATH");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run '" + command.get(0) + "' (" + what + "): Python 3.11+ is needed"
                            + " to install the Hermes test peer (install python3 with venv, or point $" + PYTHON_ENV
                            + " at one)",
                    e);
        }
        try {
            if (!process.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + INSTALL_TIMEOUT + "; see " + log);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(what + " failed with exit code " + process.exitValue() + "; last lines of "
                    + log + ":\n" + CachedInstall.tail(log, 25));
        }
    }

    static byte[] requirementsFile() {
        try (InputStream in = HermesInstaller.class.getResourceAsStream(REQUIREMENTS)) {
            if (in == null) {
                throw new IllegalStateException("claw-testkit is missing the resource " + REQUIREMENTS);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** First 12 hex digits of the SHA-256 of the committed requirements file. */
    static String lockHash() {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(requirementsFile()))
                    .substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
