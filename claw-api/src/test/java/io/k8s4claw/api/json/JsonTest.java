package io.k8s4claw.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
    static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void parsesNavigatesAndPrintsLikeJackson() throws Exception {
        String doc = "{\"ok\":true,\"n\":-1001234567890123,\"f\":1.5,\"big\":123456789012345678901234,"
                + "\"s\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\","
                + "\"arr\":[1,\"x\",null,{\"k\":[]}],\"nul\":null}";
        Json j = Json.parse(doc);
        assertThat(j.path("ok").asBoolean()).isTrue();
        assertThat(j.path("n").asLong()).isEqualTo(-1001234567890123L);
        assertThat(j.path("n").isIntegralNumber()).isTrue();
        assertThat(j.path("f").asDouble(0)).isEqualTo(1.5);
        assertThat(j.path("f").isIntegralNumber()).isFalse();
        assertThat(j.path("big").isIntegralNumber()).isTrue();
        assertThat(j.path("s").asText()).isEqualTo("a\"b\\c\né😀");
        assertThat(j.path("arr").size()).isEqualTo(4);
        assertThat(j.path("arr").path(3).path("k").isArray()).isTrue();
        assertThat(j.path("missing").path("deeper").asText("dflt")).isEqualTo("dflt");
        assertThat(j.path("nul").asText("dflt")).isEqualTo("dflt");
        assertThat(j.hasNonNull("nul")).isFalse();
        assertThat(j.has("nul")).isTrue();
        assertThat(j.get("missing")).isNull();
        // What we print, Jackson reads back to the same tree.
        assertThat(JACKSON.readTree(j.toString())).isEqualTo(JACKSON.readTree(doc));
    }

    @Test
    void buildsDocuments() throws Exception {
        Json o = Json.object()
                .put("content", "line\n\"quoted\"\u0001")
                .put("n", 5L)
                .put("b", false)
                .putNull("z");
        o.putObject("allowed_mentions").putArray("parse");
        o.putArray("list").add("a").add(2L);
        String printed = o.toString();
        var back = JACKSON.readTree(printed);
        assertThat(back.path("content").asText()).isEqualTo("line\n\"quoted\"\u0001");
        assertThat(back.path("allowed_mentions").path("parse").isArray()).isTrue();
        assertThat(back.path("list").get(1).asInt()).isEqualTo(2);
        assertThat(back.path("z").isNull()).isTrue();
        assertThat(Json.quote("a\"b")).isEqualTo("\"a\\\"b\"");
    }

    @Test
    void errorsSayWhere() {
        assertThatThrownBy(() -> Json.parse("{\n  \"a\": 1,\n  \"b\": }"))
                .isInstanceOfSatisfying(Json.ParseException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(8);
                    assertThat(e.offset())
                            .as("0-based byte offset of the bad token")
                            .isEqualTo(19);
                    assertThat(e.getMessage()).contains("expected a value").contains("line 3, column 8, byte 19");
                });
        assertThatThrownBy(() -> Json.parse("{\"a\":1} x")).hasMessageContaining("after the JSON value");
        assertThatThrownBy(() -> Json.parse("\"open")).hasMessageContaining("unterminated string");
        assertThatThrownBy(() -> Json.parse("[1,]")).hasMessageContaining("expected a value");
        assertThatThrownBy(() -> Json.parse("[".repeat(500))).hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> Json.parse("")).hasMessageContaining("unexpected end of input");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirOffsetNeverReplaced() {
        byte[] latin1 = "{\"text\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> Json.parse(latin1)).isInstanceOfSatisfying(Json.ParseException.class, e -> {
            assertThat(e.offset()).isEqualTo(12);
            assertThat(e.getMessage())
                    .contains("invalid UTF-8")
                    .contains("0xe9")
                    .contains("byte 12");
        });
        // An overlong encoding of '/' and a UTF-8-encoded surrogate (CESU) are not UTF-8 either.
        assertThatThrownBy(() -> Json.parse(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'}))
                .hasMessageContaining("invalid UTF-8")
                .isInstanceOfSatisfying(
                        Json.ParseException.class, e -> assertThat(e.offset()).isEqualTo(1));
        assertThatThrownBy(() -> Json.parse(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0xBD, '"'}))
                .hasMessageContaining("invalid UTF-8");
        assertThatThrownBy(() -> Json.parse(new byte[] {'"', 'a', (byte) 0xE2, (byte) 0x82}))
                .hasMessageContaining("invalid UTF-8");
    }

    @Test
    void loneSurrogateEscapesAreRefusedAndPairsKept() throws Exception {
        assertThat(Json.parse("\"\\ud83d\\ude00\"").asText()).isEqualTo("\ud83d\ude00");
        assertThatThrownBy(() -> Json.parse("{\"text\":\"a\\ud83d b\"}"))
                .isInstanceOfSatisfying(Json.ParseException.class, e -> {
                    assertThat(e.getMessage()).contains("lone surrogate \\uD83D");
                    assertThat(e.offset()).as("the escape's backslash").isEqualTo(10);
                });
        assertThatThrownBy(() -> Json.parse("\"\\ude00\"")).hasMessageContaining("lone surrogate \\uDE00");
        assertThatThrownBy(() -> Json.parse("\"\\ud83d\\u0041\""))
                .hasMessageContaining("lone surrogate \\uD83D")
                .hasMessageContaining("\\u0041");
        assertThatThrownBy(() -> Json.parse("\"\\ud83d\"")).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> Json.parse("\"\\u00\u0661\u0662\""))
                .as("hex digits are ASCII only")
                .hasMessageContaining("bad \\u escape");
    }

    @Test
    void printsStringsByteForByteAsJacksonDoes() throws Exception {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            every.append(c);
        }
        every.append("\u00e9\u2028\u2029\ud83d\ude00\ufeff");
        Json o = Json.object()
                .put("s", every.toString())
                .put("n", -7L)
                .put("t", true)
                .putNull("z");
        o.putArray("a").add("x").add(Long.MAX_VALUE).add(Json.object());
        assertThat(o.toString()).isEqualTo(JACKSON.writeValueAsString(JACKSON.readTree(o.toString())));
        assertThat(Json.quote("\u0001\u001f\u007f")).isEqualTo("\"\\u0001\\u001F\u007f\"");
    }

    @Test
    void canConvertToLongAsJacksonDoes() throws Exception {
        for (String doc : new String[] {
            "1",
            "-9223372036854775808",
            "9223372036854775807",
            "9223372036854775808",
            "1.5",
            "1e3",
            "1e30",
            "\"12\"",
            "true",
            "null",
            "{}",
            "[]"
        }) {
            assertThat(Json.parse(doc).canConvertToLong())
                    .as(doc)
                    .isEqualTo(JACKSON.readTree(doc).canConvertToLong());
            if (Json.parse(doc).canConvertToLong()) {
                assertThat(Json.parse(doc).asLong())
                        .as(doc)
                        .isEqualTo(JACKSON.readTree(doc).asLong());
            }
        }
        assertThat(Json.parse("{}").path("seq").canConvertToLong()).isFalse();
    }

    @Test
    void nestingLimitCountsContainersAsJacksonsDoes() throws Exception {
        assertThat(Json.parse("[".repeat(200) + "1" + "]".repeat(200)).isArray())
                .isTrue();
        assertThatThrownBy(() -> Json.parse("[".repeat(201) + "]".repeat(201)))
                .hasMessageContaining("nested deeper than 200 levels");
        String three = "{\"a\":[{\"b\":1}]}";
        assertThat(Json.parse(three, 3).path("a").path(0).path("b").asInt()).isEqualTo(1);
        assertThatThrownBy(() -> Json.parse(three, 2)).isInstanceOfSatisfying(Json.ParseException.class, e -> {
            assertThat(e.problem()).isEqualTo("nested deeper than 2 levels");
            assertThat(e.index()).as("the third container's brace").isEqualTo(6);
        });
        assertThatThrownBy(() -> Json.parse("1", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorIndexCountsCharsWhereTheOffsetCountsBytes() {
        assertThatThrownBy(() -> Json.parse("{\"t\":\"\u00e9\u00e9\" x}"))
                .isInstanceOfSatisfying(Json.ParseException.class, e -> {
                    assertThat(e.index()).isEqualTo(10);
                    assertThat(e.offset()).isEqualTo(12);
                    assertThat(e.problem()).isEqualTo("expected '}' but found 'x'");
                });
        byte[] latin1 = "[\"\u00e9\u00e9\u00e9\"]".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> Json.parse(latin1)).isInstanceOfSatisfying(Json.ParseException.class, e -> {
            assertThat(e.offset()).isEqualTo(2);
            assertThat(e.index()).isEqualTo(2);
        });
    }
}
