package io.k8s4claw.bridge.wal;

/**
 * One record of the journal as bytes: a type tag and an opaque payload. The journal only frames, checksums and
 * persists them; {@link io.k8s4claw.bridge.wal.JournalRecord} gives them meaning.
 */
public record JournalEntry(byte type, byte[] payload) implements EncodableRecord {

    @Override
    public void write(JournalRecord.RecordWriter out) {
        out.write(payload);
    }

    @Override
    public int size() {
        return payload.length;
    }
}
