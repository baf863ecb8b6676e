package io.k8s4claw.api.json;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small JSON tree: parse, navigate, build and print. It is the one JSON implementation of the bridge and the
 * channel sidecars, in place of Jackson databind, which cost ~6 MiB of resident memory per JVM (its classes,
 * their metadata and the JIT's work on them). The navigation methods follow Jackson's tree API ({@link #path}
 * never returns null, {@link #asText(String)}, {@link #hasNonNull} ...) so code reads the same.
 *
 * <p>Parsing is strict RFC 8259: one value, no trailing tokens, no comments, ASCII digits, no leading zeros.
 * On purpose it also refuses two things Jackson takes: a lone surrogate escape (<code>"&#92;ud800"</code>: such
 * text cannot be carried in UTF-8 without being altered) and more than {@value #DEFAULT_MAX_DEPTH} nested
 * containers. Bytes that are not UTF-8 are refused, never replaced. A {@link ParseException} names the line,
 * column and byte offset of the problem. Duplicate fields: the last one wins. Objects keep their fields in
 * document (or insertion) order.
 *
 * <p>Numbers: integers that fit a {@code long} are held as one, others (big integers, fractions, exponents) as
 * {@link BigDecimal}, so nothing parsed is rounded (printing gives the same value, {@code 1e3} as {@code 1E+3}).
 * Doubles put with {@link #put(String, double)} print as {@link Double#toString}; NaN and infinities print as
 * {@code null}.
 *
 * <p>Printing ({@link #toString()}) is compact, with no whitespace, and byte for byte what Jackson's default
 * {@code writeValueAsString} gives for the same tree: strings escape {@code "}, {@code \\} and control characters
 * ({@code \\u00XX} in upper-case hex unless there is a short escape) and nothing else.
 *
 * <p>Nodes built with {@link #object()} / {@link #array()} are mutable, parsed ones too; a node is not safe for
 * concurrent mutation. The shared constants ({@link #nullNode()}, booleans, the missing node) are immutable.
 */
public final class Json implements Iterable<Json> {
    /** The kind of a node; {@code MISSING} is what {@link #path} returns for an absent field or index. */
    public enum Type {
        OBJECT,
        ARRAY,
        STRING,
        NUMBER,
        BOOLEAN,
        NULL,
        MISSING
    }

    private static final Json MISSING = new Json(Type.MISSING, null);
    private static final Json NULL = new Json(Type.NULL, null);
    private static final Json TRUE = new Json(Type.BOOLEAN, Boolean.TRUE);
    private static final Json FALSE = new Json(Type.BOOLEAN, Boolean.FALSE);

    private final Type type;
    private final Object value; // LinkedHashMap<String, Json> | ArrayList<Json> | String | Number | Boolean | null

    private Json(Type type, Object value) {
        this.type = type;
        this.value = value;
    }

    // ------------------------------------------------------------------ construction

    /** A new, empty, mutable object. */
    public static Json object() {
        return new Json(Type.OBJECT, new LinkedHashMap<String, Json>());
    }

    /** A new, empty, mutable array. */
    public static Json array() {
        return new Json(Type.ARRAY, new ArrayList<Json>());
    }

    /** A string node; the null node for {@code null}. */
    public static Json of(String s) {
        return s == null ? NULL : new Json(Type.STRING, s);
    }

    /** An integer number node. */
    public static Json of(long n) {
        return new Json(Type.NUMBER, n);
    }

    /** A number node (printed as {@link Double#toString}, NaN and infinities as {@code null}). */
    public static Json of(double n) {
        return new Json(Type.NUMBER, n);
    }

    /** {@code true} or {@code false} (shared, immutable nodes). */
    public static Json of(boolean b) {
        return b ? TRUE : FALSE;
    }

    /** JSON {@code null} (a shared, immutable node). */
    public static Json nullNode() {
        return NULL;
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        writeString(s, sb);
        return sb.toString();
    }

    // ------------------------------------------------------------------ parsing

    /** A JSON document that could not be parsed; says where. */
    public static final class ParseException extends Exception {
        private final String problem;
        private final int line;
        private final int column;
        private final long offset;
        private final int index;

        ParseException(String problem, int line, int column, long offset, int index) {
            super(problem + " (line " + line + ", column " + column + ", byte " + offset + ")");
            this.problem = problem;
            this.line = line;
            this.column = column;
            this.offset = offset;
            this.index = index;
        }

        /** What is wrong, without the position. */
        public String problem() {
            return problem;
        }

        /** 1-based line of the problem. */
        public int line() {
            return line;
        }

        /** 1-based column (in chars) of the problem on its line. */
        public int column() {
            return column;
        }

        /** 0-based offset of the problem in the UTF-8 bytes of the document. */
        public long offset() {
            return offset;
        }

        /** 0-based offset of the problem in the document's chars (the index into the parsed {@code String}). */
        public int index() {
            return index;
        }
    }

    /**
     * Parses a UTF-8 document. Bytes that are not UTF-8 are refused (with their byte offset), never replaced:
     * a replaced byte would change the text a caller signed and sent.
     */
    public static Json parse(byte[] utf8) throws ParseException {
        return parse(decodeUtf8(utf8));
    }

    private static String decodeUtf8(byte[] bytes) throws ParseException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isUnderflow()) r = decoder.flush(out);
        if (r.isError()) {
            int at = in.position();
            String decoded = out.flip().toString();
            int line = 1 + (int) decoded.chars().filter(c -> c == '\n').count();
            int column = decoded.length() - decoded.lastIndexOf('\n');
            throw new ParseException(
                    "invalid UTF-8: byte 0x" + HexFormat.of().toHexDigits(bytes[at])
                            + (r.length() > 1
                                    ? " starts a malformed " + r.length() + "-byte sequence"
                                    : " cannot start or continue a character here"),
                    line,
                    column,
                    at,
                    decoded.length());
        }
        return out.flip().toString();
    }

    /** Parses a document: exactly one JSON value, optionally surrounded by whitespace. */
    public static Json parse(String text) throws ParseException {
        return parse(text, DEFAULT_MAX_DEPTH);
    }

    /** The nesting {@link #parse(String)} allows: 200 arrays or objects inside each other, values in the last. */
    public static final int DEFAULT_MAX_DEPTH = 200;

    /**
     * Parses a document nested at most {@code maxDepth} levels (1 to {@value #DEFAULT_MAX_DEPTH}): a protocol
     * whose frames are shallow can refuse deeper ones before building them.
     */
    public static Json parse(String text, int maxDepth) throws ParseException {
        if (maxDepth < 1 || maxDepth > DEFAULT_MAX_DEPTH) {
            throw new IllegalArgumentException("maxDepth must be 1.." + DEFAULT_MAX_DEPTH + ", got " + maxDepth);
        }
        Parser p = new Parser(text, maxDepth);
        p.skipWs();
        Json v = p.value(0);
        p.skipWs();
        if (p.pos < text.length()) throw p.error("unexpected '" + text.charAt(p.pos) + "' after the JSON value");
        return v;
    }

    private static final class Parser {
        final String s;
        final int maxDepth;
        int pos;

        Parser(String s, int maxDepth) {
            this.s = s;
            this.maxDepth = maxDepth;
        }

        ParseException error(String problem) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            int index = Math.min(pos, s.length());
            long bytes = s.substring(0, index).getBytes(StandardCharsets.UTF_8).length;
            return new ParseException(problem, line, col, bytes, index);
        }

        void skipWs() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
                else break;
            }
        }

        Json value(int depth) throws ParseException {
            if (pos >= s.length()) throw error("unexpected end of input, expected a value");
            char c = s.charAt(pos);
            switch (c) {
                case '{' -> {
                    nest(depth);
                    pos++;
                    Json obj = object();
                    skipWs();
                    if (peek('}')) {
                        pos++;
                        return obj;
                    }
                    while (true) {
                        skipWs();
                        if (!peek('"')) throw error("expected a field name in double quotes");
                        String key = string();
                        skipWs();
                        expect(':');
                        skipWs();
                        obj.fields().put(key, value(depth + 1));
                        skipWs();
                        if (peek(',')) {
                            pos++;
                            continue;
                        }
                        expect('}');
                        return obj;
                    }
                }
                case '[' -> {
                    nest(depth);
                    pos++;
                    Json arr = array();
                    skipWs();
                    if (peek(']')) {
                        pos++;
                        return arr;
                    }
                    while (true) {
                        skipWs();
                        arr.elements().add(value(depth + 1));
                        skipWs();
                        if (peek(',')) {
                            pos++;
                            continue;
                        }
                        expect(']');
                        return arr;
                    }
                }
                case '"' -> {
                    return new Json(Type.STRING, string());
                }
                case 't' -> {
                    literal("true");
                    return TRUE;
                }
                case 'f' -> {
                    literal("false");
                    return FALSE;
                }
                case 'n' -> {
                    literal("null");
                    return NULL;
                }
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected '" + c + "', expected a value");
                }
            }
        }

        /** A container inside {@code depth} others: refused beyond {@code maxDepth} levels, as Jackson's limit. */
        void nest(int depth) throws ParseException {
            if (depth + 1 > maxDepth) throw error("nested deeper than " + maxDepth + " levels");
        }

        boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        void expect(char c) throws ParseException {
            if (!peek(c))
                throw error(
                        pos >= s.length()
                                ? "unexpected end of input, expected '" + c + "'"
                                : "expected '" + c + "' but found '" + s.charAt(pos) + "'");
            pos++;
        }

        void literal(String word) throws ParseException {
            if (!s.startsWith(word, pos)) throw error("unexpected token, expected " + word);
            pos += word.length();
        }

        String string() throws ParseException {
            pos++; // opening quote
            StringBuilder sb = null;
            int start = pos;
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos);
                if (c == '"') {
                    String out = sb == null
                            ? s.substring(start, pos)
                            : sb.append(s, start, pos).toString();
                    pos++;
                    return out;
                }
                if (c < 0x20) throw error("control character in a string (escape it)");
                if (c == '\\') {
                    if (sb == null) sb = new StringBuilder();
                    sb.append(s, start, pos);
                    pos++;
                    if (pos >= s.length()) throw error("unterminated escape");
                    char e = s.charAt(pos);
                    switch (e) {
                        case '"', '\\', '/' -> sb.append(e);
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            char unit = unicodeEscape();
                            if (Character.isLowSurrogate(unit)) {
                                pos--;
                                throw error("lone surrogate \\u" + hex(unit)
                                        + ": a low surrogate escape must follow a high one");
                            }
                            if (Character.isHighSurrogate(unit)) {
                                // Text must be Unicode: a half pair cannot be carried in UTF-8 (the bus, the platforms)
                                // without being replaced, so it is refused here rather than altered later.
                                int escapeAt = pos - 1;
                                if (!s.startsWith("\\u", pos + 5)) {
                                    pos = escapeAt;
                                    throw error("lone surrogate \\u" + hex(unit)
                                            + ": a high surrogate escape must be followed by a low one");
                                }
                                pos += 6;
                                char low = unicodeEscape();
                                if (!Character.isLowSurrogate(low)) {
                                    pos = escapeAt;
                                    throw error("lone surrogate \\u" + hex(unit) + ": followed by \\u" + hex(low)
                                            + ", not a low surrogate");
                                }
                                sb.append(unit);
                                unit = low;
                            }
                            sb.append(unit);
                            pos += 4;
                        }
                        default -> throw error("bad escape \\" + e);
                    }
                    pos++;
                    start = pos;
                    continue;
                }
                pos++;
            }
        }

        /** The four hex digits after {@code \\u} at {@code pos} (which is on the {@code u}). */
        char unicodeEscape() throws ParseException {
            if (pos + 4 >= s.length()) throw error("truncated \\u escape");
            for (int i = pos + 1; i < pos + 5; i++) {
                if ("0123456789abcdefABCDEF".indexOf(s.charAt(i)) < 0) throw error("bad \\u escape");
            }
            return (char) Integer.parseInt(s.substring(pos + 1, pos + 5), 16);
        }

        private static String hex(char c) {
            return HexFormat.of().withUpperCase().toHexDigits(c);
        }

        Json number() throws ParseException {
            int start = pos;
            if (peek('-')) pos++;
            int digits = pos;
            while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
            if (pos == digits) throw error("expected digits");
            if (s.charAt(digits) == '0' && pos - digits > 1) {
                pos = digits;
                throw error("a number cannot start with 0 followed by digits (JSON has no octal or padded numbers)");
            }
            boolean integral = true;
            if (peek('.')) {
                integral = false;
                pos++;
                int frac = pos;
                while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
                if (pos == frac) throw error("expected digits after the decimal point");
            }
            if (peek('e') || peek('E')) {
                integral = false;
                pos++;
                if (peek('+') || peek('-')) pos++;
                int exp = pos;
                while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
                if (pos == exp) throw error("expected exponent digits");
            }
            String lit = s.substring(start, pos);
            if (integral) {
                try {
                    return new Json(Type.NUMBER, Long.parseLong(lit));
                } catch (NumberFormatException tooBig) {
                    return new Json(Type.NUMBER, new BigDecimal(lit));
                }
            }
            try {
                return new Json(Type.NUMBER, new BigDecimal(lit));
            } catch (NumberFormatException outOfRange) {
                // an exponent beyond an int (BigDecimal's scale): no platform sends one, and no double holds it
                pos = start;
                throw error("number out of range: " + (lit.length() > 40 ? lit.substring(0, 40) + "…" : lit));
            }
        }

        /** ASCII digits only: {@link Character#isDigit} also takes other scripts' digits, which JSON does not. */
        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    // ------------------------------------------------------------------ navigation (Jackson-like)

    public Type type() {
        return type;
    }

    /** Jackson-style name of the node type (OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL, MISSING). */
    public String getNodeType() {
        return type.name();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Json> fields() {
        return (Map<String, Json>) value;
    }

    @SuppressWarnings("unchecked")
    private List<Json> elements() {
        return (List<Json>) value;
    }

    /** The field, or a "missing" node (never null). */
    public Json path(String field) {
        if (type != Type.OBJECT) return MISSING;
        Json v = fields().get(field);
        return v == null ? MISSING : v;
    }

    public Json path(int index) {
        if (type != Type.ARRAY || index < 0 || index >= elements().size()) return MISSING;
        return elements().get(index);
    }

    /** The field, or null when absent (JSON null is a node). */
    public Json get(String field) {
        return type == Type.OBJECT ? fields().get(field) : null;
    }

    public boolean has(String field) {
        return type == Type.OBJECT && fields().containsKey(field);
    }

    public boolean hasNonNull(String field) {
        Json v = get(field);
        return v != null && v.type != Type.NULL;
    }

    public boolean isObject() {
        return type == Type.OBJECT;
    }

    public boolean isArray() {
        return type == Type.ARRAY;
    }

    public boolean isTextual() {
        return type == Type.STRING;
    }

    public boolean isNumber() {
        return type == Type.NUMBER;
    }

    public boolean isBoolean() {
        return type == Type.BOOLEAN;
    }

    public boolean isNull() {
        return type == Type.NULL;
    }

    public boolean isMissingNode() {
        return type == Type.MISSING;
    }

    public boolean isValueNode() {
        return type == Type.STRING || type == Type.NUMBER || type == Type.BOOLEAN || type == Type.NULL;
    }

    public boolean isIntegralNumber() {
        if (type != Type.NUMBER) return false;
        if (value instanceof Long) return true;
        if (value instanceof BigDecimal bd)
            return bd.scale() <= 0
                    && bd.toPlainString().indexOf('.') < 0
                    && bd.toString().indexOf('E') < 0;
        return false;
    }

    /**
     * Whether this is a number within a {@code long}'s range (as Jackson's: a fraction too, {@link #asLong()}
     * truncates it); false for every other node, text included.
     */
    public boolean canConvertToLong() {
        if (type != Type.NUMBER) return false;
        if (value instanceof Long) return true;
        if (value instanceof BigDecimal bd) return bd.compareTo(LONG_MIN) >= 0 && bd.compareTo(LONG_MAX) <= 0;
        double d = ((Number) value).doubleValue();
        return d >= Long.MIN_VALUE && d <= Long.MAX_VALUE;
    }

    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    /** Elements of an array, fields of an object, 0 otherwise. */
    public int size() {
        return switch (type) {
            case OBJECT -> fields().size();
            case ARRAY -> elements().size();
            default -> 0;
        };
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Text of a value node ("" for containers, null and missing). */
    public String asText() {
        return switch (type) {
            case STRING -> (String) value;
            case NUMBER -> numberText();
            case BOOLEAN -> value.toString();
            case NULL -> "null";
            default -> "";
        };
    }

    /** Text of a value node, {@code dflt} for null or missing nodes. */
    public String asText(String dflt) {
        return type == Type.NULL || type == Type.MISSING ? dflt : asText();
    }

    private String numberText() {
        return value instanceof BigDecimal bd ? bd.toString() : value.toString();
    }

    public long asLong() {
        return asLong(0);
    }

    public long asLong(long dflt) {
        return switch (type) {
            case NUMBER -> ((Number) value).longValue();
            case STRING -> {
                try {
                    yield Long.parseLong(((String) value).trim());
                } catch (NumberFormatException e) {
                    yield dflt;
                }
            }
            case BOOLEAN -> (Boolean) value ? 1 : 0;
            default -> dflt;
        };
    }

    public int asInt() {
        return (int) asLong(0);
    }

    public int asInt(int dflt) {
        return (int) asLong(dflt);
    }

    public double asDouble(double dflt) {
        return switch (type) {
            case NUMBER -> ((Number) value).doubleValue();
            case STRING -> {
                try {
                    yield Double.parseDouble(((String) value).trim());
                } catch (NumberFormatException e) {
                    yield dflt;
                }
            }
            default -> dflt;
        };
    }

    public boolean asBoolean() {
        return asBoolean(false);
    }

    public boolean asBoolean(boolean dflt) {
        return switch (type) {
            case BOOLEAN -> (Boolean) value;
            case NUMBER -> ((Number) value).longValue() != 0;
            case STRING -> "true".equals(((String) value).trim()) || (!"false".equals(((String) value).trim()) && dflt);
            default -> dflt;
        };
    }

    /** Array elements, or object field values; nothing for other nodes. */
    @Override
    public Iterator<Json> iterator() {
        return switch (type) {
            case ARRAY -> elements().iterator();
            case OBJECT -> fields().values().iterator();
            default -> Collections.emptyIterator();
        };
    }

    /** Fields of an object, in document order. */
    public Iterable<Map.Entry<String, Json>> entries() {
        return type == Type.OBJECT ? fields().entrySet() : List.of();
    }

    // ------------------------------------------------------------------ building

    private Map<String, Json> mutableFields() {
        if (type != Type.OBJECT) throw new IllegalStateException("not a JSON object: " + type);
        return fields();
    }

    public Json put(String field, String v) {
        mutableFields().put(field, of(v));
        return this;
    }

    public Json put(String field, long v) {
        mutableFields().put(field, of(v));
        return this;
    }

    public Json put(String field, int v) {
        return put(field, (long) v);
    }

    public Json put(String field, double v) {
        mutableFields().put(field, of(v));
        return this;
    }

    public Json put(String field, boolean v) {
        mutableFields().put(field, of(v));
        return this;
    }

    public Json putNull(String field) {
        mutableFields().put(field, NULL);
        return this;
    }

    public Json set(String field, Json v) {
        mutableFields().put(field, v == null ? NULL : v);
        return this;
    }

    /** Adds and returns a new object field. */
    public Json putObject(String field) {
        Json o = object();
        mutableFields().put(field, o);
        return o;
    }

    /** Adds and returns a new array field. */
    public Json putArray(String field) {
        Json a = array();
        mutableFields().put(field, a);
        return a;
    }

    public Json remove(String field) {
        return mutableFields().remove(field);
    }

    public Json add(String v) {
        return add(of(v));
    }

    public Json add(long v) {
        return add(of(v));
    }

    public Json add(Json v) {
        if (type != Type.ARRAY) throw new IllegalStateException("not a JSON array: " + type);
        elements().add(v);
        return this;
    }

    // ------------------------------------------------------------------ printing

    /** Compact JSON. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        write(sb);
        return sb.toString();
    }

    private void write(StringBuilder sb) {
        switch (type) {
            case OBJECT -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<String, Json> e : fields().entrySet()) {
                    if (e.getValue().type == Type.MISSING) continue;
                    if (!first) sb.append(',');
                    first = false;
                    writeString(e.getKey(), sb);
                    sb.append(':');
                    e.getValue().write(sb);
                }
                sb.append('}');
            }
            case ARRAY -> {
                sb.append('[');
                for (int i = 0; i < elements().size(); i++) {
                    if (i > 0) sb.append(',');
                    elements().get(i).write(sb);
                }
                sb.append(']');
            }
            case STRING -> writeString((String) value, sb);
            case NUMBER -> {
                if (value instanceof Double d && (d.isNaN() || d.isInfinite())) sb.append("null");
                else sb.append(numberText());
            }
            case BOOLEAN -> sb.append(value);
            case NULL, MISSING -> sb.append("null");
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** As Jackson writes a string by default, so that a frame's bytes do not depend on which of the two wrote it. */
    private static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Json j && j.type == type && Objects.equals(j.value, value);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Objects.hashCode(value);
    }
}
