package io.k8s4claw.channel.sdk;

import io.k8s4claw.api.bus.v1.ReplyAck;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * The handled replies of a {@link ReplyLedger} in a file, so that a sidecar restarted after a crash still
 * knows which replies the platform accepted: the bridge resends every reply it holds no ReplyAck for, and
 * the ledger then acks it again instead of delivering it twice.
 *
 * <p>One line per handled reply, {@code <reply_seq> <fingerprint hex> <ReplyAck, base64>}, appended as it is
 * handled. Written, not fsynced: it guards against the process dying, and the page cache outlives a process;
 * a node that dies takes the pod's volume with it. A torn last line (a crash mid-write) is dropped on load.
 * The file is rewritten from memory when it grows past twice what the ledger keeps.
 */
final class ReplyLedgerFile {
    private static final System.Logger LOG = System.getLogger(ReplyLedgerFile.class.getName());

    /** A handled reply: its ack and the fingerprint of the reply it answered. */
    record Handled(ReplyAck ack, long fingerprint) {}

    private final Path path;
    private final int rewriteAfterLines;
    private FileChannel out;
    private int lines;
    private boolean failed;

    ReplyLedgerFile(Path path, int rewriteAfterLines) {
        this.path = path;
        this.rewriteAfterLines = rewriteAfterLines;
    }

    /** The replies recorded so far, oldest first; an unreadable file counts as empty (its replies may come twice). */
    List<Handled> load() {
        List<Handled> out = new ArrayList<>();
        if (!Files.exists(path)) return out;
        try {
            for (String line : Files.readAllLines(path, StandardCharsets.US_ASCII)) {
                String[] f = line.split(" ");
                if (f.length != 3) break; // torn tail
                try {
                    ReplyAck ack = ReplyAck.parseFrom(Base64.getDecoder().decode(f[2]));
                    if (ack.getReplySeq() != Long.parseUnsignedLong(f[0])) break;
                    out.add(new Handled(ack, Long.parseUnsignedLong(f[1], 16)));
                } catch (IOException | IllegalArgumentException e) {
                    break;
                }
            }
        } catch (IOException e) {
            LOG.log(
                    Level.WARNING,
                    "reply ledger {0} unreadable ({1}): replies resent by the bridge are delivered again",
                    path,
                    e.getMessage());
        }
        return out;
    }

    /** Records one handled reply; a write that fails is logged once and recording stops (delivery goes on). */
    void append(Handled h) {
        if (failed) return;
        try {
            if (out == null)
                out = FileChannel.open(
                        path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            write(out, h);
            lines++;
        } catch (IOException e) {
            disable(e);
        }
    }

    /** Whether enough lines were appended that {@link #rewrite} should run. */
    boolean wantsRewrite() {
        return !failed && lines > rewriteAfterLines;
    }

    /** Replaces the file by exactly {@code entries} (written aside, then moved over it). */
    void rewrite(Collection<Handled> entries) {
        if (failed) return;
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                for (Handled h : entries) write(ch, h);
            }
            if (out != null) out.close();
            out = null;
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            lines = entries.size();
        } catch (IOException e) {
            disable(e);
        }
    }

    void close() {
        try {
            if (out != null) out.close();
        } catch (IOException ignored) {
            // nothing left to record
        }
        out = null;
    }

    private static void write(FileChannel ch, Handled h) throws IOException {
        String line = Long.toUnsignedString(h.ack().getReplySeq()) + " " + Long.toHexString(h.fingerprint()) + " "
                + Base64.getEncoder().encodeToString(h.ack().toByteArray()) + "\n";
        ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        while (buf.hasRemaining()) ch.write(buf);
    }

    private void disable(IOException e) {
        failed = true;
        close();
        LOG.log(
                Level.WARNING,
                "reply ledger {0} cannot be written ({1}); replies resent after a restart may be delivered twice",
                path,
                e.getMessage());
    }
}
