package io.k8s4claw.bridge.runtime.hermes;

import io.k8s4claw.bridge.net.EventLoops;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The Hermes connector's HTTP/1.1 client, on Netty (docs/runtime-hermes-sse.md, "The HTTP client"): short exchanges
 * (the whole answer read into a string) and event streams (the body fed to an {@link SseParser} chunk by chunk as it
 * arrives). Everything runs on one event loop — the bridge's own, so the connector adds no thread — and all state is
 * confined to it: public methods hop onto the loop, callbacks and futures complete on it, and must never block.
 *
 * <p>Connections to the one Hermes are kept alive and reused ({@link #MAX_IDLE} idle at most, each closed after
 * {@link #IDLE_KEEP} unused, before Hermes's own keep-alive timeout). A reused connection that fails before the answer
 * began (Hermes closed it while idle) is retried once on a new one. Timeouts: connecting and every silence while
 * waiting for an answer are bounded by the request timeout, a stream's silence by its watchdog. TLS (an {@code https}
 * URL) is set up only then, with the JDK's trust store and host name verification: a loopback Hermes over
 * {@code http} never loads it. A host name (not an IP literal) is resolved off the loop, in the JVM's common pool,
 * because the JDK's resolver blocks.
 */
final class HermesHttp {

    /** Idle keep-alive connections kept at most. */
    static final int MAX_IDLE = 16;
    /** An idle connection is closed after this; below aiohttp's 75 s keep-alive, so it is rarely Hermes who closes. */
    static final Duration IDLE_KEEP = Duration.ofSeconds(20);
    /** How long a stream the follower stopped reading may take to end before its connection is closed instead. */
    static final Duration STREAM_DRAIN = Duration.ofMillis(100);
    /** Bounds a short answer's body (a run's status object carries its output). */
    static final int MAX_ANSWER_BYTES = 8 << 20;

    private static final AttributeKey<ScheduledFuture<?>> IDLE_TIMER = AttributeKey.valueOf("hermes.idleTimer");

    /** A complete answer to a short exchange. */
    record Answer(int status, String retryAfter, String body) {}

    /** The connection broke after Hermes had begun answering: the request may have taken effect. */
    static final class AnswerCutOff extends IOException {
        AnswerCutOff(Throwable cause) {
            super("connection lost while reading the answer: " + cause.getMessage(), cause);
        }
    }

    /** What happens on one event stream; each method on the event loop. */
    interface StreamListener extends SseParser.Listener {
        /** Hermes answered 200: events follow. */
        void onOpen();

        /** Hermes answered something other than 200; the stream is over. */
        void onRefused(int status);

        /** The stream is over without being closed by its reader: connect failure, watchdog, connection lost, or
         * Hermes ended the body ({@link EndOfStream}). */
        void onBroken(Throwable cause);
    }

    /** Hermes ended the event stream's body. */
    static final class EndOfStream extends IOException {
        EndOfStream() {
            super("Hermes ended the event stream");
        }
    }

    /** An open event stream. */
    interface EventStream {
        /**
         * Stops reading: no listener call follows. {@code settled} runs on the loop once the connection is back in
         * the pool (the body ended within {@link #STREAM_DRAIN}) or closed.
         */
        void close(Runnable settled);
    }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final String host;
    private final int port;
    private final boolean https;
    private final String hostHeader;
    private final String basePath;
    private final Duration requestTimeout;
    private SslContext ssl;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final Set<Channel> open = new HashSet<>();
    private final Set<Stream> streams = new HashSet<>();
    private final AtomicInteger allocatedCount = new AtomicInteger();
    private final AtomicInteger idleCount = new AtomicInteger();
    private boolean closed;

    HermesHttp(EventLoop loop, URI base, Duration requestTimeout) {
        this.loop = loop;
        this.https = "https".equals(base.getScheme());
        String h = base.getHost();
        this.host = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
        this.port = base.getPort() > 0 ? base.getPort() : https ? 443 : 80;
        this.hostHeader = base.getPort() > 0 ? h + ":" + base.getPort() : h;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.requestTimeout = requestTimeout;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(EventLoops.socketChannel(loop))
                .resolver(NoopAddressResolverGroup.INSTANCE) // resolved before connecting, see connect()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, requestTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) throws SSLException {
                        if (https) {
                            ch.pipeline().addLast("tls", tls(ch));
                        }
                        ch.pipeline().addLast("http", new HttpClientCodec()).addLast("pool", new PoolGuard());
                    }
                });
    }

    /** {@code /<base path>/<segment>/…}, each segment percent-encoded. */
    String path(String... segments) {
        var sb = new StringBuilder(basePath);
        for (String s : segments) {
            sb.append('/');
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if ((c >= 'a' && c <= 'z')
                        || (c >= 'A' && c <= 'Z')
                        || (c >= '0' && c <= '9')
                        || "-._~".indexOf(c) >= 0) {
                    sb.append(c);
                } else {
                    sb.append('%')
                            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                }
            }
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    /** Connections open now, idle ones included (read from any thread). */
    int connectionCount() {
        return allocatedCount.get() + idleCount.get();
    }

    /** Connections idle in the pool, ready for reuse. */
    int idleConnectionCount() {
        return idleCount.get();
    }

    /** One request, its whole answer; fails with an {@link IOException} ({@link AnswerCutOff} once answering began). */
    CompletableFuture<Answer> send(HttpMethod method, String path, HttpHeaders headers, byte[] body) {
        var answer = new CompletableFuture<Answer>();
        onLoop(answer::completeExceptionally, () -> new Call(method, path, headers, body, answer).begin(true));
        return answer;
    }

    /** {@code GET path} as an event stream; the listener hears of everything on the loop. */
    EventStream openStream(String path, HttpHeaders headers, Duration watchdog, StreamListener listener) {
        var stream = new Stream(path, headers, watchdog, listener);
        onLoop(listener::onBroken, () -> stream.begin(true));
        return stream;
    }

    /** Closes every connection; exchanges in flight fail, streams end without a listener call. */
    void close() {
        onLoop(e -> {}, () -> {
            closed = true;
            for (Stream s : List.copyOf(streams)) {
                s.close(() -> {});
            }
            for (Channel ch : List.copyOf(open)) {
                ch.close();
            }
            idle.clear();
            idleCount.set(0);
        });
    }

    // ------------------------------------------------------------------ connections

    private void onLoop(Consumer<IOException> refused, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            refused.accept(new IOException("the bridge's event loop is shut down", e));
        }
    }

    private SslHandler tls(Channel ch) throws SSLException {
        if (ssl == null) {
            ssl = SslContextBuilder.forClient().build();
        }
        SslHandler handler = ssl.newHandler(ch.alloc(), host, port);
        SSLEngine engine = handler.engine();
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(params);
        return handler;
    }

    /** A pooled connection, or a new one; {@code got} receives it and whether it was reused. */
    private void acquire(boolean mayReuse, Consumer<Throwable> failed, BiConsumer<Channel, Boolean> got) {
        if (closed) {
            failed.accept(new IOException("the Hermes connector is closed"));
            return;
        }
        if (mayReuse) {
            Channel ch;
            while ((ch = idle.pollFirst()) != null) {
                idleCount.decrementAndGet();
                ScheduledFuture<?> timer = ch.attr(IDLE_TIMER).getAndSet(null);
                if (timer != null) {
                    timer.cancel(false);
                }
                if (ch.isActive()) {
                    allocatedCount.incrementAndGet();
                    got.accept(ch, true);
                    return;
                }
            }
        }
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            try {
                connect(new InetSocketAddress(InetAddress.getByName(host), port), failed, got); // a literal: no lookup
            } catch (UnknownHostException e) {
                failed.accept(e);
            }
            return;
        }
        CompletableFuture.supplyAsync(() -> new InetSocketAddress(host, port))
                .whenComplete((address, err) -> onLoop(failed::accept, () -> {
                    if (err != null) {
                        failed.accept(err);
                    } else if (address.isUnresolved()) {
                        failed.accept(new UnknownHostException("cannot resolve " + host));
                    } else {
                        connect(address, failed, got);
                    }
                }));
    }

    private void connect(InetSocketAddress address, Consumer<Throwable> failed, BiConsumer<Channel, Boolean> got) {
        ChannelFuture connecting = bootstrap.connect(address);
        connecting.addListener(f -> {
            Channel ch = connecting.channel();
            if (!f.isSuccess()) {
                failed.accept(f.cause());
                return;
            }
            if (closed) {
                ch.close();
                failed.accept(new IOException("the Hermes connector is closed"));
                return;
            }
            open.add(ch);
            ch.closeFuture().addListener(x -> {
                open.remove(ch);
                if (idle.remove(ch)) {
                    idleCount.decrementAndGet();
                }
            });
            allocatedCount.incrementAndGet();
            got.accept(ch, false);
        });
    }

    /** Back to the pool when the answer ended and the connection may be reused, otherwise closed. */
    private void release(Channel ch, boolean reusable) {
        var p = ch.pipeline();
        if (p.get("timeout") != null) {
            p.remove("timeout");
        }
        if (p.get("exchange") != null) {
            p.remove("exchange");
        }
        allocatedCount.decrementAndGet();
        if (reusable && !closed && ch.isActive() && idle.size() < MAX_IDLE) {
            idle.addFirst(ch);
            idleCount.incrementAndGet();
            ch.attr(IDLE_TIMER)
                    .set(loop.schedule(
                            () -> {
                                if (idle.remove(ch)) {
                                    idleCount.decrementAndGet();
                                    ch.close();
                                }
                            },
                            IDLE_KEEP.toMillis(),
                            TimeUnit.MILLISECONDS));
        } else {
            ch.close();
        }
    }

    private void attach(Channel ch, Duration silence, ChannelHandler exchange) {
        ch.pipeline()
                .addBefore("pool", "timeout", new IdleStateHandler(silence.toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addBefore("pool", "exchange", exchange);
    }

    private FullHttpRequest request(HttpMethod method, String path, HttpHeaders headers, byte[] body) {
        ByteBuf content = body == null || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        var req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, content);
        req.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.USER_AGENT, "claw-ipc-bridge")
                .add(headers);
        if (method != HttpMethod.GET) {
            req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        }
        HttpUtil.setKeepAlive(req, true);
        return req;
    }

    /** The last handler of every connection: anything arriving while no exchange holds it ends the connection. */
    private static final class PoolGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ReferenceCountUtil.release(evt);
        }
    }

    // ------------------------------------------------------------------ exchanges

    /** One short exchange: the answer is read whole. */
    private final class Call extends ChannelInboundHandlerAdapter {
        private final HttpMethod method;
        private final String path;
        private final HttpHeaders headers;
        private final byte[] body;
        private final CompletableFuture<Answer> answer;
        private Channel channel;
        private boolean reused;
        private int status = -1;
        private String retryAfter;
        private boolean keepAlive;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private boolean done;

        Call(HttpMethod method, String path, HttpHeaders headers, byte[] body, CompletableFuture<Answer> answer) {
            this.method = method;
            this.path = path;
            this.headers = headers;
            this.body = body;
            this.answer = answer;
        }

        void begin(boolean mayReuse) {
            acquire(mayReuse, answer::completeExceptionally, (ch, wasReused) -> {
                channel = ch;
                reused = wasReused;
                attach(ch, requestTimeout, this);
                ch.writeAndFlush(request(method, path, headers, body)).addListener(w -> {
                    if (!w.isSuccess()) {
                        fail(w.cause());
                    }
                });
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (done) {
                    return;
                }
                if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                    fail(o.decoderResult().cause());
                    return;
                }
                if (msg instanceof HttpResponse r) {
                    status = r.status().code();
                    retryAfter = r.headers().get(HttpHeaderNames.RETRY_AFTER);
                    keepAlive = HttpUtil.isKeepAlive(r);
                }
                if (msg instanceof HttpContent c) {
                    ByteBuf content = c.content();
                    if (received.size() + content.readableBytes() > MAX_ANSWER_BYTES) {
                        fail(new IOException("answer larger than " + MAX_ANSWER_BYTES + " bytes"));
                        return;
                    }
                    content.getBytes(content.readerIndex(), received, content.readableBytes());
                    if (msg instanceof LastHttpContent) {
                        done = true;
                        release(channel, keepAlive);
                        answer.complete(new Answer(status, retryAfter, received.toString(StandardCharsets.UTF_8)));
                    }
                }
            } catch (IOException e) {
                fail(e);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                fail(new SocketTimeoutException("no answer within " + requestTimeout.toMillis() + " ms"));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new IOException("Hermes closed the connection"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause);
        }

        private void fail(Throwable cause) {
            if (done) {
                return;
            }
            done = true;
            release(channel, false);
            if (status < 0 && reused && !closed && !(cause instanceof SocketTimeoutException)) {
                // an idle connection Hermes had closed: once more on a new one, as nothing was answered
                new Call(method, path, headers, body, answer).begin(false);
            } else {
                answer.completeExceptionally(status < 0 ? cause : new AnswerCutOff(cause));
            }
        }
    }

    /** One event stream: the body goes to the parser as it arrives. */
    private final class Stream implements EventStream {
        private final String path;
        private final HttpHeaders headers;
        private final Duration watchdog;
        private final StreamListener listener;
        private final SseParser parser;
        private Channel channel;
        private boolean reused;
        private int status = -1;
        private boolean keepAlive;
        /** Closed by the reader, or over: no listener call any more. */
        private boolean over;
        /** Closed by the reader while the body goes on: read to its end (briefly) to keep the connection. */
        private Runnable draining;

        private ScheduledFuture<?> drainTimer;

        Stream(String path, HttpHeaders headers, Duration watchdog, StreamListener listener) {
            this.path = path;
            this.headers = headers;
            this.watchdog = watchdog;
            this.listener = listener;
            this.parser = new SseParser(listener);
        }

        void begin(boolean mayReuse) {
            streams.add(this);
            acquire(mayReuse, this::fail, (ch, wasReused) -> {
                if (over) {
                    release(ch, true); // closed before it was connected: nothing was sent
                    settle();
                    return;
                }
                channel = ch;
                reused = wasReused;
                attach(ch, watchdog, new StreamHandler(this));
                ch.writeAndFlush(request(HttpMethod.GET, path, headers, null)).addListener(w -> {
                    if (!w.isSuccess()) {
                        fail(w.cause());
                    }
                });
            });
        }

        @Override
        public void close(Runnable settled) {
            onLoop(e -> settled.run(), () -> {
                if (over) {
                    if (draining == null) {
                        settled.run();
                    }
                    return;
                }
                over = true;
                parser.stop();
                if (channel == null) {
                    streams.remove(this); // not connected yet: begin() releases what it gets
                    settled.run();
                    return;
                }
                if (status == 200 && keepAlive && !closed) {
                    draining = settled;
                    drainTimer =
                            loop.schedule(() -> finishDrain(false), STREAM_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
                release(channel, false);
                streams.remove(this);
                settled.run();
            });
        }

        private void finishDrain(boolean ended) {
            if (draining == null) {
                return;
            }
            Runnable settled = draining;
            draining = null;
            if (drainTimer != null) {
                drainTimer.cancel(false);
            }
            release(channel, ended);
            streams.remove(this);
            settled.run();
        }

        private void settle() {
            streams.remove(this);
        }

        void read(Object msg) {
            try {
                if (draining != null) {
                    if (msg instanceof LastHttpContent) {
                        finishDrain(true);
                    }
                    return;
                }
                if (over) {
                    return;
                }
                if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                    fail(o.decoderResult().cause());
                    return;
                }
                if (msg instanceof HttpResponse r) {
                    status = r.status().code();
                    keepAlive = HttpUtil.isKeepAlive(r);
                    if (status == 200) {
                        listener.onOpen();
                    }
                }
                if (msg instanceof HttpContent c) {
                    if (status == 200) {
                        parser.feed(c.content());
                    }
                    if (msg instanceof LastHttpContent && draining != null) {
                        finishDrain(true); // the reader stopped at an event in the body's last chunk
                    } else if (msg instanceof LastHttpContent && !over) {
                        over = true;
                        release(channel, keepAlive);
                        settle();
                        if (status == 200) {
                            listener.onBroken(new EndOfStream());
                        } else {
                            listener.onRefused(status);
                        }
                    }
                }
            } catch (RuntimeException e) { // SseParser.TooLarge, or the listener's own failure
                fail(e);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        void silent() {
            fail(new SocketTimeoutException("event stream silent for " + watchdog.toMillis() + " ms"));
        }

        void fail(Throwable cause) {
            if (draining != null) {
                finishDrain(false);
                return;
            }
            if (over) {
                return;
            }
            over = true;
            if (channel != null) {
                release(channel, false);
            }
            if (status < 0 && reused && !closed && !(cause instanceof SocketTimeoutException)) {
                over = false;
                channel = null;
                begin(false); // an idle connection Hermes had closed: once more on a new one
                return;
            }
            settle();
            if (status > 0 && status != 200) {
                listener.onRefused(status);
            } else {
                listener.onBroken(cause);
            }
        }
    }

    /** Connects one connection's events to its stream: a new one per connection the stream is tried on. */
    private static final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final Stream stream;

        StreamHandler(Stream stream) {
            this.stream = stream;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            stream.read(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                stream.silent();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stream.fail(new IOException("Hermes closed the connection"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stream.fail(cause);
        }
    }

    static HttpHeaders headers() {
        return new DefaultHttpHeaders();
    }

    static final CharSequence JSON = HttpHeaderValues.APPLICATION_JSON + "; charset=utf-8";
}
