package io.k8s4claw.channel.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A burst of concurrent requests leaves at most {@link PlatformHttp#POOLED_CONNECTIONS} connections open afterwards.
 * The client runs in a child JVM: the JDK reads its pool settings once per JVM, and other tests of this module build
 * JDK clients of their own.
 */
class PlatformHttpPoolTest {
    private static final int BURST = 16;

    @Test
    void connectionsBeyondThePoolAreClosedAfterABurst() throws Exception {
        AtomicInteger arrived = new AtomicInteger();
        AtomicInteger closedByClient = new AtomicInteger();
        CountDownLatch allArrived = new CountDownLatch(BURST);
        List<Socket> sockets = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
                var handlers = Executors.newVirtualThreadPerTaskExecutor()) {
            handlers.submit(() -> {
                while (!server.isClosed()) {
                    Socket s = server.accept();
                    synchronized (sockets) {
                        sockets.add(s);
                    }
                    handlers.submit(() -> serve(s, arrived, allArrived, closedByClient));
                }
                return null;
            });
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            Probe.class.getName(),
                            "http://127.0.0.1:" + server.getLocalPort() + "/")
                    .redirectErrorStream(true)
                    .start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
                String line = out.readLine();
                assertEquals("done " + BURST, line, "the probe's report");
                assertEquals(BURST, arrived.get(), "every request had its own connection (they were held together)");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (closedByClient.get() < BURST - PlatformHttp.POOLED_CONNECTIONS && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(300); // nothing more is closed: the pool keeps the rest
                assertEquals(BURST - PlatformHttp.POOLED_CONNECTIONS, closedByClient.get(), "connections closed");
                assertTrue(child.isAlive(), "the probe still holds its pool");
            } finally {
                child.destroyForcibly();
                server.close();
                synchronized (sockets) {
                    for (Socket s : sockets) s.close();
                }
            }
        }
    }

    /** Answers one request once all {@link #BURST} have arrived, then waits for the client to close or reuse. */
    private static Void serve(Socket s, AtomicInteger arrived, CountDownLatch allArrived, AtomicInteger closed)
            throws Exception {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
            if (!readHead(in)) {
                closed.incrementAndGet();
                return null;
            }
            arrived.incrementAndGet();
            allArrived.countDown();
            allArrived.await(10, TimeUnit.SECONDS);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    /** Reads a request head; false at end of stream. */
    private static boolean readHead(InputStream in) throws Exception {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b;
            try {
                b = in.read();
            } catch (SocketException e) {
                return false;
            }
            if (b < 0) return false;
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return true;
    }

    /** The child: a burst of {@link #BURST} concurrent GETs through PlatformHttp, then it idles with its pool. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            PlatformHttp http = PlatformHttp.create("probe", Duration.ofSeconds(10));
            AtomicInteger ok = new AtomicInteger();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < BURST; i++) {
                    pool.submit(() -> {
                        if (http.send(http.request(URI.create(args[0])).GET().build())
                                        .code()
                                == 200) {
                            ok.incrementAndGet();
                        }
                        return null;
                    });
                }
            }
            System.out.println("done " + ok.get());
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
