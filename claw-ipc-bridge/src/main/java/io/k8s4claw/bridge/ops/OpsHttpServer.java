package io.k8s4claw.bridge.ops;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.bus.BusServer;
import io.k8s4claw.bridge.delivery.DeadLetter;
import io.k8s4claw.bridge.delivery.DeliveryEngine;
import io.k8s4claw.bridge.delivery.InboundLedger;
import io.k8s4claw.bridge.net.EventLoops;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.bridge.wal.Journal;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
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
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /healthz} (the process works: the journal accepts writes), {@code /readyz} (bus listening and the
 * runtime reachable), {@code /metrics} (Prometheus text), and the dead-letter admin API
 * ({@code GET /v1/dead-letters}, {@code POST /v1/dead-letters/{id}/replay}) — the admin API answers only
 * requests from loopback (kubectl exec / port-forward), never from the pod network.
 *
 * <p>Netty's HTTP codec on the bridge's event loop (docs/design.md, "Memory"): no thread and no HTTP stack of its
 * own. Each path answers every method, and its sub-paths too, as the contexts of the JDK's HttpServer that served
 * them before did; keep-alive as the client asks.
 */
public final class OpsHttpServer implements AutoCloseable {

    private static final Pattern REPLAY = Pattern.compile("/v1/dead-letters/([A-Za-z0-9_-]{1,100})/replay");
    private static final Logger LOG = LoggerFactory.getLogger(OpsHttpServer.class);

    private final BridgeMetrics metrics;
    private final BusServer bus;
    private final RuntimeConnector connector;
    private final InboundLedger ledger;
    private final DeliveryEngine engine;
    private final Journal journal;
    private final int port;
    private final EventLoopGroup loop;
    private Channel server;

    /** Listens on {@code port} on every address (0: any free port) once started, on {@code loop}, the bridge's. */
    public OpsHttpServer(
            int port,
            EventLoopGroup loop,
            BridgeMetrics metrics,
            BusServer bus,
            RuntimeConnector connector,
            InboundLedger ledger,
            DeliveryEngine engine,
            Journal journal) {
        this.port = port;
        this.loop = loop;
        this.metrics = metrics;
        this.bus = bus;
        this.connector = connector;
        this.ledger = ledger;
        this.engine = engine;
        this.journal = journal;
    }

