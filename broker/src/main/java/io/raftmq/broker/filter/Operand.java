package io.raftmq.broker.filter;

/**
 * One side of a comparison in a compiled SQL92 filter: a message property (by name) or a literal (a string, an
 * integral or decimal number, or a boolean). Operands read a message through a {@link PropertyView}, in place: a
 * property's value is found as a region and, where a comparison needs a number, parsed from that region into one of
 * the view's two number slots (no allocation for integral values).
 */
abstract sealed class Operand permits Operand.Property, Operand.Literal {

    /** A message property, such as {@code TAGS} or a user property; absent means SQL NULL. */
    static final class Property extends Operand {
        final String name;

        Property(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A constant: {@link String}, {@link Long}, {@link Double} or {@link Boolean}. */
    static final class Literal extends Operand {
        final Object value;

        Literal(Object value) {
            this.value = value;
        }

        boolean isNumber() {
            return value instanceof Long || value instanceof Double;
        }

        @Override
        public String toString() {
            return value instanceof String s ? "'" + s.replace("'", "''") + "'" : String.valueOf(value);
        }
    }

    /**
     * Puts this operand's numeric value into number slot {@code slot} of {@code v}: false when it has none (NULL, a
     * string that is not a number, a boolean).
     */
    final boolean number(PropertyView v, int slot) {
        if (this instanceof Literal l) {
            if (l.value instanceof Long x) {
                v.setLong(slot, x);
                return true;
            }
            if (l.value instanceof Double d) {
                v.setDouble(slot, d);
                return true;
            }
            return false;
        }
        return v.find(((Property) this).name) && v.parseNumber(slot);
    }
}
