package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.bridge.net.EventLoops;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket to the OpenClaw gateway on Netty's client codec, registered on the connector's event loop (the
 * bridge's own, docs/design.md "Memory"). The upgrade request carries no {@code Origin}, no forwarding headers, no
 * subprotocol and no extensions (the local-backend path: docs/runtime-openclaw.md, "Gateway facts"). Close codes
 * are reported as a WebSocket client sees them: the peer's close frame (1005 without a code), ours when we closed
 * first, 1006 when the connection dropped without one, -1 when it never opened (no connection, or the upgrade
 * answered with an HTTP status instead of 101). Confined to its event loop: every method is called there, and so
 * is the {@link Listener}.
 */
final class GatewaySocket {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClawGatewayConnector.class);

    /** The gateway's own frame limit ({@code hello-ok.policy.maxPayload}, 25 MiB). */
    static final int MAX_PAYLOAD = 25 << 20;

    /** After our close frame, how long the gateway has to answer with its own before the socket is dropped. */
    private static final Duration CLOSE_ANSWER_TIMEOUT = Duration.ofSeconds(2);

    /** Called on the event loop. */
    interface Listener {
        /** The upgrade completed. */
        void onOpen();

        /** Bytes arrived: a frame, a ping, anything (the tick watchdog counts them as life). */
        void onActivity();

        void onText(String text);

        /** Exactly once per socket, after the connection is gone. */
        void onClosed(int code, String reason);
    }

    private final Channel channel;
    private final Listener listener;
    private boolean open;
    private boolean closeSent;
    private boolean closeKnown;
    private boolean reported;
    private int closeCode = 1006;
    private String closeReason = "connection lost";

    private GatewaySocket(EventLoop loop, URI url, Duration handshakeTimeout, Listener listener) {
        this.listener = listener;
        ChannelFuture connecting = new Bootstrap()
                .group(loop)
                .channel(EventLoops.socketChannel(loop))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) handshakeTimeout.toMillis())
                .handler(new Pipeline(url, handshakeTimeout))
                .connect(url.getHost(), port(url));
        this.channel = connecting.channel();
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                // never connected (or we gave up on connecting): no channelInactive follows
                report(
                        closeKnown ? closeCode : -1,
                        closeKnown ? closeReason : String.valueOf(f.cause().getMessage()));
            }
        });
    }

    /** Starts connecting to {@code url} ({@code ws://} or {@code wss://}); the listener hears how it goes. */
    static GatewaySocket connect(URI url, EventLoop loop, Duration handshakeTimeout, Listener listener) {
        return new GatewaySocket(loop, url, handshakeTimeout, listener);
    }

    private static int port(URI url) {
        if (url.getPort() > 0) {
            return url.getPort();
        }
        return "wss".equals(url.getScheme()) ? 443 : 80;
    }

    /**
     * Sends one text frame.
     *
     * @throws IllegalStateException when the socket is not open (not yet upgraded, closing or closed)
     */
    void send(String text) {
        if (!open || closeSent || !channel.isActive()) {
            throw new IllegalStateException("the WebSocket to the OpenClaw gateway is not open");
        }
        channel.writeAndFlush(new TextWebSocketFrame(text)).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.debug("openclaw: write failed: {}", f.cause().toString());
                channel.close();
            }
        });
    }

    /**
     * Closes with {@code code}: our close frame if the socket is open (the gateway answers with its own), else the
     * connection.
     */
    void close(int code, String reason) {
        if (!closeKnown) {
            closeKnown = true;
            closeCode = code;
            closeReason = reason;
        }
        if (open && !closeSent && channel.isActive()) {
            closeSent = true;
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason));
            channel.eventLoop().schedule(() -> channel.close(), CLOSE_ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    private void report(int code, String reason) {
        if (!reported) {
            reported = true;
            listener.onClosed(code, reason);
        }
    }

    private final class Pipeline extends ChannelInitializer<SocketChannel> {
        private final URI url;
        private final Duration handshakeTimeout;

        Pipeline(URI url, Duration handshakeTimeout) {
            this.url = url;
            this.handshakeTimeout = handshakeTimeout;
        }

        @Override
        protected void initChannel(SocketChannel ch) throws SSLException {
            if ("wss".equals(url.getScheme())) {
                SslContext tls = SslContextBuilder.forClient().build();
                ch.pipeline().addLast(tls.newHandler(ch.alloc(), url.getHost(), port(url)));
            }
            ch.pipeline()
                    // first, so every byte read counts as life, pings included (the WebSocket handler answers
                    // and drops them before any later handler could see them)
                    .addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            listener.onActivity();
                            ctx.fireChannelRead(msg);
                        }
                    })
                    .addLast(new HttpClientCodec())
                    .addLast(new HttpObjectAggregator(64 * 1024))
                    .addLast(new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                            .webSocketUri(url)
                            .generateOriginHeader(false)
                            .allowExtensions(false)
                            .maxFramePayloadLength(MAX_PAYLOAD)
                            .handshakeTimeoutMillis(handshakeTimeout.toMillis())
                            .handleCloseFrames(false)
                            .sendCloseFrame(null)
                            .dropPongFrames(true)
                            .build()))
                    .addLast(new WebSocketFrameAggregator(MAX_PAYLOAD))
                    .addLast(new FrameHandler());
        }
    }

    private final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                open = true;
                listener.onOpen();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                listener.onText(text.text());
            } else if (frame instanceof CloseWebSocketFrame close) {
                if (!closeKnown) {
                    closeKnown = true;
                    closeCode = close.statusCode() < 0 ? 1005 : close.statusCode();
                    closeReason = close.statusCode() < 0 ? "" : close.reasonText();
                }
                if (closeSent) {
                    ctx.close(); // the gateway's answer to ours
                } else {
                    // echo the gateway's close, as the protocol asks, then drop the connection
                    closeSent = true;
                    CloseWebSocketFrame echo =
                            closeCode == 1005 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(closeCode, "");
                    ctx.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
                }
            }
            // binary frames: the gateway protocol has none
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            open = false;
            report(closeCode, closeReason);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof WebSocketClientHandshakeException refused && !closeKnown) {
                // the upgrade was answered with an HTTP status instead of 101 — 503 while the gateway drains for a
                // restart: not connected, so the usual backoff, not the gateway's 1002 protocol refusal
                closeKnown = true;
                closeCode = -1;
                closeReason = "the gateway answered the WebSocket upgrade with "
                        + (refused.response() != null ? refused.response().status() : refused.getMessage());
            }
            LOG.debug("openclaw: socket error: {}", cause.toString());
            ctx.close();
        }
    }
}
