package io.raftmq.tools.admin;

import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@code bin/raftmq-admin} prints: {@link Table} lines up columns for people; {@link #json()} starts the one
 * JSON document a command prints with {@code --output json}, whose keys are always present (null when unknown), so
 * scripts can rely on the shape docs/admin.md documents.
 */
final class Output {
    private Output() {
    }

    /** A writer for the command's JSON document. */
    static JsonWriter json() {
        return new JsonWriter();
    }

    /** {@code "name": value} with an explicit null (the writer's own field() omits null strings). */
    static JsonWriter str(JsonWriter w, String name, String value) {
        w.name(name);
        return value == null ? w.nullValue() : w.value(value);
    }

    /** One broker group as {@code {"name","cluster","addrs":[{"brokerId","addr"}]}} (topic route, naming list). */
    static JsonWriter brokerData(JsonWriter w, BrokerData bd) {
        w.beginObject();
        str(w, "name", bd.brokerName());
        str(w, "cluster", bd.cluster()).name("addrs").beginArray();
        for (Map.Entry<Long, String> e : bd.brokerAddrs().entrySet()) {
            w.beginObject().field("brokerId", e.getKey());
            str(w, "addr", e.getValue()).endObject();
        }
        return w.endArray().endObject();
    }

    /** Prints the document and a newline. */
    static void print(JsonWriter w) {
        System.out.println(w);
    }

    /** "-" for a null or negative (unknown) number. */
    static String num(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }

    static String text(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** Columns padded to their widest cell, two spaces apart, the header first. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();
        private final int columns;

        Table(String... header) {
            columns = header.length;
            rows.add(header);
        }

        Table row(Object... cells) {
            String[] r = new String[columns];
            for (int i = 0; i < columns; i++) {
                r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "-";
            }
            rows.add(r);
            return this;
        }

        void print() {
            int[] width = new int[columns];
            for (String[] r : rows) {
                for (int i = 0; i < columns; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < columns; i++) {
                    b.append(r[i]);
                    if (i + 1 < columns) {
                        b.append(" ".repeat(width[i] - r[i].length() + 2));
                    }
                }
                System.out.println(b);
            }
        }
    }
}
