package io.raftmq.chaos.check;

import io.raftmq.commitlog.dispatch.DispatchCheckpoint;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.record.RecordHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Per-node divergence: after the run is healed and the members of one broker group are stopped, every replica's
 * committed commitlog records and ConsumeQueue units must be byte-identical (records are stamped identically on
 * every replica, docs/storage.md), read from the files with {@link ReplicaFiles} (read-only, nothing repaired).
 *
 * <p><b>Records.</b> Each member's commit index is the one saved in its {@code raft/hardstate} (a lower bound of the
 * real one: it is saved at intervals), else its dispatcher checkpoint's index (derived data is built from committed
 * records only). The compared range is [the highest first index, the lowest commit index]; in it every record of
 * every member must equal member 0's byte for byte. A member whose valid log ends inside the range (a record fails
 * its crc, a broken chain, a cut-off log) is <b>damaged</b>: committed records are unreadable there.
 *
 * <p><b>ConsumeQueues.</b> Units whose physical offset lies in the compared records, [position of the first, end of
 * the last), are compared per topic and queue, offset by offset: a unit two members both hold must be identical (a
 * unit pointing at another record than its peers' is what a queue built from uncommitted, later replaced records
 * leaves); a unit only one member holds is a difference when it lies below the other member's dispatch checkpoint
 * (that member certainly dispatched it), otherwise that member may simply not have applied it yet (apply lags
 * commit, and a killed member's checkpoint lags its queues). A member without a checkpoint counts as having
 * checkpointed nothing.
 *
 * <p>Needs at least two replicas; otherwise the check is skipped (valid, {@code skipped=true}).
 */
public final class DivergenceChecker {
    private DivergenceChecker() {
    }

    /**
     * Verdict.
     *
     * @param replicas      members compared
     * @param fromIndex     first compared index (-1 if none compared)
     * @param toIndex       last compared index (-1 if none compared)
     * @param records       records compared per member
     * @param recordDiffs   indices whose bytes differ between members
     * @param damaged       members whose valid log ends inside the compared range
     * @param units         ConsumeQueue units compared per member
     * @param unitDiffs     units missing on a member or differing
     * @param skipped       whether nothing could be compared (fewer than two replicas)
     * @param examples      what differs, and notes on the bounds used
     */
    public record Result(long replicas, long fromIndex, long toIndex, long records, long recordDiffs, long damaged,
                         long units, long unitDiffs, boolean skipped, List<String> examples) implements CheckResult {
        @Override
        public String name() {
            return "divergence";
        }

        @Override
        public boolean valid() {
            return recordDiffs == 0 && damaged == 0 && unitDiffs == 0;
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("replicas", replicas);
            m.put("from_index", fromIndex);
            m.put("to_index", toIndex);
            m.put("records", records);
            m.put("record_diffs", recordDiffs);
            m.put("damaged", damaged);
            m.put("units", units);
            m.put("unit_diffs", unitDiffs);
            m.put("skipped", skipped);
            return m;
        }
    }

    /** Compares the replicas of {@code in}; I/O errors (unreadable files) propagate, naming the file. */
    public static Result check(CheckInput in) throws IOException {
        if (in.replicas().size() < 2) {
            return new Result(in.replicas().size(), -1, -1, 0, 0, 0, 0, 0, true,
                List.of("fewer than two replica directories given: nothing compared"));
        }
        List<ReplicaFiles> rs = new ArrayList<>();
        try {
            for (CheckInput.Replica r : in.replicas()) {
                rs.add(ReplicaFiles.open(r.member(), r.dataDir()));
            }
            return compare(rs, in.examplesMax());
        } finally {
            for (ReplicaFiles r : rs) {
                r.close();
            }
        }
    }

    private static Result compare(List<ReplicaFiles> rs, int examplesMax) throws IOException {
        Examples ex = new Examples(examplesMax);
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        long[] dispatched = new long[rs.size()];
        for (int k = 0; k < rs.size(); k++) {
            ReplicaFiles r = rs.get(k);
            DispatchCheckpoint cp = r.dispatchCheckpoint();
            long commit = r.savedCommitIndex();
            if (commit < 0) {
                commit = cp == null ? -1 : cp.dispatchedIndex();
                ex.add(r.member + ": no valid raft/hardstate, commit index taken from the dispatch checkpoint: "
                    + commit);
            }
            dispatched[k] = cp == null ? -1 : cp.dispatchedPosition();
            from = Math.max(from, r.firstIndex());
            to = Math.min(to, commit);
        }
        long damaged = 0;
        for (ReplicaFiles r : rs) {
            if (from >= 0 && r.lastIndex() < to) {
                damaged++;
                ex.add(r.member + ": valid log ends at index " + r.lastIndex() + ", below the common commit index "
                    + to + (r.damage() == null ? "" : ": " + r.damage()));
            }
        }
        long last = to;
        for (ReplicaFiles r : rs) {
            last = Math.min(last, r.lastIndex());
        }
        if (from < 0 || last < from) {
            ex.add("no common committed records to compare");
            return new Result(rs.size(), -1, -1, 0, 0, damaged, 0, 0, false, ex.list());
        }
        long diffs = compareRecords(rs, from, last, ex);
        long[] units = compareUnits(rs, dispatched, rs.get(0).position(from), rs.get(0).end(last), ex);
        return new Result(rs.size(), from, last, last - from + 1, diffs, damaged, units[0], units[1], false,
            ex.list());
    }

    private static long compareRecords(List<ReplicaFiles> rs, long from, long to, Examples ex) throws IOException {
        long diffs = 0;
        for (long i = from; i <= to; i++) {
            byte[] a = rs.get(0).record(i);
            for (int k = 1; k < rs.size(); k++) {
                byte[] b = rs.get(k).record(i);
                int at = Arrays.mismatch(a, b);
                if (at >= 0) {
                    diffs++;
                    ex.add("index " + i + ": " + rs.get(k).member + " differs from " + rs.get(0).member
                        + " at record byte " + at + field(at) + " (positions " + rs.get(0).position(i) + ", "
                        + rs.get(k).position(i) + ")");
                    break;
                }
            }
        }
        return diffs;
    }

    /** {units compared per member, differing units}; {@code dispatched}: each member's checkpoint position. */
    private static long[] compareUnits(List<ReplicaFiles> rs, long[] dispatched, long fromPos, long toPos,
        Examples ex) throws IOException {
        TreeSet<String> queues = new TreeSet<>();
        for (ReplicaFiles r : rs) {
            queues.addAll(r.queueNames());
        }
        long[] counts = {0, 0};
        for (String queue : queues) {
            for (int k = 1; k < rs.size(); k++) {
                try (ReplicaFiles.UnitCursor a = rs.get(0).units(queue, fromPos, toPos);
                     ReplicaFiles.UnitCursor b = rs.get(k).units(queue, fromPos, toPos)) {
                    long[] c = compareQueue(queue, new Side(rs.get(0).member, a, dispatched[0]),
                        new Side(rs.get(k).member, b, dispatched[k]), ex);
                    counts[0] += k == 1 ? c[0] : 0;
                    counts[1] += c[1];
                }
            }
        }
        return counts;
    }

    /** One member's cursor over a queue, its name and its dispatch checkpoint position. */
    private record Side(String name, ReplicaFiles.UnitCursor units, long dispatched) {
    }

    /**
     * Walks two cursors of one queue in offset order; {units of a, differing or missing units}. A unit only one side
     * holds counts only below the other side's checkpoint.
     */
    private static long[] compareQueue(String queue, Side sa, Side sb, Examples ex) throws IOException {
        ReplicaFiles.UnitCursor a = sa.units();
        ReplicaFiles.UnitCursor b = sb.units();
        long units = 0;
        long diffs = 0;
        boolean hasA = a.next();
        boolean hasB = b.next();
        while (hasA || hasB) {
            boolean onlyA = hasA && (!hasB || a.offset() < b.offset());
            boolean onlyB = hasB && (!hasA || b.offset() < a.offset());
            long o = onlyB ? b.offset() : a.offset();
            boolean differs;
            if (onlyA) {
                differs = physical(a) < sb.dispatched();
            } else if (onlyB) {
                differs = physical(b) < sa.dispatched();
            } else {
                differs = !a.unit().equals(b.unit());
            }
            if (differs) {
                diffs++;
                ex.add("consumequeue " + queue + " offset " + o + ": " + sa.name() + " " + describe(onlyB ? null
                    : a.unit()) + ", " + sb.name() + " " + describe(onlyA ? null : b.unit()));
            }
            if (!onlyB) {
                units++;
                hasA = a.next();
            }
            if (!onlyA) {
                hasB = b.next();
            }
        }
        return new long[] {units, diffs};
    }

    /** The record header field holding byte {@code at} of a record, or the body. */
    private static String field(int at) {
        String[] names = {"magic", "magic", "magic", "magic", "version", "type", "reserved", "reserved"};
        if (at < names.length) {
            return " (" + names[at] + ")";
        }
        if (at >= RecordHeader.HEADER_LENGTH) {
            return " (body byte " + (at - RecordHeader.HEADER_LENGTH) + ")";
        }
        int[] starts = {RecordHeader.RECORD_LENGTH_OFFSET, RecordHeader.CRC_OFFSET, RecordHeader.PREV_CRC_OFFSET,
            RecordHeader.BODY_LENGTH_OFFSET, RecordHeader.TERM_OFFSET, RecordHeader.INDEX_OFFSET,
            RecordHeader.TIMESTAMP_OFFSET};
        String[] fields = {"recordLength", "crc", "prevCrc", "bodyLength", "term", "index", "storeTimestampMs"};
        int i = fields.length - 1;
        while (starts[i] > at) {
            i--;
        }
        return " (" + fields[i] + ")";
    }

    private static long physical(ReplicaFiles.UnitCursor c) {
        return c.unit().getLong(ConsumeQueue.PHYSICAL_OFFSET_OFFSET);
    }

    private static String describe(ByteBuffer unit) {
        return unit == null ? "none" : "phys=" + unit.getLong(0) + " size=" + unit.getInt(8) + " tags="
            + unit.getLong(12);
    }
}
