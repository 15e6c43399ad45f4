package io.raftmq.client.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the shared golden vectors (/work/shared/spec/vectors in the team layout). Resolution: the system property
 * {@code raftmq.vectors.dir} if set; otherwise {@code shared/spec/vectors} in the nearest ancestor of the working
 * directory that has it (from the module dir that is {@code ../../shared/spec/vectors} for /work/main, and one level
 * higher for worktrees under /work/wt). Fails with a clear message if absent.
 */
public final class Vectors {
    private static final Path DIR = locate();

    private Vectors() {
    }

    private static Path locate() {
        String prop = System.getProperty("raftmq.vectors.dir");
        if (prop != null) {
            return check(Paths.get(prop));
        }
        Path cwd = Paths.get("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/spec/vectors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("golden vectors not found: no shared/spec/vectors above " + cwd
                + " (expected ../../shared/spec/vectors from the module, or set -Draftmq.vectors.dir=...)");
    }

    private static Path check(Path p) {
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("raftmq.vectors.dir does not exist: " + p);
        }
        return p;
    }

    /** The bytes of a vector file, e.g. {@code "01_get_routeinfo_request_json.bin"}. */
    public static byte[] bytes(String file) {
        try {
            return Files.readAllBytes(DIR.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("golden vector missing: " + DIR.resolve(file), e);
        }
    }

    /** Decodes a whole frame vector (with its length prefix) with a fresh codec; the caller releases the result. */
    public static RemotingCommand decodeFrame(byte[] frame) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        int total = buf.readInt();
        if (total != frame.length - 4) {
            throw new AssertionError("vector length prefix " + total + " != " + (frame.length - 4));
        }
        return new RemotingCommandCodec().decode(buf);
    }

    /** The names of every remoting frame vector (01-07, 12, 28-35). */
    public static final String[] FRAMES = {
        "01_get_routeinfo_request_json.bin", "02_get_routeinfo_request_rocketmq.bin",
        "03_send_message_v2_request_json.bin", "04_send_message_v2_request_rocketmq.bin",
        "05_send_message_response_json.bin", "06_pull_message_request_json.bin",
        "07_pull_message_request_rocketmq.bin", "12_heartbeat_request_json.bin", "28_error_response_json.bin",
        "29_query_consumer_offset_response_json.bin", "30_pull_response_found_json.bin",
        "31_heartbeat_response_json.bin", "32_pull_response_not_found_json.bin",
        "33_send_message_response_rocketmq.bin", "34_notify_consumer_ids_changed_json.bin",
        "35_check_transaction_state_json.bin",
    };
}
