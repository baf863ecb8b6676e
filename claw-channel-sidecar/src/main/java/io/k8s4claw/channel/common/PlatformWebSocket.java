package io.k8s4claw.channel.common;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A platform WebSocket (Slack Socket Mode, the Discord gateway) over the JDK's {@link WebSocket}, with the
 * callbacks the channels need: whole text messages in order, the peer's close, a failure (a refused handshake
 * with its HTTP status). Text sends may come from any thread: they are queued, as the JDK socket takes one send at
 * a time. {@link Listener#onClosing} and {@link Listener#onFailure} together are called at most once.
 */
public final class PlatformWebSocket {

    /** What a channel hears from its socket; every callback gets the socket it is about. */
    public interface Listener {
        /** One whole text message; the next is not delivered before this returns. */
        void onMessage(PlatformWebSocket socket, String text);

        /** The peer sent Close (code, reason); the socket answers it with the same code unless this closes first. */
        void onClosing(PlatformWebSocket socket, int code, String reason);

        /**
         * The socket failed: the handshake was refused ({@code httpStatus} > 0), the connection broke, or a ping
         * went unanswered ({@link SocketTimeoutException}).
         */
        void onFailure(PlatformWebSocket socket, Throwable error, int httpStatus);
    }

    private final Listener listener;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Object sendLock = new Object();
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket ws;
    private volatile boolean closeRequested;
    private volatile boolean aborted;
    private int closeCode;
    private String closeReason;
    /** The tail of the queued sends (guarded by sendLock). */
    private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);

    private volatile boolean pongDue;
    private ScheduledFuture<?> pinger;

    private PlatformWebSocket(Listener listener) {
        this.listener = listener;
    }

    static PlatformWebSocket open(
            HttpClient client, URI uri, Listener listener, Duration pingInterval, ScheduledExecutorService timer) {
        PlatformWebSocket s = new PlatformWebSocket(listener);
        client.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, s.new JdkListener())
                .whenComplete((socket, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause()
                                : error;
                        int status = cause instanceof WebSocketHandshakeException h
                                ? h.getResponse().statusCode()
                                : 0;
                        s.fail(cause, status);
                        return;
                    }
                    s.opened(socket, pingInterval, timer);
                });
        return s;
    }

    private void opened(WebSocket socket, Duration pingInterval, ScheduledExecutorService timer) {
        ws = socket;
        if (aborted) {
            socket.abort();
            return;
        }
        if (pingInterval != null && !pingInterval.isZero() && timer != null) {
            long ms = pingInterval.toMillis();
            try {
                synchronized (sendLock) {
                    pinger = timer.scheduleAtFixedRate(this::ping, ms, ms, TimeUnit.MILLISECONDS);
                }
            } catch (RejectedExecutionException e) { // the channel is closing
                socket.abort();
                return;
            }
        }
        if (closeRequested) enqueue(() -> socket.sendClose(closeCode, closeReason));
    }

    private void ping() {
        WebSocket w = ws;
        if (w == null || ended.get()) return;
        if (pongDue) {
            fail(new SocketTimeoutException("sent a ping but no pong came back within the ping interval"), 0);
            w.abort();
            return;
        }
        pongDue = true;
        enqueue(() -> w.sendPing(ByteBuffer.allocate(0)));
    }

    /**
     * Queues a text message; false when the socket is closed or closing (as OkHttp's {@code send}). Before the
     * handshake completed there is nothing to send on: false as well.
     */
    public boolean send(String text) {
        WebSocket w = ws;
        if (w == null || closeRequested || aborted || ended.get() || w.isOutputClosed()) return false;
        enqueue(() -> w.sendText(text, true));
        return true;
    }

    /** Starts a graceful close with {@code code} (1000 or 3000–4999) and {@code reason}; false when already closing. */
    public boolean close(int code, String reason) {
        synchronized (sendLock) {
            if (closeRequested || aborted) return false;
            closeRequested = true;
            closeCode = code;
            closeReason = reason == null ? "" : reason;
        }
        WebSocket w = ws;
        if (w != null) enqueue(() -> w.sendClose(code, closeReason));
        return true;
    }

    /** Drops the connection at once (queued sends are lost); no callback follows. */
    public void cancel() {
        aborted = true;
        ended.set(true);
        stopPinging();
        WebSocket w = ws;
        if (w != null) w.abort();
    }

    private void enqueue(Supplier<CompletableFuture<WebSocket>> send) {
        synchronized (sendLock) {
            sends = sends.handle((v, e) -> null).thenCompose(v -> {
                try {
                    return send.get();
                } catch (RuntimeException e) { // the output closed meanwhile
                    return CompletableFuture.failedFuture(e);
                }
            });
        }
    }

    private void stopPinging() {
        synchronized (sendLock) {
            if (pinger != null) pinger.cancel(false);
        }
    }

    private void fail(Throwable error, int httpStatus) {
        stopPinging();
        if (ended.compareAndSet(false, true) && !aborted) listener.onFailure(this, error, httpStatus);
    }

    private final class JdkListener implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket; // before the first message, which may come before buildAsync's future completes
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (!ended.get()) listener.onMessage(PlatformWebSocket.this, text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1); // the platforms send text only
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pongDue = false;
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            stopPinging();
            if (ended.compareAndSet(false, true) && !aborted)
                listener.onClosing(PlatformWebSocket.this, statusCode, reason);
            return null; // the JDK answers the Close (unless onClosing closed already) and closes the connection
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail(error, 0);
        }
    }
}
