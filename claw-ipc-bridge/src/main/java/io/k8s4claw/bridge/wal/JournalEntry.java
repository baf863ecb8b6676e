package io.k8s4claw.bridge.wal;

/**
 * One record of the journal: a type tag and an opaque payload. The journal only frames, checksums and
 * persists them; {@link io.k8s4claw.bridge.wal.JournalRecord} gives them meaning.
 */
public record JournalEntry(byte type, byte[] payload) {
}
