package io.k8s4claw.testkit.hermes;

/**
 * The two behaviours of {@code GET /v1/runs/{id}/events} found in Hermes builds (docs/hermes-api-emulator.md).
 */
public enum Dialect {
    /**
     * Newest build: per-run journal (≤ 1000 events), {@code id: n} before every event, any number of subscribers,
     * {@code Last-Event-ID} replays events after n, journal kept 300 s after the run ends, keepalive every 10 s,
     * terminal events carry {@code completed/partial/interrupted} and usage carries {@code cache_*} keys.
     */
    NEWEST,
    /**
     * Older build, checked against the real {@code hermes-agent} 0.19.0 from PyPI
     * (claw-testkit/docs/hermes-real-peer.md): no {@code Idempotency-Key} on {@code POST /v1/runs} (every POST starts a
     * new run; the 202 body is {@code run_id} + {@code status} only), 401 body {@code invalid_api_key}, a single queue,
     * no {@code id:} lines, no replay; when the subscriber disconnects the buffer is dropped (later events lost,
     * re-subscribing answers 404); keepalive every 30 s; no terminal flags.
     */
    OLDER
}
