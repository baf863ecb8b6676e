package io.k8s4claw.bridge.runtime.hermes;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of {@link HermesSseConnector}.
 *
 * @param baseUrl          the API server, e.g. {@code http://127.0.0.1:8642} ({@code CLAW_RUNTIME_URL})
 * @param apiKey           {@code API_SERVER_KEY} ({@code CLAW_RUNTIME_TOKEN}); never printed
 * @param streamWatchdog   an event stream silent for this long (no event, no keepalive comment) is considered dead
 *                         and re-opened; ≥ 3 × Hermes's keepalive interval (10 s newest, 30 s older): 90 s
 * @param requestTimeout   connect/read timeout of the short calls (POST /v1/runs, status, approval, health)
 * @param healthInterval   how often {@code /health} and {@code /health/detailed} are probed in the background
 * @param pollInterval     status polling interval when a run's event stream is gone (older Hermes, expired journal)
 * @param reconnectInitial first delay before re-opening a broken event stream (doubles, with jitter)
 * @param reconnectMax     cap of that delay
 */
public record HermesSseSettings(
        URI baseUrl,
        String apiKey,
        Duration streamWatchdog,
        Duration requestTimeout,
        Duration healthInterval,
        Duration pollInterval,
        Duration reconnectInitial,
        Duration reconnectMax) {

    public HermesSseSettings {
        Objects.requireNonNull(baseUrl, "baseUrl (CLAW_RUNTIME_URL)");
        if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
            throw new IllegalArgumentException("CLAW_RUNTIME_URL must be an http(s) URL for hermes-sse, got scheme '"
                    + baseUrl.getScheme() + "' (e.g. http://127.0.0.1:8642)");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("CLAW_RUNTIME_TOKEN is empty: hermes-sse needs Hermes's API_SERVER_KEY "
                    + "(mount it from the Claw's Secret)");
        }
        Objects.requireNonNull(streamWatchdog, "streamWatchdog");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(healthInterval, "healthInterval");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(reconnectInitial, "reconnectInitial");
        Objects.requireNonNull(reconnectMax, "reconnectMax");
    }

    /** Production defaults for the given URL and key. */
    public static HermesSseSettings of(URI baseUrl, String apiKey) {
        return new HermesSseSettings(
                baseUrl,
                apiKey,
                Duration.ofSeconds(90),
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                Duration.ofMillis(250),
                Duration.ofSeconds(10));
    }

    public HermesSseSettings withStreamWatchdog(Duration d) {
        return new HermesSseSettings(
                baseUrl, apiKey, d, requestTimeout, healthInterval, pollInterval, reconnectInitial, reconnectMax);
    }

    public HermesSseSettings withHealthInterval(Duration d) {
        return new HermesSseSettings(
                baseUrl, apiKey, streamWatchdog, requestTimeout, d, pollInterval, reconnectInitial, reconnectMax);
    }

    public HermesSseSettings withPollInterval(Duration d) {
        return new HermesSseSettings(
                baseUrl, apiKey, streamWatchdog, requestTimeout, healthInterval, d, reconnectInitial, reconnectMax);
    }

    public HermesSseSettings withReconnect(Duration initial, Duration max) {
        return new HermesSseSettings(
                baseUrl, apiKey, streamWatchdog, requestTimeout, healthInterval, pollInterval, initial, max);
    }

    public HermesSseSettings withRequestTimeout(Duration d) {
        return new HermesSseSettings(
                baseUrl, apiKey, streamWatchdog, d, healthInterval, pollInterval, reconnectInitial, reconnectMax);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "HermesSseSettings[baseUrl=" + baseUrl + ", apiKey=<redacted>, streamWatchdog=" + streamWatchdog
                + ", requestTimeout=" + requestTimeout + ", healthInterval=" + healthInterval + ", pollInterval="
                + pollInterval + ", reconnect=" + reconnectInitial + ".." + reconnectMax + "]";
    }
}
