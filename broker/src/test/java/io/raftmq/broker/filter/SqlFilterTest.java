package io.raftmq.broker.filter;

import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the SQL92 subset (docs/consumer-protocol.md "SQL92 filters") selects exactly what it says, with SQL's
 * three-valued logic, over properties as the stored message carries them; malformed expressions are refused with their
 * position. Method: expressions against property strings built here; a seeded comparison of numeric parsing with
 * BigDecimal.
 */
class SqlFilterTest {

    private static String props(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('\u0001').append(v).append('\u0002'));
        return sb.toString();
    }

    private static boolean eval(String sql, String properties) throws SqlFilterException {
        return SqlFilter.compile(sql).matches(properties);
    }

    @Test
    void comparesNumbersParsedFromPropertyValues() throws Exception {
        String p = props("a", "11", "b", "2.5", "c", "x7", "TAGS", "TagA");
        assertThat(eval("a > 10", p)).isTrue();
        assertThat(eval("a >= 11 AND a <= 11", p)).isTrue();
        assertThat(eval("a < 11", p)).isFalse();
        assertThat(eval("b > 2.4 and b < 2.6", p)).isTrue();
        assertThat(eval("a = 11", p)).isTrue();
        assertThat(eval("a = 11.0", p)).isTrue();
        assertThat(eval("a <> 11", p)).isFalse();
        assertThat(eval("a != 12", p)).isTrue();
        assertThat(eval("a > -5", p)).isTrue();
        assertThat(eval("c > 1", p)).as("not a number: unknown").isFalse();
        assertThat(eval("NOT (c > 1)", p)).as("NOT unknown is unknown").isFalse();
        assertThat(eval("c = 7", p)).isFalse();
        assertThat(eval("c <> 7", p)).isTrue();
    }

    @Test
    void betweenInAndTextMatches() throws Exception {
        String p = props("a", "3", "TAGS", "TagB", "region", "eu-west-1");
        assertThat(eval("a BETWEEN 0 AND 3", p)).isTrue();
        assertThat(eval("a between 4 and 9", p)).isFalse();
        assertThat(eval("a NOT BETWEEN 4 AND 9", p)).isTrue();
        assertThat(eval("TAGS IN ('TagA', 'TagB')", p)).isTrue();
        assertThat(eval("TAGS NOT IN ('TagA', 'TagC')", p)).isTrue();
        assertThat(eval("TAGS in ('taga')", p)).as("strings compare exactly").isFalse();
        assertThat(eval("region STARTSWITH 'eu-'", p)).isTrue();
        assertThat(eval("region ENDSWITH '-1'", p)).isTrue();
        assertThat(eval("region CONTAINS 'west'", p)).isTrue();
        assertThat(eval("region NOT CONTAINS 'east'", p)).isTrue();
        assertThat(eval("TAGS CONTAINS 'west'", p)).as("a match must lie inside the value").isFalse();
        assertThat(eval("(TAGS is not null and TAGS in ('TagB')) and (a is not null and a between 0 and 3)", p))
            .isTrue();
    }

    @Test
    void nullsAreUnknownAndOnlyTrueSelects() throws Exception {
        String p = props("a", "1");
        assertThat(eval("missing IS NULL", p)).isTrue();
        assertThat(eval("a IS NOT NULL", p)).isTrue();
        assertThat(eval("missing = 'x'", p)).isFalse();
        assertThat(eval("NOT (missing = 'x')", p)).isFalse();
        assertThat(eval("missing = 'x' OR a = 1", p)).as("UNKNOWN OR TRUE").isTrue();
        assertThat(eval("missing = 'x' AND a = 1", p)).as("UNKNOWN AND TRUE").isFalse();
        assertThat(eval("NOT (missing = 'x' AND a = 2)", p)).as("NOT (UNKNOWN AND FALSE)").isTrue();
        assertThat(eval("missing IN ('x')", p)).isFalse();
        assertThat(eval("missing NOT IN ('x')", p)).isFalse();
        assertThat(eval("a = 1", null)).isFalse();
    }

    @Test
    void booleansKeywordsAndPrecedence() throws Exception {
        String p = props("flag", "TRUE", "off", "false", "a", "5");
        assertThat(eval("flag", p)).isTrue();
        assertThat(eval("off", p)).isFalse();
        assertThat(eval("NOT off", p)).isTrue();
        assertThat(eval("flag = true", p)).isTrue();
        assertThat(eval("TRUE", p)).isTrue();
        assertThat(eval("false OR a = 5", p)).isTrue();
        assertThat(eval("a = 1 OR a = 5 AND off", p)).as("AND binds tighter than OR").isFalse();
        assertThat(eval("(a = 1 OR a = 5) AND flag", p)).isTrue();
        assertThat(SqlFilter.compile("a = 1 or b = 2 and c = 3").toString())
            .isEqualTo("(a = 1 OR (b = 2 AND c = 3))");
    }

    @Test
    void theLastOccurrenceOfARepeatedNameWinsAndNamesMatchWhole() throws Exception {
        String p = "k\u0001one\u0002k\u0001two\u0002kk\u0001three\u0002";
        assertThat(eval("k = 'two'", p)).isTrue();
        assertThat(eval("k = 'one'", p)).isFalse();
        assertThat(eval("kk = 'three'", p)).isTrue();
        assertThat(eval("a = 'it''s'", props("a", "it's"))).isTrue();
    }

    @Test
    void malformedExpressionsAreRefusedWithTheirPosition() {
        assertRefused("", "empty SQL92 expression", 0);
        assertRefused("a >", "expected a property or a value but found 'end of expression'", 3);
        assertRefused("a > 'x'", "cannot be compared with > (numbers only)", 2);
        assertRefused("a BETWEEN 5 AND 1", "the lower bound is above the upper", 10);
        assertRefused("a BETWEEN 1 OR 5", "expected AND but found 'OR'", 12);
        assertRefused("'x' IN ('a')", "IN needs a property on its left", 0);
        assertRefused("a IN (1)", "expected a string literal in IN (...)", 6);
        assertRefused("a = 'open", "unterminated string literal", 4);
        assertRefused("(a = 1", "expected ')'", 6);
        assertRefused("a = 1 b", "unexpected 'b'", 6);
        assertRefused("a # 1", "unexpected character '#'", 2);
        assertRefused("a IS NOT 5", "expected NULL but found '5'", 9);
        assertRefused("5", "'5' is not a condition", 0);
        assertRefused("a NOT = 1", "expected BETWEEN, IN, CONTAINS, STARTSWITH or ENDSWITH after NOT", 6);
    }

    private static void assertRefused(String sql, String message, int position) {
        assertThatThrownBy(() -> SqlFilter.compile(sql)).isInstanceOf(SqlFilterException.class)
            .hasMessageContaining(message).satisfies(e -> assertThat(((SqlFilterException) e).position())
                .as(sql).isEqualTo(position));
    }

    @Test
    void numericComparisonAgreesWithBigDecimal() throws Exception {
        long seed = Seeds.seed("sql.seed");
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++) {
            String value = randomNumber(r);
            String literal = randomNumber(r);
            int expected = new BigDecimal(value).compareTo(new BigDecimal(literal));
            String p = props("v", value);
            String ctx = "seed " + seed + ": " + value + " vs " + literal;
            assertThat(eval("v > " + literal, p)).as(ctx).isEqualTo(expected > 0);
            assertThat(eval("v <= " + literal, p)).as(ctx).isEqualTo(expected <= 0);
            assertThat(eval("v = " + literal, p)).as(ctx).isEqualTo(expected == 0);
        }
    }

    private static String randomNumber(SplittableRandom r) {
        switch (r.nextInt(4)) {
            case 0:
                return Long.toString(r.nextLong(-1000, 1000));
            case 1:
                return Long.toString(r.nextLong(-(1L << 52), 1L << 52));
            case 2:
                return BigDecimal.valueOf(r.nextInt(-100000, 100000), 2).toPlainString();
            default:
                return Integer.toString(r.nextInt(-3, 3));
        }
    }
}
