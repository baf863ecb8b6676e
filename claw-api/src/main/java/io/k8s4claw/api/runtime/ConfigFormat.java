package io.k8s4claw.api.runtime;

/** The file format a runtime reads its configuration in. */
public enum ConfigFormat {
    YAML("yaml"),
    /** Strict JSON (also valid JSON5, which OpenClaw parses). */
    JSON("json"),
    TOML("toml"),
    /** {@code KEY=value} lines ({@code .env}). */
    DOTENV("env"),
    /** A script or plain text file (e.g. an init step). */
    TEXT("txt"),
    /** The runtime is configured through environment variables only. */
    NONE("");

    private final String extension;

    ConfigFormat(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }
}
