package io.k8s4claw.bridge.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A FileChannel whose writes can be made to fail like a full volume ({@code IOException("No space left on
 * device")}) or to block — the injectable alternative to a tiny tmpfs where mounting is not possible. Its
 * {@code force} can be made to fail too (an fsync error such as {@code EIO}).
 */
public final class FaultyFileChannel extends FileChannel {

    /** Hook run before every write. */
    public interface WriteHook {
        void beforeWrite() throws IOException;
    }

    /** Hook run before every {@code force}. */
    public interface ForceHook {
        void beforeForce() throws IOException;
    }

    private final FileChannel delegate;
    private final WriteHook hook;
    private final ForceHook forceHook;

    public FaultyFileChannel(FileChannel delegate, WriteHook hook) {
        this(delegate, hook, () -> {});
    }

    public FaultyFileChannel(FileChannel delegate, WriteHook hook, ForceHook forceHook) {
        this.delegate = delegate;
        this.hook = hook;
        this.forceHook = forceHook;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        hook.beforeWrite();
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        hook.beforeWrite();
        return delegate.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        forceHook.beforeForce();
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        hook.beforeWrite();
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        hook.beforeWrite();
        return delegate.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
