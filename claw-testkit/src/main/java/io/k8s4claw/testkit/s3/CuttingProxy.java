package io.k8s4claw.testkit.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a server that cuts the network: once {@code cutAfterBytes} bytes went upstream
 * on a connection, it closes both sockets mid-stream — for the first {@code cuts} connections that get that far
 * (then it forwards faithfully), or for every connection when {@code cuts} is negative (an outage).
 */
public final class CuttingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int upstreamPort;
    private final long cutAfterBytes;
    private final AtomicInteger cutsLeft;
    private final AtomicInteger cutsMade = new AtomicInteger();
    private final AtomicLong forwarded = new AtomicLong();
    private final Thread acceptor;

    public CuttingProxy(int upstreamPort, long cutAfterBytes, int cuts) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.cutAfterBytes = cutAfterBytes;
        this.cutsLeft = new AtomicInteger(cuts);
        this.acceptor = daemon(this::accept, "cutting-proxy-accept");
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections cut so far. */
    public int cutsMade() {
        return cutsMade.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                daemon(() -> pump(client, upstream, true), "cutting-proxy-up");
                daemon(() -> pump(upstream, client, false), "cutting-proxy-down");
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean upstreamDirection) {
        long sent = 0;
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (upstreamDirection && sent + n > cutAfterBytes && shouldCut()) {
                    int keep = (int) Math.max(0, cutAfterBytes - sent);
                    out.write(buf, 0, keep);
                    out.flush();
                    cutsMade.incrementAndGet();
                    from.close();
                    to.close();
                    return;
                }
                out.write(buf, 0, n);
                out.flush();
                sent += n;
                forwarded.addAndGet(n);
            }
        } catch (IOException e) {
            // the other direction closed the pair
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private boolean shouldCut() {
        if (cutsLeft.get() < 0) {
            return true;
        }
        return cutsLeft.getAndUpdate(c -> c > 0 ? c - 1 : 0) > 0;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closed already
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
