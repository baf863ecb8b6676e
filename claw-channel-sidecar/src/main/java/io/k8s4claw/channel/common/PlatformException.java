package io.k8s4claw.channel.common;

import java.time.Duration;

/**
 * A platform API call failed. {@link Kind} decides what the sidecar does: wait and retry (rate limited,
 * transient), stop and report (auth), or give up on this message (permanent). {@code code} is the
 * platform's error code (e.g. {@code not_in_channel}, {@code 50013}); messages never contain tokens.
 */
public class PlatformException extends Exception {
    public enum Kind {
        /** 429: wait {@link #retryAfter()} and retry. */
        RATE_LIMITED,
        /** Network error, 5xx: retry with backoff. */
        TRANSIENT,
        /** Invalid or revoked credentials: stop, report degraded, never loop. */
        AUTH,
        /** This message cannot be delivered (no access, bad request): do not retry it. */
        PERMANENT
    }

    private final Kind kind;
    private final String code;
    private final Duration retryAfter;

    public PlatformException(Kind kind, String code, Duration retryAfter, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
    }

    public static PlatformException rateLimited(String code, Duration retryAfter, String message) {
        return new PlatformException(Kind.RATE_LIMITED, code, retryAfter, message);
    }

    public static PlatformException transientFailure(String code, String message) {
        return new PlatformException(Kind.TRANSIENT, code, null, message);
    }

    public static PlatformException auth(String code, String message) {
        return new PlatformException(Kind.AUTH, code, null, message);
    }

    public static PlatformException permanent(String code, String message) {
        return new PlatformException(Kind.PERMANENT, code, null, message);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
