package io.k8s4claw.operator.update;

import java.util.List;

/** What asking a registry for a repository's tags came to: the tags, or why there are none. */
public sealed interface TagListing {

    /** Every tag, all pages read. */
    record Tags(List<String> tags) implements TagListing {
        public Tags {
            tags = List.copyOf(tags);
        }
    }

    /** The registry did not give the tags; {@code message} says what happened and what to do. */
    record Failed(Problem problem, String message) implements TagListing {}

    /** Why a listing failed; each is the reason of the {@code AutoUpdate} condition. */
    enum Problem {
        /** No connection (DNS, refused, TLS, timeout). */
        REGISTRY_UNREACHABLE("RegistryUnreachable"),
        /** 401/403 even after the token flow: credentials missing, wrong or without pull access. */
        REGISTRY_UNAUTHORIZED("RegistryUnauthorized"),
        /** 404: no such repository (or it is private and the registry hides it). */
        REPOSITORY_NOT_FOUND("RepositoryNotFound"),
        /** 429: rate limited (Docker Hub's anonymous pull limit). */
        REGISTRY_RATE_LIMITED("RegistryRateLimited"),
        /** An answer that is not the distribution API's (HTML, broken JSON, a missing field). */
        REGISTRY_INVALID_RESPONSE("RegistryInvalidResponse"),
        /** Any other status (5xx). */
        REGISTRY_ERROR("RegistryError");

        private final String reason;

        Problem(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }
}
