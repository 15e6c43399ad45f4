package io.raftmq.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one loader of the golden vectors: byte strings produced by the reference RocketMQ 5.3.3 encoders, shipped in
 * this module as class-path resources under {@code vectors/} (listed in {@code vectors/README.md}). Tests name a
 * vector by its file name, e.g. {@code GoldenVectors.bytes("08_stored_message_v1.bin")}. A missing vector fails the
 * test with its name: a golden test never passes silently.
 */
public final class GoldenVectors {
    /** The class-path folder that holds the vectors. */
    public static final String FOLDER = "vectors/";

    private GoldenVectors() {
    }

    /** The exact bytes of a vector file, e.g. {@code "01_get_routeinfo_request_json.bin"}. */
    public static byte[] bytes(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden vector " + name, e);
        }
    }

    /** A vector decoded as UTF-8 text (the {@code .json}, {@code .hex} and {@code .txt} files). */
    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    private static InputStream open(String name) {
        InputStream in = GoldenVectors.class.getClassLoader().getResourceAsStream(FOLDER + name);
        if (in == null) {
            throw new IllegalArgumentException("golden vector not on the class path: " + FOLDER + name
                    + " (see test-support/src/main/resources/vectors/README.md)");
        }
        return in;
    }
}
