package io.k8s4claw.bridge.wal;

import java.io.IOException;

/** An append could not be made durable (disk full, I/O error, journal closed). Nothing of it was kept. */
public final class JournalException extends IOException {

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the cause looks like a full volume (ENOSPC or a quota). */
    public boolean diskFull() {
        for (Throwable t = this; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
