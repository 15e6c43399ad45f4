package io.raftmq.chaos.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Damage to the files of a stopped member, by what the files hold (paths relative to its storePathRootDir, as
 * {@code RaftGroupNode} lays them out): bit flips inside a file's data (up to its last non-zero byte, so the flip
 * lands in written bytes, not in preallocated zeros) or a truncation to a seeded length below that. The process
 * owning the files must be dead.
 */
public final class FileDamage {
    private FileDamage() {
    }

    /** What a damaged file holds. */
    public enum Target {
        /** Commit-log segments {@code store/commitlog/log/*}: the raft log and every message. */
        COMMITLOG(p -> p.contains("/store/commitlog/log/")),
        /** The commit log's raft index {@code store/commitlog/index/*}. */
        COMMITLOG_INDEX(p -> p.contains("/store/commitlog/index/")),
        /** ConsumeQueue segments {@code store/derived/consumequeue/<topic>/<queue>/*}. */
        CONSUME_QUEUE(p -> p.contains("/store/derived/consumequeue/")),
        /** Key index files {@code store/derived/index/*}. */
        KEY_INDEX(p -> p.contains("/store/derived/index/")),
        /** Checkpoints: the commit log's and the dispatcher's. */
        CHECKPOINTS(p -> p.contains("/store/") && p.endsWith("checkpoint")),
        /** Raft state {@code raft/*}: hard state (term, vote, commit), membership file, repair file. */
        RAFT_STATE(p -> p.contains("/raft/")),
        /** Snapshots {@code snapshot/**}: topics, subscription groups, consumer offsets at the snapshot's index. */
        METADATA_SNAPSHOT(p -> p.contains("/snapshot/"));

        private final Predicate<String> matches;

        Target(Predicate<String> matches) {
            this.matches = matches;
        }

        /** The lower-case, dashed name. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** How a file is damaged. */
    public enum Kind { BIT_FLIP, TRUNCATE }

    /**
     * One damage done.
     *
     * @param file    the damaged file
     * @param kind    bit flips or truncation
     * @param offsets the flipped byte offsets (bit flips), or the new length (truncation)
     * @param dataEnd the file's data end before the damage
     */
    public record Damage(Path file, Kind kind, List<Long> offsets, long dataEnd) {
        @Override
        public String toString() {
            return (kind == Kind.BIT_FLIP ? "flipped bits at " + offsets : "truncated to " + offsets.get(0))
                + " of " + file + " (data end " + dataEnd + ")";
        }
    }

    /** The regular files of {@code target} under {@code storeRoot} holding any non-zero byte, sorted. */
    public static List<Path> files(Path storeRoot, Target target) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(storeRoot)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                if (target.matches.test(p.toString().replace('\\', '/')) && dataEnd(p) > 0) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * Damages one seeded file of {@code target}: {@code flips} single-bit flips at seeded offsets inside its data,
     * or a truncation to a seeded length in {@code [0, data end)}.
     *
     * @throws IllegalStateException no file of that target holds data
     */
    public static Damage damage(Path storeRoot, Target target, Kind kind, int flips, Random random)
        throws IOException {
        List<Path> files = files(storeRoot, target);
        if (files.isEmpty()) {
            throw new IllegalStateException("no " + target.label() + " file with data under " + storeRoot);
        }
        Path f = files.get(random.nextInt(files.size()));
        long end = dataEnd(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<Long> offsets = new ArrayList<>();
            if (kind == Kind.TRUNCATE) {
                long length = (long) (random.nextDouble() * end);
                ch.truncate(length);
                offsets.add(length);
            } else {
                ByteBuffer b = ByteBuffer.allocate(1);
                for (int i = 0; i < flips; i++) {
                    long at = (long) (random.nextDouble() * end);
                    b.clear();
                    ch.read(b, at);
                    b.put(0, (byte) (b.get(0) ^ (1 << random.nextInt(8))));
                    b.rewind();
                    ch.write(b, at);
                    offsets.add(at);
                }
            }
            ch.force(true);
            return new Damage(f, kind, offsets, end);
        }
    }

    private static long dataEnd(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            return PowerLoss.dataEnd(ch);
        }
    }
}
