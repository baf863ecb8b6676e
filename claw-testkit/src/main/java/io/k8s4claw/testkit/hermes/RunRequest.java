package io.k8s4claw.testkit.hermes;

/**
 * What a script sees of an admitted {@code POST /v1/runs}.
 *
 * @param runId         the assigned run id
 * @param input         the user message (the last element's content when {@code input} was an array)
 * @param sessionId     the session the run belongs to (after alias resolution to the live tip); never null
 * @param sessionKey    the {@code X-Hermes-Session-Key} header, or null
 * @param priorTurns    completed turns in this session before this one (carried across id rotations)
 * @param idempotencyKey the {@code Idempotency-Key} header, or null
 */
public record RunRequest(
        String runId, String input, String sessionId, String sessionKey, int priorTurns, String idempotencyKey) {}
