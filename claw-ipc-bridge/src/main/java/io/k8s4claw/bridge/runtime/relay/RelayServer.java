package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.bridge.net.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's WebSocket endpoint (docs/runtime-hermes-relay.md, "Wire"): Netty HTTP on loopback, upgrade on
 * {@code /relay} only (other upgrade paths get 400), the bearer token checked on upgrade — on failure the upgrade
 * completes and the socket is closed at once with 4401 {@code expired} or {@code unauthorized}, before any descriptor;
 * nothing else ever closes with 4401. Text frames are split into lines and parsed; pings are answered and sent.
 * {@code POST /relay/policy} answers {@code 200 {}} for an authenticated caller (the policy knobs are optional).
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);
    public static final int CLOSE_AUTH_FAILED = 4401;

    /** Called on the socket's event-loop thread; must not block. */
    public interface Listener {
        void onOpen(RelaySession session);

        void onFrame(RelaySession session, RelayFrame frame);

        void onBadLine(RelaySession session, long lineIndex, String reason);

        void onClose(RelaySession session, int code, String reason);
    }

    /** One authenticated gateway socket. */
    public static final class RelaySession {
        private final Channel channel;
        private final String gatewayId;
        private final long id;

        RelaySession(Channel channel, String gatewayId, long id) {
            this.channel = channel;
            this.gatewayId = gatewayId;
            this.id = id;
        }

        public String gatewayId() {
            return gatewayId;
        }

        public long id() {
            return id;
        }

        public boolean isOpen() {
            return channel.isActive();
        }

        /** Writes one or more complete lines (each ending with {@code \n}); completes when flushed to the socket. */
        public CompletableFuture<Void> send(String lines) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            channel.writeAndFlush(new TextWebSocketFrame(lines)).addListener(f -> {
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(f.cause());
                }
            });
            return done;
        }

        public void close(int code, String reason) {
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public String toString() {
            return "relay-session#" + id + "(" + gatewayId + ")";
        }
    }

    private final RelaySettings settings;
    private final Listener listener;
    private final Clock clock;
    private final EventLoopGroup group;
    private final boolean ownGroup;
    /** Accepted sockets: on a loop that is not ours, closing the server must close them itself. */
    private final ChannelGroup children;

    private final AtomicLong sessionIds = new AtomicLong();
    private Channel serverChannel;

    /** On an event loop of its own (one thread). */
    public RelayServer(RelaySettings settings, Listener listener, Clock clock) {
        this(settings, listener, clock, null);
    }

    /**
     * On {@code loop} (the bridge's: no thread of its own; the loop is never shut down here), or on a loop of its
     * own when {@code null}. The listener is called on that loop.
     */
    public RelayServer(RelaySettings settings, Listener listener, Clock clock, EventLoop loop) {
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
        this.ownGroup = loop == null;
        this.group = loop != null ? loop : new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.children = new DefaultChannelGroup("hermes-relay", group.next());
    }

    /** Binds; throws when the port is taken (a misconfiguration the operator must see). */
    public RelayServer start() {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(EventLoops.serverSocketChannel(group))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        children.add(ch);
                        ch.pipeline()
                                // first, so every byte read counts as life, pongs included (the WebSocket handler
                                // drops pong frames before any later handler could see them)
                                .addLast(new IdleStateHandler(
                                        settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/relay")
                                        .checkStartsWith(false)
                                        .maxFramePayloadLength(settings.maxLineChars() * 4)
                                        .handshakeTimeoutMillis(10_000)
                                        .dropPongFrames(true)
                                        .handleCloseFrames(false)
                                        .build()))
                                .addLast(new PlainHttpHandler())
                                .addLast(new WebSocketFrameAggregator(settings.maxLineChars() * 4))
                                .addLast(new FrameHandler());
                    }
                });
        try {
            serverChannel = b.bind(settings.bindHost(), settings.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the relay listener", e);
        } catch (Exception e) {
            if (ownGroup) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            throw new IllegalStateException(
                    "hermes-relay: cannot listen on " + settings.bindHost() + ":" + settings.port() + " ("
                            + e.getMessage() + "); is CLAW_RELAY_PORT taken?",
                    e);
        }
        LOG.info("hermes relay listening on ws://{}:{}/relay", settings.bindHost(), port());
        return this;
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (ownGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        } else {
            children.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    private RelayToken.Verification verify(String authorization) {
        return RelayToken.verify(authorization, settings.secrets(), settings.gatewayId(), clock);
    }

    /** Everything that is not a WebSocket upgrade on /relay. */
    private final class PlainHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri().split("\\?", 2)[0];
            if (req.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
                respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "{\"error\":\"the relay endpoint is /relay\"}");
            } else if (req.method().equals(HttpMethod.POST) && path.equals("/relay/policy")) {
                boolean ok = verify(req.headers().get(HttpHeaderNames.AUTHORIZATION))
                        instanceof RelayToken.Verification.Valid;
                respond(
                        ctx,
                        req,
                        ok ? HttpResponseStatus.OK : HttpResponseStatus.UNAUTHORIZED,
                        ok ? "{}" : "{\"error\":\"unauthorized\"}");
            } else {
                respond(ctx, req, HttpResponseStatus.NOT_FOUND, "{\"error\":\"not found\"}");
            }
        }

        private void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body) {
            FullHttpResponse res = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            res.headers()
                    .set(HttpHeaderNames.CONNECTION, "close"); // we close after answering: tell the client not to reuse
            HttpUtil.setContentLength(res, res.content().readableBytes());
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private RelaySession session;
        private RelayFrameParser parser;
        private ScheduledFuture<?> pinger;
        private int closeCode = 1006;
        private String closeReason = "connection lost";

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hs) {
                RelayToken.Verification v = verify(hs.requestHeaders().get(HttpHeaderNames.AUTHORIZATION));
                if (!(v instanceof RelayToken.Verification.Valid valid)) {
                    String reason = v instanceof RelayToken.Verification.Expired ? "expired" : "unauthorized";
                    LOG.warn(
                            "hermes relay: refused an upgrade from {}: {}",
                            ctx.channel().remoteAddress(),
                            v instanceof RelayToken.Verification.Invalid inv ? inv.why() : "token expired");
                    ctx.writeAndFlush(new CloseWebSocketFrame(CLOSE_AUTH_FAILED, reason))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                session = new RelaySession(ctx.channel(), valid.gatewayId(), sessionIds.incrementAndGet());
                parser = new RelayFrameParser(settings.maxLineChars());
                long ping = settings.pingInterval().toMillis();
                pinger = ctx.executor()
                        .scheduleAtFixedRate(
                                () -> ctx.writeAndFlush(new PingWebSocketFrame()), ping, ping, TimeUnit.MILLISECONDS);
                listener.onOpen(session);
            } else if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
                closeCode = 1001;
                closeReason = "idle for " + settings.idleTimeout().toSeconds() + " s";
                LOG.warn(
                        "hermes relay: {} sent nothing (not even a pong) for {}; closing",
                        session,
                        settings.idleTimeout());
                ctx.writeAndFlush(new CloseWebSocketFrame(1001, "keepalive timeout"))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (session == null) {
                return;
            }
            if (frame instanceof TextWebSocketFrame text) {
                for (RelayFrameParser.Line line : parser.feed(text.text())) {
                    if (line instanceof RelayFrameParser.Line.Good good) {
                        listener.onFrame(session, good.frame());
                    } else if (line instanceof RelayFrameParser.Line.Bad bad) {
                        listener.onBadLine(session, bad.index(), bad.reason());
                    }
                }
            } else if (frame instanceof CloseWebSocketFrame close) {
                closeCode = close.statusCode();
                closeReason = close.reasonText();
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode() < 0 ? 1000 : close.statusCode(), ""))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (pinger != null) {
                pinger.cancel(false);
            }
            if (session != null) {
                listener.onClose(session, closeCode, closeReason);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("hermes relay: {} failed: {}", session, cause.toString());
            ctx.close();
        }
    }
}
