package io.k8s4claw.bridge.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How the journal opens its segment files. Production uses the file system directly; a test may wrap the
 * channel to fail writes ({@code IOException("No space left on device")}) where no small volume can be
 * mounted.
 */
@FunctionalInterface
public interface FileStore {

    FileChannel openForAppend(Path file) throws IOException;

    FileStore DEFAULT = file ->
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
}