    /** Binds; throws when the port is taken. */
    public void start() throws IOException, InterruptedException {
        try {
            server = new ServerBootstrap()
                    .group(loop)
                    .channel(EventLoops.serverSocketChannel(loop))
                    .option(ChannelOption.SO_BACKLOG, 16)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(64 * 1024))
                                    .addLast(new Handler());
                        }
                    })
                    .bind(new InetSocketAddress(port))
                    .sync()
                    .channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(
                    "cannot listen on the ops port " + port + " (" + e.getMessage()
                            + "); is CLAW_BRIDGE_HTTP_PORT taken?",
                    e);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** One request: what {@link #respond} needs to answer it. */
    private record Exchange(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        boolean fromLoopback() {
            return ((InetSocketAddress) ctx.channel().remoteAddress())
                    .getAddress()
                    .isLoopbackAddress();
        }

        String method() {
            return request.method().name();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws IOException {
            if (req.decoderResult().isFailure()) {
                Exchange bad = new Exchange(ctx, req, "");
                respond(
                        bad,
                        400,
                        "text/plain",
                        "bad request: " + req.decoderResult().cause().getMessage() + "\n");
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            Exchange ex = new Exchange(ctx, req, path);
            if (within(path, "/healthz")) {
                healthz(ex);
            } else if (within(path, "/readyz")) {
                readyz(ex);
            } else if (within(path, "/metrics")) {
                metrics(ex);
            } else if (within(path, "/v1/dead-letters")) {
                deadLetters(ex);
            } else {
                respond(ex, 404, "text/plain", "not found: use /healthz, /readyz, /metrics or /v1/dead-letters\n");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof IOException) {
                LOG.debug("ops http: {}", cause.toString()); // a probe or scraper hung up
            } else {
                LOG.warn("ops http: {}", cause.toString());
            }
            ctx.close();
        }
    }

    /** {@code path} is {@code context} or below it. */
    private static boolean within(String path, String context) {
        return path.equals(context) || path.startsWith(context + "/");
    }

    private void healthz(Exchange ex) {
        var failure = journal.lastFailure();
        if (failure != null && !failure.diskFull()) {
            respond(ex, 503, "text/plain", "journal failing: " + failure.getMessage() + "\n");
        } else {
            respond(
                    ex,
                    200,
                    "text/plain",
                    failure == null ? "ok\n" : "ok (write-ahead log volume full; new messages are refused)\n");
        }
    }

    private void readyz(Exchange ex) {
        RuntimeHealth h = connector.health();
        boolean ready = bus.listening() && h.isUp();
        String body = "bus: " + (bus.listening() ? "listening" : "not listening") + "\nruntime: " + h.state() + " ("
                + h.detail() + ")\n";
        respond(ex, ready ? 200 : 503, "text/plain", body);
    }

    private void metrics(Exchange ex) throws IOException {
        ByteBuf body = ex.ctx().alloc().buffer(16 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            metrics.write(out);
        } catch (IOException | RuntimeException e) {
            body.release();
            throw e;
        }
        respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", body);
    }

    private void deadLetters(Exchange ex) throws IOException {
        if (!ex.fromLoopback()) {
            respond(
                    ex,
                    403,
                    "application/json",
                    "{\"error\":\"the dead-letter API answers loopback only: "
                            + "use kubectl exec or kubectl port-forward\"}");
            return;
        }
        String path = ex.path();
        if (path.equals("/v1/dead-letters") && ex.method().equals("GET")) {
            respond(ex, 200, "application/json", deadLettersJson(ledger.deadLetters()));
            return;
        }
        Matcher m = REPLAY.matcher(path);
        if (m.matches() && ex.method().equals("POST")) {
            boolean ok = engine.replayDeadLetter(m.group(1));
            Json body = Json.object().put("id", m.group(1)).put("replayed", ok);
            if (!ok) {
                body.put("error", "no dead letter with this id (GET /v1/dead-letters lists them)");
            }
            respond(ex, ok ? 200 : 404, "application/json", body.toString());
            return;
        }
        respond(
                ex,
                404,
                "application/json",
                "{\"error\":\"use GET /v1/dead-letters or POST /v1/dead-letters/{id}/replay\"}");
    }

    /** {@code {"deadLetters":[…]}}, each dead letter's fields in declaration order (as Jackson wrote it). */
    static String deadLettersJson(List<DeadLetter> deadLetters) {
        Json root = Json.object();
        Json list = root.putArray("deadLetters");
        for (DeadLetter d : deadLetters) {
            list.add(Json.object()
                    .put("id", d.id())
                    .put("channel", d.channel())
                    .put("messageId", d.messageId())
                    .put("conversationId", d.conversationId())
                    .put("reason", d.reason())
                    .put("attempts", d.attempts())
                    .put("acceptedAtMs", d.acceptedAtMs())
                    .put("deadLetteredAtMs", d.deadLetteredAtMs())
                    .put("textPreview", d.textPreview()));
        }
        return root.toString();
    }

    private static void respond(Exchange ex, int status, String type, String body) {
        respond(ex, status, type, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private static void respond(Exchange ex, int status, String type, ByteBuf body) {
        boolean head = ex.request().method().equals(HttpMethod.HEAD);
        int length = body.readableBytes();
        FullHttpResponse res = new DefaultFullHttpResponse(
                ex.request().protocolVersion(),
                HttpResponseStatus.valueOf(status),
                head ? Unpooled.EMPTY_BUFFER : body);
        if (head) {
            body.release();
        }
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(res, length);
        boolean keepAlive = HttpUtil.isKeepAlive(ex.request())
                && ex.request().decoderResult().isSuccess();
        HttpUtil.setKeepAlive(res, keepAlive);
        var written = ex.ctx().writeAndFlush(res);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
    }
}
