package io.k8s4claw.api.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Differential fuzzing of the sidecar's own JSON parser ({@link Json}, which reads untrusted webhook and platform
 * bodies) against Jackson's. For any bytes:
 * <ul>
 *   <li>{@link Json#parse(byte[])} returns a tree or throws {@link Json.ParseException} — never anything else —
 *       and a parse error's position lies inside the input;</li>
 *   <li>bytes that are not UTF-8 are refused;</li>
 *   <li>otherwise it accepts exactly what Jackson (strict: no trailing tokens, exact numbers) accepts — except
 *       text Jackson takes but {@code Json} refuses on purpose: a lone surrogate escape (it cannot be carried
 *       in UTF-8 to the bus and the platforms) and nesting deeper than {@code Json}'s 200 levels — and both
 *       build the same tree (objects with fields in order, the last duplicate winning; numbers by value);</li>
 *   <li>what {@code Json} prints, both parse back to the same tree, and it is exactly what Jackson prints for that
 *       tree (the bridge's frames and request bodies did not change bytes when it moved from Jackson to
 *       {@code Json}).</li>
 * </ul>
 *
 * <p>Runs the stored regression inputs ({@code JsonFuzzTestInputs/}) in every build; fuzz for real with
 * {@code JAZZER_FUZZ=1 JAZZER_MAX_DURATION=10m ./mvnw -pl claw-api test -Dtest=JsonFuzzTest}.
 */
class JsonFuzzTest {

    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    static {
        // Json has no limits of its own on these: let Jackson's not stand in the way of the comparison
        JACKSON.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(10_000)
                        .maxNumberLength(Integer.MAX_VALUE)
                        .maxStringLength(Integer.MAX_VALUE)
                        .build());
    }

    private static final Pattern SURROGATE_ESCAPE = Pattern.compile("\\\\u[dD][89a-fA-F][0-9a-fA-F]{2}");

    @FuzzTest(maxDuration = "30s")
    void parsesLikeJackson(byte[] input) throws Exception {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(input))
                    .toString();
        } catch (CharacterCodingException notUtf8) {
            Json.ParseException refused = parseError(input);
            assertThat(refused).as("bytes that are not UTF-8 must be refused").isNotNull();
            assertThat(refused.getMessage()).contains("invalid UTF-8");
            assertThat(refused.offset()).isBetween(0L, (long) input.length);
            return;
        }

        Json ours = null;
        Json.ParseException ourError = null;
        try {
            ours = Json.parse(input);
        } catch (Json.ParseException e) {
            ourError = e;
        }
        JsonNode theirs;
        try {
            theirs = JACKSON.readTree(text);
            if (theirs == null || theirs.isMissingNode()) {
                theirs = null; // empty or blank input: no document
            }
        } catch (JsonProcessingException | NumberFormatException e) {
            // Jackson refuses an exponent beyond BigDecimal's range with a NumberFormatException of its own
            theirs = null;
        }

        if (ourError != null) {
            assertThat(ourError.offset()).isBetween(0L, (long) input.length);
            assertThat(ourError.line()).isPositive();
            assertThat(ourError.column()).isPositive();
            if (theirs != null) {
                assertThat(ourError.getMessage())
                        .as("Json refused what Jackson accepts: %s", text)
                        .containsAnyOf("lone surrogate", "nested deeper than");
                if (ourError.getMessage().contains("lone surrogate")) {
                    // Jackson's tree need not hold it: a later duplicate field may have replaced the one that did
                    assertThat(SURROGATE_ESCAPE.matcher(text).find())
                            .as("the text escapes a surrogate")
                            .isTrue();
                }
            }
            return;
        }
        assertThat(theirs).as("Json accepted what Jackson refuses: %s", text).isNotNull();
        assertThat(canonical(ours)).isEqualTo(canonical(theirs));

        String printed = ours.toString();
        assertThat(canonical(Json.parse(printed))).isEqualTo(canonical(ours));
        assertThat(canonical(JACKSON.readTree(printed))).isEqualTo(canonical(ours));
        assertThat(printed).isEqualTo(JACKSON.writeValueAsString(jackson(ours)));
    }

    private static final JsonNodeFactory EXACT = JsonNodeFactory.withExactBigDecimals(true);

    /** The same tree as Jackson nodes, numbers as Json holds them (a long, or the exact decimal). */
    static JsonNode jackson(Json n) {
        return switch (n.type()) {
            case OBJECT -> {
                ObjectNode o = EXACT.objectNode();
                for (Map.Entry<String, Json> e : n.entries()) {
                    o.set(e.getKey(), jackson(e.getValue()));
                }
                yield o;
            }
            case ARRAY -> {
                ArrayNode a = EXACT.arrayNode();
                n.forEach(e -> a.add(jackson(e)));
                yield a;
            }
            case STRING -> EXACT.textNode(n.asText());
            case NUMBER ->
                n.isIntegralNumber() && n.canConvertToLong() && !n.asText().contains("E")
                        ? EXACT.numberNode(n.asLong())
                        : EXACT.numberNode(new BigDecimal(n.asText()));
            case BOOLEAN -> EXACT.booleanNode(n.asBoolean());
            case NULL, MISSING -> EXACT.nullNode();
        };
    }

    private static Json.ParseException parseError(byte[] input) {
        try {
            Json.parse(input);
            return null;
        } catch (Json.ParseException e) {
            return e;
        }
    }

    /** Plain Java values both trees map onto: maps in field order, lists, strings, numbers by value, booleans. */
    private static Object canonical(Json n) {
        return switch (n.type()) {
            case OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (Map.Entry<String, Json> e : n.entries()) {
                    m.put(e.getKey(), canonical(e.getValue()));
                }
                yield m;
            }
            case ARRAY -> {
                List<Object> l = new ArrayList<>();
                n.forEach(e -> l.add(canonical(e)));
                yield l;
            }
            case STRING -> n.asText();
            case NUMBER -> number(new BigDecimal(n.asText()));
            case BOOLEAN -> n.asBoolean();
            case NULL, MISSING -> Null.NULL;
        };
    }

    private static Object canonical(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), canonical(e.getValue()));
            }
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(e -> l.add(canonical(e)));
            return l;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isNumber()) {
            return number(n.decimalValue());
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        return Null.NULL;
    }

    /** A number by its value: 1.0, 1 and 1e0 are one number (the scale of a decimal is not part of JSON's data). */
    private static String number(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toString();
    }

    private enum Null {
        NULL
    }
}
