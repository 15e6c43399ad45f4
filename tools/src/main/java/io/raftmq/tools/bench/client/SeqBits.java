package io.raftmq.tools.bench.client;

import io.raftmq.client.Verify;

import java.util.Arrays;

/**
 * A growable set of non-negative sequence numbers as a bit array, written by one thread (the sender thread for its
 * acknowledged sequences, the consume loop for what it saw); read by another only after a happens-before edge such
 * as {@link Thread#join}.
 */
final class SeqBits {
    private long[] words = new long[1024];
    private long cardinality;

    /** Adds {@code seq}; true when it was not yet present. */
    boolean add(long seq) {
        int w = (int) (seq >>> 6);
        Verify.state(seq >= 0 && w < Integer.MAX_VALUE - 8, "sequence out of range", seq, 0);
        if (w >= words.length) {
            words = Arrays.copyOf(words, Math.max(w + 1, words.length * 2));
        }
        long bit = 1L << seq;
        if ((words[w] & bit) != 0) {
            return false;
        }
        words[w] |= bit;
        cardinality++;
        return true;
    }

    boolean contains(long seq) {
        int w = (int) (seq >>> 6);
        return seq >= 0 && w < words.length && (words[w] & 1L << seq) != 0;
    }

    long cardinality() {
        return cardinality;
    }

    /** How many members of this set are not in {@code other}. */
    long countNotIn(SeqBits other) {
        long n = 0;
        for (int w = 0; w < words.length; w++) {
            long theirs = w < other.words.length ? other.words[w] : 0;
            n += Long.bitCount(words[w] & ~theirs);
        }
        return n;
    }
}
