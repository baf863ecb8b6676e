package io.k8s4claw.channel.sdk;

import java.util.List;
import java.util.Objects;

/** What became of one {@link io.k8s4claw.api.bus.v1.Reply}: the platform took it, or it could not. */
public sealed interface ReplyOutcome {

    /** The platform accepted the reply; {@code platformMessageIds} are the messages that carry it (maybe none). */
    record Delivered(List<String> platformMessageIds) implements ReplyOutcome {
        public Delivered {
            platformMessageIds = List.copyOf(platformMessageIds);
        }
    }

    /**
     * The platform refused the reply. {@code error} is a short machine-readable reason (e.g. the
     * platform's error code, never a token); with {@code retryable} the bridge keeps it and resends.
     */
    record Failed(String error, boolean retryable) implements ReplyOutcome {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }

    static ReplyOutcome delivered(List<String> platformMessageIds) {
        return new Delivered(platformMessageIds);
    }

    static ReplyOutcome delivered(String... platformMessageIds) {
        return new Delivered(List.of(platformMessageIds));
    }

    static ReplyOutcome failed(String error, boolean retryable) {
        return new Failed(error, retryable);
    }
}
