package io.k8s4claw.bridge.runtime.hermes;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.k8s4claw.bridge.runtime.RecordingSink;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzing of the SSE path: arbitrary bytes through the connector's {@link SseParser} (fed from memory in chunks of
 * {@link #CHUNK} bytes, as a response body arrives, so lines and line ends cross chunk boundaries) into
 * {@link RunEventMapper}, and arbitrary event sequences into the mapper directly. Invariants: nothing but
 * {@link SseParser.TooLarge} (the stream counts as broken) ever escapes; the sink contract holds
 * (start first and once, deltas cumulative, at most one terminal call, nothing after it); a {@code run.completed}
 * with a string {@code output} always wins as the final text.
 *
 * <p>Stored regression inputs run in every build, one directory per method under {@code HermesSseFuzzTestInputs/}:
 * real Hermes streams from Hermes (docs/runtime-hermes-sse.md) and broken variants, and {@code corpus-*} inputs picked
 * from the corpus of a local fuzzing run so that together they cover every event name, every kind of sink call and the
 * orders they came in. The mapper test's inputs must send every event name and cause every kind of sink call (checked
 * after all, see {@link #report}): the empty input alone checks nothing. Fuzz for real, one method at a time: {@code
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=10m ./mvnw -pl claw-ipc-bridge test
 * -Dtest='HermesSseFuzzTest#mapperKeepsTheSinkContract'} (the corpus grows in {@code .cifuzz-corpus/}).
 */
class HermesSseFuzzTest {

    private static final List<String> NAMES = List.of(
            "message.delta",
            "run.completed",
            "run.failed",
            "run.cancelled",
            "run.interrupted",
            "approval.request",
            "approval.responded",
            "tool.started",
            "tool.completed",
            "message.interim",
            "reasoning.available",
            "subagent.start",
            "run.steered",
            "");

    private static final AtomicLong SSE_RUNS = new AtomicLong();
    private static final AtomicLong MAPPER_RUNS = new AtomicLong();
    /** Event names {@link #mapperKeepsTheSinkContract} handed to the mapper inside well-formed JSON. */
    private static final Set<String> MAPPER_EVENTS_SENT = ConcurrentHashMap.newKeySet();
    /** Kinds of sink calls the mapper made in {@link #mapperKeepsTheSinkContract} (see {@link #kind}). */
    private static final Set<String> MAPPER_SINK_KINDS = ConcurrentHashMap.newKeySet();
    /** Every kind of sink call the mapper can make: one per way a Hermes event can show up in the channel. */
    private static final Set<String> ALL_SINK_KINDS = Set.of(
            "start",
            "delta",
            "final",
            "error:run_failed",
            "error:run_cancelled",
            "error:run_interrupted",
            "approval",
            "typing");

    @AfterAll
    static void report() {
        System.out.println("HermesSseFuzzTest executions: sse=" + SSE_RUNS.get() + " mapper=" + MAPPER_RUNS.get()
                + " mapper events sent=" + new TreeSet<>(MAPPER_EVENTS_SENT) + " sink kinds="
                + new TreeSet<>(MAPPER_SINK_KINDS));
        if (MAPPER_RUNS.get() > 0) {
            // Without seeds the build gives the mapper test only the empty input: zero events, an empty sink, and
            // assertions that hold trivially. The stored inputs (HermesSseFuzzTestInputs/mapperKeepsTheSinkContract)
            // must reach every event name and every kind of sink call, or the contract was not checked on them.
            assertThat(MAPPER_EVENTS_SENT)
                    .as("event names the mapper test's inputs sent")
                    .containsAll(NAMES);
            assertThat(MAPPER_SINK_KINDS)
                    .as("sink calls the mapper test's inputs caused")
                    .containsAll(ALL_SINK_KINDS);
        }
    }

    /** A sink event reduced to its kind: {@code delta:abc} is {@code delta}, errors keep their code. */
    private static String kind(String sinkEvent) {
        if (sinkEvent.startsWith("error:")) {
            int end = sinkEvent.indexOf(':', "error:".length());
            return end < 0 ? sinkEvent : sinkEvent.substring(0, end);
        }
        int colon = sinkEvent.indexOf(':');
        return colon < 0 ? sinkEvent : sinkEvent.substring(0, colon);
    }

    /** Bytes per chunk fed to the parser. */
    private static final int CHUNK = 7;

    @FuzzTest(maxDuration = "30s")
    void sseStreamKeepsTheSinkContract(byte[] input) {
        SSE_RUNS.incrementAndGet();
        var sink = new RecordingSink();
        var mapper = new RunEventMapper(sink);
        SseParser[] parser = new SseParser[1];
        parser[0] = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(String name, String data, String lastEventId) {
                mapper.onMessage(name, data, lastEventId);
                if (mapper.terminal()) {
                    parser[0].stop(); // the follower stops reading at the terminal event
                }
            }

            @Override
            public void onComment(String text) {
                assertThat(text).doesNotContain("\n");
            }
        });
        mapper.start();
        try {
            for (int off = 0; off < input.length; off += CHUNK) {
                parser[0].feed(Unpooled.wrappedBuffer(input, off, Math.min(CHUNK, input.length - off)));
            }
            // end of input without a terminal event: the follower would resume
        } catch (SseParser.TooLarge e) {
            // a line or event above the bound: a broken stream, resumed, never a crash
        }
        assertThat(sink.violations()).isEmpty();
        assertThat(sink.events()).first().isEqualTo("start");
        assertThat(sink.count("start")).isEqualTo(1);
        assertThat(sink.events().stream()
                        .filter(e -> e.startsWith("final:") || e.startsWith("error:"))
                        .count())
                .isLessThanOrEqualTo(1);
    }

    @FuzzTest(maxDuration = "30s")
    void mapperKeepsTheSinkContract(FuzzedDataProvider data) {
        MAPPER_RUNS.incrementAndGet();
        var sink = new RecordingSink();
        var mapper = new RunEventMapper(sink);
        int n = data.consumeInt(0, 40);
        for (int i = 0; i < n; i++) {
            String json;
            String completedOutput = null;
            String event = data.pickValue(NAMES);
            switch (data.consumeInt(0, 3)) {
                case 0 -> json = data.consumeString(200); // anything at all
                case 1 -> {
                    json = "{\"event\":" + quote(event) + ",\"delta\":" + quote(data.consumeString(20)) + "}";
                    MAPPER_EVENTS_SENT.add(event);
                }
                case 2 -> {
                    completedOutput = data.consumeString(30);
                    json = "{\"event\":\"run.completed\",\"output\":" + quote(completedOutput) + "}";
                    MAPPER_EVENTS_SENT.add("run.completed");
                }
                default -> {
                    json = "{\"event\":" + quote(event) + ",\"request_id\":" + quote(data.consumeString(10))
                            + ",\"choices\":[" + quote(data.consumeString(5)) + ",1,null],\"command\":"
                            + quote(data.consumeString(20))
                            + ",\"error\":" + (data.consumeBoolean() ? quote(data.consumeString(40)) : "{\"x\":1}")
                            + "}";
                    MAPPER_EVENTS_SENT.add(event);
                }
            }
            boolean wasTerminal = mapper.terminal();
            mapper.onMessage(
                    data.consumeBoolean() ? event : null, json, data.consumeBoolean() ? Integer.toString(i) : null);
            if (!wasTerminal && completedOutput != null) {
                // run.completed.output is authoritative (docs/runtime-hermes-sse.md, "Following a run")
                assertThat(sink.events()).last().isEqualTo("final:" + completedOutput);
            }
        }
        sink.events().forEach(e -> MAPPER_SINK_KINDS.add(kind(e)));
        assertThat(sink.violations()).isEmpty();
        long terminals = sink.events().stream()
                .filter(e -> e.startsWith("final:") || e.startsWith("error:"))
                .count();
        assertThat(terminals).isLessThanOrEqualTo(1);
        assertThat(sink.events()).allSatisfy(e -> {
            if (e.startsWith("error:")) {
                assertThat(e).doesNotContain("\n").hasSizeLessThan(420); // first line, bounded: no tracebacks to users
            }
        });
    }

    private static String quote(String s) {
        var sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
