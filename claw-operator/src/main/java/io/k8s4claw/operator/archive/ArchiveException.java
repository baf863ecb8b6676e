package io.k8s4claw.operator.archive;

/** An archive or restore that did not happen, with what kind of failure it was and what to do about it. */
public final class ArchiveException extends RuntimeException {

    /** What went wrong: decides whether retrying can help and what the Claw reports. */
    public enum Kind {
        /** Credentials missing or refused (403, InvalidAccessKeyId, SignatureDoesNotMatch): retrying will not help. */
        CREDENTIALS,
        /** No archive (or no checksum) under the key. */
        MISSING,
        /** The archive's bytes do not match its recorded checksum, or it does not unpack. */
        CORRUPT,
        /** The bucket or endpoint refused or dropped the transfer after the SDK's retries. */
        TRANSFER,
        /** The local volume could not be read or written. */
        LOCAL
    }

    private final Kind kind;

    public ArchiveException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ArchiveException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
