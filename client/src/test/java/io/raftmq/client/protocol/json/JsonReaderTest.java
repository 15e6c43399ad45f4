package io.raftmq.client.protocol.json;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: {@link JsonReader} (with {@link JsonLexer} and {@link JsonTreeBuilder} under it) reads what the official
 * client writes, with the fastjson leniency of docs/protocol.md §4.1, and rejects malformed input with a
 * {@link JsonParseException} at the right byte. Method: hand-written documents through the cursor API and
 * {@link JsonReader#readTree()}, including the edge cases of numbers, escapes, nesting and buffer regions.
 */
class JsonReaderTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonReader reader(String s) {
        return new JsonReader(utf8(s));
    }

    @Test
    void treeHasTheDocumentedTypes() {
        JsonObject o = JsonReader.parseObject(utf8(
                " {\"s\":\"x\", \"i\":7, \"d\":1.5, \"e\":1e3, \"b\":true, \"n\":null,"
                        + " \"a\":[1,\"2\",[]], \"o\":{}}\n"));
        assertThat(o.get("s")).isEqualTo("x");
        assertThat(o.get("i")).isEqualTo(7L);
        assertThat(o.get("d")).isEqualTo(1.5);
        assertThat(o.get("e")).isEqualTo(1000.0);
        assertThat(o.get("b")).isEqualTo(Boolean.TRUE);
        assertThat(o.size()).isEqualTo(8);
        assertThat(o.get("n")).isNull();
        assertThat(o.get("a")).isEqualTo(List.of(1L, "2", List.of()));
        assertThat(o.getObject("o").size()).isZero();
    }

    @Test
    void numbersTooBigForALongBecomeDoubles() {
        assertThat(JsonReader.parse(utf8("9223372036854775807"))).isEqualTo(Long.MAX_VALUE);
        assertThat(JsonReader.parse(utf8("-9223372036854775808"))).isEqualTo(Long.MIN_VALUE);
        assertThat(JsonReader.parse(utf8("9223372036854775808"))).isEqualTo(9.223372036854775808e18);
        assertThatThrownBy(() -> JsonReader.parse(utf8("1-2"))).isInstanceOf(JsonParseException.class)
                .hasMessage("bad number 1-2 at byte 3");
    }

    @Test
    void fastjsonKeysBareSingleQuotedAndObjects() {
        JsonObject o = JsonReader.parseObject(utf8("{0:'a', code:1, 'k':\"v\", {\"x\":1}:[2]}"));
        assertThat(o.get("0")).isEqualTo("a");
        assertThat(o.get("code")).isEqualTo(1L);
        assertThat(o.get("k")).isEqualTo("v");
        Object objectKey = o.entries().stream().map(e -> e.getKey()).filter(k -> k instanceof JsonObject)
                .findFirst().orElseThrow();
        assertThat(((JsonObject) objectKey).get("x")).isEqualTo(1L);
        assertThatThrownBy(() -> JsonReader.parse(utf8("{?:1}"))).isInstanceOf(JsonParseException.class)
                .hasMessage("expected a key at byte 1");
    }

    @Test
    void scalarsAcceptTheLenientForms() {
        JsonReader r = reader("[12, \" 34 \", \"56\", 7, true, \"true\", -0.5e1, null, \"s\", false]");
        r.beginArray();
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextString()).isEqualTo("12");
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextLong()).isEqualTo(34L);
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextInt()).isEqualTo(56);
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextDouble()).isEqualTo(7.0);
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextString()).isEqualTo("true");
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextBoolean()).isTrue();
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextDouble()).isEqualTo(-5.0);
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextNullIf()).isTrue();
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextNullIf()).isFalse();
        assertThat(r.peek()).isEqualTo(JsonReader.Kind.STRING);
        assertThat(r.nextString()).isEqualTo("s");
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextBoolean()).isFalse();
        assertThat(r.hasNext()).isFalse();
        r.endArray();
        r.endDocument();
        assertThat(r.peek()).isEqualTo(JsonReader.Kind.END);
    }

    @Test
    void integerLimitsAreExact() {
        assertThat(reader("-9223372036854775808").nextLong()).isEqualTo(Long.MIN_VALUE);
        assertThat(reader("2147483647").nextInt()).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> reader("9223372036854775808").nextLong()).isInstanceOf(JsonParseException.class)
                .hasMessage("long overflow at byte 0");
        assertThatThrownBy(() -> reader("2147483648").nextInt()).isInstanceOf(JsonParseException.class)
                .hasMessage("int out of range at byte 10");
        assertThatThrownBy(() -> reader("1.5").nextLong()).isInstanceOf(JsonParseException.class)
                .hasMessage("not an integer at byte 0");
        assertThatThrownBy(() -> reader("'x1'").nextLong()).isInstanceOf(JsonParseException.class)
                .hasMessage("not a long: x1 at byte 4");
    }

    @Test
    void stringsDecodeEscapesAndUtf8() {
        assertThat(JsonReader.parse(utf8("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\""))).isEqualTo(
                "a\"b\\c/d\b\f\n\r\té\uD83D\uDE00");
        assertThat(JsonReader.parse(utf8("\"h\u00e9llo \u4e2d\u6587\""))).isEqualTo("h\u00e9llo \u4e2d\u6587");
        assertThat(JsonReader.parse(utf8("\"\u4e2d\\n\u6587\""))).isEqualTo("\u4e2d\n\u6587");
        assertThat(JsonReader.parse(utf8("'it'"))).isEqualTo("it");
        assertThat(JsonReader.parse(utf8("'a\\'\"b'"))).isEqualTo("a'\"b");
        assertThatThrownBy(() -> JsonReader.parse(utf8("\"\\q\""))).isInstanceOf(JsonParseException.class)
                .hasMessage("bad escape at byte 3");
        assertThatThrownBy(() -> JsonReader.parse(utf8("\"\\u12\""))).isInstanceOf(JsonParseException.class)
                .hasMessage("truncated \\u escape at byte 3");
        assertThatThrownBy(() -> JsonReader.parse(utf8("\"abc"))).isInstanceOf(JsonParseException.class)
                .hasMessage("unterminated string at byte 4");
    }

    @Test
    void malformedStructureIsPositioned() {
        assertThatThrownBy(() -> JsonReader.parse(utf8("{} x"))).isInstanceOf(JsonParseException.class)
                .hasMessage("trailing characters at byte 3");
        assertThatThrownBy(() -> JsonReader.parse(utf8("[1,]"))).isInstanceOf(JsonParseException.class)
                .hasMessage("expected a value after ',' at byte 3");
        assertThatThrownBy(() -> JsonReader.parse(utf8("[1 2]"))).isInstanceOf(JsonParseException.class)
                .hasMessage("expected ',' at byte 3");
        assertThatThrownBy(() -> JsonReader.parse(utf8("tru"))).isInstanceOf(JsonParseException.class)
                .hasMessage("truncated literal at byte 0");
        assertThatThrownBy(() -> JsonReader.parse(utf8(" "))).isInstanceOf(JsonParseException.class)
                .hasMessage("unexpected end of input at byte 1");
        assertThatThrownBy(() -> JsonReader.parseObject(utf8("[]"))).isInstanceOf(JsonParseException.class)
                .hasMessage("top level is not an object at byte 0");
        assertThatThrownBy(() -> reader("]").endArray()).isInstanceOf(JsonParseException.class)
                .hasMessage("unbalanced ']' at byte 1");
    }

    @Test
    void nestingStopsBelowTheDepthLimit() {
        int ok = JsonReader.DEPTH_MAX - 1;
        String deepest = "[".repeat(ok) + "]".repeat(ok);
        assertThat(JsonReader.parse(utf8(deepest))).isInstanceOf(List.class);
        String tooDeep = "[".repeat(JsonReader.DEPTH_MAX) + "]".repeat(JsonReader.DEPTH_MAX);
        assertThatThrownBy(() -> JsonReader.parse(utf8(tooDeep))).isInstanceOf(JsonParseException.class)
                .hasMessage("nesting deeper than 64 at byte 64");
    }

    @Test
    void regionBoundsTheReader() {
        byte[] buf = utf8("xx{\"a\":12}\"yy");
        JsonReader r = new JsonReader(buf, 2, 8);
        assertThat(((JsonObject) r.readTree()).get("a")).isEqualTo(12L);
        r.endDocument();
        JsonReader cut = new JsonReader(buf, 2, 7);
        assertThatThrownBy(cut::readTree).isInstanceOf(JsonParseException.class).hasMessage("expected '}' at byte 7");
        assertThatThrownBy(() -> new JsonReader(buf, 10, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JsonReader(buf, -1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void skipValueSkipsWholeSubtrees() {
        JsonReader r = reader("{\"skip\":{\"a\":[1,{\"b\":'c'}]},\"keep\":5}");
        r.beginObject();
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextName()).isEqualTo("skip");
        r.skipValue();
        assertThat(r.hasNext()).isTrue();
        assertThat(r.nextName()).isEqualTo("keep");
        assertThat(r.nextInt()).isEqualTo(5);
        assertThat(r.hasNext()).isFalse();
        r.endObject();
        r.endDocument();
    }
}
