package io.k8s4claw.channel.common;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The one HTTP client of the platform channels: the JDK's {@code java.net.http} client, for the platforms' REST
 * calls and their WebSockets ({@link PlatformWebSocket}). One per channel (a channel's failure or its stuck calls
 * stay its own). It replaced OkHttp (with Kotlin and Okio): same calls, fewer classes and no burst of OkHttp's
 * task-runner threads under load (docs/operations.md, "Memory").
 *
 * <p>HTTP/1.1 only (the JDK client would otherwise offer every {@code http://} peer an h2c upgrade); connect
 * timeout 10 s; every request gets {@code timeout} (until the response headers arrived) unless it sets its own.
 */
public final class PlatformHttp implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Idle connections a client keeps for reuse. The JDK's default keeps every connection a burst opened (each with a
     * 16 KiB read buffer, plus TLS buffers on a real platform) until its keep-alive ends: after 10,000 replies per
     * channel with 64 in flight, pooled connections were most of the shared channel container's retained heap
     * (ClawPodMemoryBenchmark with a JFR old-object sample). A chat channel needs a few warm connections.
     */
    static final int POOLED_CONNECTIONS = 4;

    /** Seconds an idle pooled connection is kept. */
    static final int KEEP_ALIVE_SECONDS = 30;

    static {
        // The JDK reads both once, when its first client is built; every client of the sidecar is built here. An
        // operator's own -D in JAVA_TOOL_OPTIONS wins.
        setIfAbsent("jdk.httpclient.connectionPoolSize", POOLED_CONNECTIONS);
        setIfAbsent("jdk.httpclient.keepalive.timeout", KEEP_ALIVE_SECONDS);
    }

    private static void setIfAbsent(String property, int value) {
        if (System.getProperty(property) == null) System.setProperty(property, Integer.toString(value));
    }

    private final HttpClient client;
    private final Duration timeout;

    private PlatformHttp(HttpClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** A client for {@code https} and {@code http} peers; {@code name} names its threads. */
    public static PlatformHttp create(String name, Duration timeout) {
        return new PlatformHttp(builder(name).build(), timeout);
    }

    /**
     * A client for {@code http} peers only (in-cluster receivers): it never initialises the JDK's TLS (cacerts, JCA
     * providers), which alone costs ~17 MiB of resident memory in the sidecar's JVM configuration. An {@code https}
     * URL fails with an {@link IOException} naming this.
     */
    public static PlatformHttp cleartextOnly(String name, Duration timeout) {
        return new PlatformHttp(builder(name).sslContext(new NoTlsContext()).build(), timeout);
    }

    private static HttpClient.Builder builder(String name) {
        return HttpClient.newBuilder()
                // The client's own tasks (completing responses, WebSocket callbacks) on virtual threads: its default
                // executor, a cached pool of platform threads, grew to 122 threads under the benchmark's load
                // (100 replies in flight per channel), ~13 MiB of stacks that stayed for a minute.
                .executor(Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name(name + "-http-", 0).factory()))
                .version(HttpClient.Version.HTTP_1_1)
                // as OkHttp did: the JVM's proxy settings (https.proxyHost ... in JAVA_TOOL_OPTIONS) apply; the
                // JDK client goes direct unless given a selector
                .proxy(ProxySelector.getDefault())
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
    }

    /** A request to {@code uri} with this client's timeout (callers add method, headers and body). */
    public HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(timeout);
    }

    /**
     * {@code base} (its path taken as a directory) with {@code segments} appended, each one path segment,
     * percent-encoded (a Telegram token's {@code :} stays, a {@code /} or anything else outside a segment's characters
     * is encoded), so no segment can change the URL's structure and no malformed-URL error ever quotes a token.
     */
    public static URI resolve(URI base, String... segments) {
        StringBuilder sb = new StringBuilder(base.toString());
        if (sb.charAt(sb.length() - 1) != '/') sb.append('/');
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) sb.append('/');
            for (byte b : segments[i].getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if ((c >= 'a' && c <= 'z')
                        || (c >= 'A' && c <= 'Z')
                        || (c >= '0' && c <= '9')
                        || "-._~:@!$&'()*+,;=".indexOf(c) >= 0) {
                    sb.append(c);
                } else {
                    sb.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
                }
            }
        }
        return URI.create(sb.toString());
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The response with its body read as text; status codes are the caller's to judge. */
    public record Response(int code, String body, HttpHeaders headers) {
        /** The first value of a header (names are case-insensitive), or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    /**
     * Sends one request and reads its body. An interrupt cancels the call and surfaces as an {@link
     * InterruptedIOException} with the thread's interrupt status set, so callers handle it as the network failure
     * it is for them (and a closing poller sees it).
     */
    public Response send(HttpRequest request) throws IOException {
        try {
            HttpResponse<String> resp = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(resp.statusCode(), resp.body() == null ? "" : resp.body(), resp.headers());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (IllegalArgumentException e) {
            // e.g. a URL scheme the client does not speak: the same failure to the caller as an unreachable peer
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Opens a WebSocket; {@code listener} hears of the outcome (also of a refused handshake). With a ping interval
     * > 0, a ping goes out on {@code timer} every interval and a socket whose pong has not come back by the next
     * ping fails (a half-open connection is noticed).
     */
    public PlatformWebSocket webSocket(
            URI uri, PlatformWebSocket.Listener listener, Duration pingInterval, ScheduledExecutorService timer) {
        return PlatformWebSocket.open(client, uri, listener, pingInterval, timer);
    }

    /** Takes no new calls; the client's threads end when what is in flight (a socket's Close frame) is done. */
    @Override
    public void close() {
        client.shutdown();
    }

    /**
     * An SSL context that is never initialised with keys or trust: the JDK client requires one at construction and
     * would otherwise load the default (cacerts). Any TLS use fails.
     */
    private static final class NoTlsContext extends SSLContext {
        NoTlsContext() {
            super(new Spi(), null, "none");
        }

        private static final class Spi extends SSLContextSpi {
            private static UnsupportedOperationException off() {
                return new UnsupportedOperationException(
                        "TLS is off for this client (an http:// peer only); use an http:// URL");
            }

            @Override
            protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
                    throws KeyManagementException {
                throw new KeyManagementException("TLS is off for this client");
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                throw off();
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                throw off();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                throw off();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int port) {
                throw off();
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                throw off();
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                throw off();
            }

            @Override
            protected SSLParameters engineGetDefaultSSLParameters() {
                return new SSLParameters();
            }

            @Override
            protected SSLParameters engineGetSupportedSSLParameters() {
                return new SSLParameters();
            }
        }
    }
}
