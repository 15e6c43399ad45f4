package io.raftmq.broker.filter;

import java.util.Arrays;
import java.util.Objects;

/**
 * A node of a compiled SQL92 filter (docs/consumer-protocol.md "SQL92 filters"), evaluated against one message's
 * properties with SQL's three-valued logic: {@link #TRUE}, {@link #FALSE} or {@link #UNKNOWN} (a NULL operand, or a
 * value that cannot be compared as asked, such as {@code a > 5} where {@code a} is not a number). A message is
 * delivered only when its filter is TRUE. Nodes are immutable and shared by every pull that uses the filter; what
 * one evaluation needs lives in its {@link PropertyView}.
 */
interface SqlNode {
    int TRUE = 1;
    int FALSE = 0;
    int UNKNOWN = -1;

    /** TRUE, FALSE or UNKNOWN for the message {@code v} points at. */
    int eval(PropertyView v);

    static int of(boolean b) {
        return b ? TRUE : FALSE;
    }

    /** {@code TRUE} / {@code FALSE} as an expression. */
    record Constant(boolean value) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            return of(value);
        }

        @Override
        public String toString() {
            return value ? "TRUE" : "FALSE";
        }
    }

    /** AND: FALSE if either is FALSE, else UNKNOWN if either is UNKNOWN. */
    record And(SqlNode left, SqlNode right) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            int l = left.eval(v);
            if (l == FALSE) {
                return FALSE;
            }
            int r = right.eval(v);
            return r == FALSE ? FALSE : l == UNKNOWN || r == UNKNOWN ? UNKNOWN : TRUE;
        }

        @Override
        public String toString() {
            return "(" + left + " AND " + right + ")";
        }
    }

    /** OR: TRUE if either is TRUE, else UNKNOWN if either is UNKNOWN. */
    record Or(SqlNode left, SqlNode right) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            int l = left.eval(v);
            if (l == TRUE) {
                return TRUE;
            }
            int r = right.eval(v);
            return r == TRUE ? TRUE : l == UNKNOWN || r == UNKNOWN ? UNKNOWN : FALSE;
        }

        @Override
        public String toString() {
            return "(" + left + " OR " + right + ")";
        }
    }

    /** NOT: UNKNOWN stays UNKNOWN. */
    record Not(SqlNode inner) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            int x = inner.eval(v);
            return x == UNKNOWN ? UNKNOWN : 1 - x;
        }

        @Override
        public String toString() {
            return "NOT " + inner;
        }
    }

    /** {@code prop IS [NOT] NULL}: never UNKNOWN. */
    record IsNull(String property, boolean negated) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            return of(v.find(property) == negated);
        }

        @Override
        public String toString() {
            return property + (negated ? " IS NOT NULL" : " IS NULL");
        }
    }

    /** A bare property used as a condition: TRUE / FALSE when its value is "true" / "false" (any case). */
    record BooleanProperty(String property) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            if (!v.find(property)) {
                return UNKNOWN;
            }
            return v.valueEqualsIgnoreCase("true") ? TRUE : v.valueEqualsIgnoreCase("false") ? FALSE : UNKNOWN;
        }

        @Override
        public String toString() {
            return property;
        }
    }

    /** {@code prop [NOT] IN ('a', 'b', ...)}: string values; UNKNOWN when the property is absent. */
    record In(String property, String[] values, boolean negated) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            if (!v.find(property)) {
                return UNKNOWN;
            }
            for (String s : values) {
                if (v.valueEquals(s)) {
                    return of(!negated);
                }
            }
            return of(negated);
        }

        @Override
        public String toString() {
            return property + (negated ? " NOT IN " : " IN ") + Arrays.toString(values);
        }
    }

    /** {@code prop [NOT] CONTAINS|STARTSWITH|ENDSWITH 'text'}; UNKNOWN when the property is absent. */
    record TextMatch(String property, String kind, String text, boolean negated) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            if (!v.find(property)) {
                return UNKNOWN;
            }
            String s = v.source();
            int start = v.valueStart();
            int end = v.valueEnd();
            boolean hit = switch (kind) {
                case "STARTSWITH" -> end - start >= text.length() && s.startsWith(text, start);
                case "ENDSWITH" -> end - start >= text.length() && s.startsWith(text, end - text.length());
                default -> {
                    int at = s.indexOf(text, start); // the earliest match: if it overruns the value, all later do
                    yield at >= 0 && at + text.length() <= end;
                }
            };
            return of(hit != negated);
        }

        @Override
        public String toString() {
            return property + (negated ? " NOT " : " ") + kind + " '" + text + "'";
        }
    }

    /**
     * {@code left op right} for op in =, <>, >, >=, <, <=. Ordering compares numbers (a property's value parsed as
     * one; UNKNOWN when either side is NULL or not a number). Equality compares a property with a string literal as
     * text, with a number as a number (FALSE when the value is not one), with TRUE/FALSE ignoring case, and two
     * properties as text.
     */
    record Compare(Operand left, String op, Operand right) implements SqlNode {
        @Override
        public int eval(PropertyView v) {
            if (!op.equals("=") && !op.equals("<>")) {
                if (!left.number(v, 0) || !right.number(v, 1)) {
                    return UNKNOWN;
                }
                int c = v.compareSlots();
                return of(switch (op) {
                    case ">" -> c > 0;
                    case ">=" -> c >= 0;
                    case "<" -> c < 0;
                    default -> c <= 0;
                });
            }
            int eq = equal(v);
            return eq == UNKNOWN || op.equals("=") ? eq : 1 - eq;
        }

        private int equal(PropertyView v) {
            if (left instanceof Operand.Literal l && right instanceof Operand.Literal r) {
                return of(literalsEqual(l, r));
            }
            if (left instanceof Operand.Property a && right instanceof Operand.Property b) {
                if (!v.find(a.name)) {
                    return UNKNOWN;
                }
                String first = v.value();
                return v.find(b.name) ? of(v.valueEquals(first)) : UNKNOWN;
            }
            Operand.Property p = (Operand.Property) (left instanceof Operand.Property ? left : right);
            Operand.Literal lit = (Operand.Literal) (left instanceof Operand.Literal ? left : right);
            if (!v.find(p.name)) {
                return UNKNOWN;
            }
            if (lit.value instanceof String s) {
                return of(v.valueEquals(s));
            }
            if (lit.value instanceof Boolean b) {
                return of(v.valueEqualsIgnoreCase(b.toString()));
            }
            return of(v.parseNumber(0) && lit.number(v, 1) && v.compareSlots() == 0);
        }

        private static boolean literalsEqual(Operand.Literal l, Operand.Literal r) {
            if (l.isNumber() && r.isNumber()) {
                return ((Number) l.value).doubleValue() == ((Number) r.value).doubleValue();
            }
            return Objects.equals(l.value, r.value);
        }

        @Override
        public String toString() {
            return left + " " + op + " " + right;
        }
    }
}
