package io.raftmq.tools.bench.client;

import io.raftmq.client.Verify;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The body of a benchmark message: who sent it, so the consume phase can tell which acknowledged sends it saw.
 * <pre>
 *  0            8                          16                    size
 *  +------------+--------------------------+---------------------+
 *  | runId (8)  | id = thread << 40 | seq  | random filler ...   |
 *  +------------+--------------------------+---------------------+
 * </pre>
 * Big-endian longs. {@code runId} tells this run's messages apart from others in a reused topic; {@code thread} is
 * the sender thread's index (&lt; 2^23), {@code seq} its own send counter (&lt; 2^40). A sender thread owns one body
 * array and rewrites the id before each synchronous send (no allocation per send).
 */
final class BenchBody {
    static final int RUN_ID_OFFSET = 0;
    static final int ID_OFFSET = 8;
    static final int HEADER_LENGTH = 16;
    static final int SEQ_BITS = 40;
    static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static {
        Verify.state(HEADER_LENGTH == ID_OFFSET + Long.BYTES, "body header length",
            HEADER_LENGTH, ID_OFFSET + Long.BYTES);
    }

    private BenchBody() {
    }

    /** A fresh body of {@code size} bytes: run id, id 0, random filler. */
    static byte[] create(int size, long runId, SplittableRandom random) {
        Verify.state(size >= HEADER_LENGTH, "body too small", size, HEADER_LENGTH);
        byte[] b = new byte[size];
        for (int i = HEADER_LENGTH; i < size; i += Long.BYTES) {
            long r = random.nextLong();
            for (int k = 0; k < Long.BYTES && i + k < size; k++) {
                b[i + k] = (byte) (r >>> (8 * k));
            }
        }
        LONG.set(b, RUN_ID_OFFSET, runId);
        return b;
    }

    static long id(int thread, long seq) {
        Verify.state(seq >= 0 && seq <= SEQ_MASK, "sequence out of range", seq, SEQ_MASK);
        return (long) thread << SEQ_BITS | seq;
    }

    static void setId(byte[] body, long id) {
        LONG.set(body, ID_OFFSET, id);
    }

    /** The id of {@code body} when it belongs to run {@code runId}, else -1. */
    static long idOf(byte[] body, long runId) {
        if (body.length < HEADER_LENGTH || (long) LONG.get(body, RUN_ID_OFFSET) != runId) {
            return -1;
        }
        return (long) LONG.get(body, ID_OFFSET);
    }

    static int thread(long id) {
        return (int) (id >>> SEQ_BITS);
    }

    static long seq(long id) {
        return id & SEQ_MASK;
    }
}
