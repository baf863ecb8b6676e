package io.k8s4claw.testkit.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * An OpenAI-compatible model server on loopback for running real agent runtimes without a model
 * (docs/openclaw-and-relay-peers.md): {@code POST /v1/chat/completions}, streamed as {@code text/event-stream}
 * ({@code chat.completion.chunk} lines, a chunk with {@code finish_reason:"stop"}, then {@code data: [DONE]}) or,
 * with {@code stream:false}, one {@code chat.completion} JSON. A script may answer with a tool call instead
 * ({@link ScriptedReply#callTool}: one {@code tool_calls} delta, finish reason {@code tool_calls}). {@code GET /health}
 * and {@code GET /v1/models} answer too.
 *
 * <p>Replies are scripted by a function of the request; the default echoes {@code "echo: " + lastUserText}.
 * {@link #holdAgentTurns()} makes agent turns (requests with tools) stop after their first chunk until
 * {@link #release()}, so a test can restart the runtime mid-run deterministically.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<ChatCompletionRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicReference<Function<ChatCompletionRequest, ScriptedReply>> script =
            new AtomicReference<>(FakeOpenAiServer::echo);
    private final AtomicReference<CountDownLatch> hold = new AtomicReference<>();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();

    private FakeOpenAiServer(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("fake OpenAI server: cannot bind 127.0.0.1:" + port, e);
        }
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-openai");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::completions);
        server.createContext(
                "/v1/models",
                ex -> respond(
                        ex,
                        200,
                        "application/json",
                        "{\"object\":\"list\",\"data\":[{\"id\":\"echo-1\",\"object\":\"model\","
                                + "\"owned_by\":\"fake\"}]}"));
        server.createContext("/health", ex -> respond(ex, 200, "application/json", "{\"ok\":true}"));
        server.start();
    }

    /** Starts on a free loopback port. */
    public static FakeOpenAiServer start() {
        return new FakeOpenAiServer(0);
    }

    public static FakeOpenAiServer start(int port) {
        return new FakeOpenAiServer(port);
    }

    /** {@code http://127.0.0.1:<port>/v1}, the provider {@code baseUrl}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The default script: echo the last user text, streamed in three pieces. */
    public static ScriptedReply echo(ChatCompletionRequest request) {
        return ScriptedReply.of("echo: " + request.lastUserText(), 3);
    }

    /** Replaces the reply script. */
    public FakeOpenAiServer script(Function<ChatCompletionRequest, ScriptedReply> script) {
        this.script.set(Objects.requireNonNull(script, "script"));
        return this;
    }

    /** Slow mode: the echo script with {@code delay} between pieces. */
    public FakeOpenAiServer slow(Duration delay) {
        return script(r -> ScriptedReply.of("echo: " + r.lastUserText(), 3, delay));
    }

    /** From now on agent turns (requests with tools) send their first chunk, then wait for {@link #release()}. */
    public FakeOpenAiServer holdAgentTurns() {
        hold.set(new CountDownLatch(1));
        return this;
    }

    /**
     * Agent turns waiting at the hold right now (their first chunk sent): the sign that a turn is held, for a test
     * to wait on instead of sleeping and hoping the turn got there.
     */
    public int heldTurns() {
        return held.get();
    }

    /** Lets held turns continue and stops holding. */
    public FakeOpenAiServer release() {
        CountDownLatch latch = hold.getAndSet(null);
        if (latch != null) {
            latch.countDown();
        }
        return this;
    }

    /** Every request received, in arrival order. */
    public List<ChatCompletionRequest> requests() {
        return List.copyOf(requests);
    }

    /** The {@code Authorization} header of every request received ({@code "null"} when absent), in arrival order. */
    public List<String> authorizationHeaders() {
        return List.copyOf(authorizations);
    }

    /**
     * Agent turns (requests offering tools) whose user text is {@code userText}: how many runs the runtime started for
     * it.
     */
    public long agentTurnsFor(String userText) {
        return requests.stream()
                .filter(r -> r.hasTools() && userText.equals(r.lastUserText()))
                .count();
    }

    private void completions(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                respond(
                        ex,
                        405,
                        "application/json",
                        "{\"error\":{\"message\":\"use POST\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ChatCompletionRequest request;
            try {
                request = parse(body);
            } catch (IOException | RuntimeException e) {
                respond(
                        ex,
                        400,
                        "application/json",
                        "{\"error\":{\"message\":" + JSON.writeValueAsString("bad request body: " + e.getMessage())
                                + ",\"type\":\"invalid_request_error\"}}");
                return;
            }
            requests.add(request);
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            ScriptedReply reply = script.get().apply(request);
            String id = "chatcmpl-fake-" + ids.incrementAndGet();
            if (!request.stream()) {
                ObjectNode out = JSON.createObjectNode()
                        .put("id", id)
                        .put("object", "chat.completion")
                        .put("created", System.currentTimeMillis() / 1000)
                        .put("model", request.model());
                ObjectNode choice = out.putArray("choices")
                        .addObject()
                        .put("index", 0)
                        .put("finish_reason", reply.toolCall() == null ? "stop" : "tool_calls");
                ObjectNode message =
                        choice.putObject("message").put("role", "assistant").put("content", reply.text());
                if (reply.toolCall() != null) {
                    message.putNull("content");
                    toolCallNode(message.putArray("tool_calls").addObject(), id, reply.toolCall());
                }
                out.putObject("usage")
                        .put("prompt_tokens", 1)
                        .put("completion_tokens", 1)
                        .put("total_tokens", 2);
                respond(ex, 200, "application/json", JSON.writeValueAsString(out));
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream os = ex.getResponseBody();
            try {
                if (reply.toolCall() != null) {
                    ObjectNode c = JSON.createObjectNode()
                            .put("id", id)
                            .put("object", "chat.completion.chunk")
                            .put("created", 0)
                            .put("model", request.model());
                    ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
                    ObjectNode delta = choice.putObject("delta").put("role", "assistant");
                    toolCallNode(delta.putArray("tool_calls").addObject().put("index", 0), id, reply.toolCall());
                    choice.putNull("finish_reason");
                    writeEvent(os, JSON.writeValueAsString(c));
                    ObjectNode end = JSON.createObjectNode()
                            .put("id", id)
                            .put("object", "chat.completion.chunk")
                            .put("created", 0)
                            .put("model", request.model());
                    end.putArray("choices")
                            .addObject()
                            .put("index", 0)
                            .put("finish_reason", "tool_calls")
                            .putObject("delta");
                    writeEvent(os, JSON.writeValueAsString(end));
                    os.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                    os.flush();
                    return;
                }
                for (int i = 0; i < reply.chunks().size(); i++) {
                    if (i > 0) {
                        CountDownLatch latch = hold.get();
                        if (i == 1 && latch != null && request.hasTools()) {
                            held.incrementAndGet();
                            try {
                                latch.await(10, TimeUnit.MINUTES);
                            } finally {
                                held.decrementAndGet();
                            }
                        }
                        if (!reply.delayBetweenChunks().isZero()) {
                            Thread.sleep(reply.delayBetweenChunks().toMillis());
                        }
                    }
                    writeEvent(os, chunk(id, request.model(), reply.chunks().get(i), i == 0, null));
                }
                writeEvent(os, chunk(id, request.model(), null, false, "stop"));
                os.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                os.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the client went away mid-stream (e.g. the runtime was killed): nothing to do
            }
        }
    }

    private static void toolCallNode(ObjectNode call, String id, ScriptedReply.ToolCall toolCall) {
        call.put("id", "call_" + id).put("type", "function");
        call.putObject("function").put("name", toolCall.name()).put("arguments", toolCall.argumentsJson());
    }

    private static String chunk(String id, String model, String content, boolean first, String finishReason)
            throws IOException {
        ObjectNode c = JSON.createObjectNode()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", 0)
                .put("model", model);
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (content != null) {
            if (first) {
                delta.put("role", "assistant");
            }
            delta.put("content", content);
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return JSON.writeValueAsString(c);
    }

    private static void writeEvent(OutputStream os, String json) throws IOException {
        os.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
    }

    static ChatCompletionRequest parse(String body) throws IOException {
        JsonNode root = JSON.readTree(body);
        if (root == null || !root.isObject()) {
            throw new IOException("expected a JSON object");
        }
        JsonNode messages = root.path("messages");
        if (!messages.isArray()) {
            throw new IOException("field 'messages' must be an array");
        }
        List<ChatCompletionRequest.Message> out = new ArrayList<>();
        for (JsonNode m : messages) {
            out.add(new ChatCompletionRequest.Message(m.path("role").asText(""), flatten(m.path("content"))));
        }
        JsonNode tools = root.path("tools");
        return new ChatCompletionRequest(
                root.path("model").asText("echo-1"),
                root.path("stream").asBoolean(false),
                tools.isArray() && !tools.isEmpty(),
                out,
                body);
    }

    private static String flatten(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (content instanceof ArrayNode parts) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode p : parts) {
                if (p.path("type").asText("text").equals("text")) {
                    sb.append(p.path("text").asText(""));
                }
            }
            return sb.toString();
        }
        return "";
    }

    private static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
