package io.k8s4claw.bridge.wal;

import java.io.IOException;

/**
 * What the journal frames and persists: a type tag and a payload it can encode straight into its open batch.
 * A {@link JournalRecord} (the bridge's own records) or a {@link JournalEntry} (a record already encoded — a
 * snapshot's entries, or a record read back).
 */
public interface EncodableRecord {

    byte type();

    /** Encodes the payload, exactly {@link #size()} bytes of it. */
    void write(JournalRecord.RecordWriter out) throws IOException;

    /** Exact encoded size of the payload written by {@link #write}. */
    int size();
}
