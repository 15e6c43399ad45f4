package io.raftmq.raft.core.membership;

import io.raftmq.raft.Verify;

import java.util.ArrayList;
import java.util.List;

/**
 * The memberships a node's log defines, by index: a base (the snapshot's or the initial configuration, at the
 * compaction point or 0) followed by one record per CONFIG entry still in the log. The configuration in effect is
 * the newest record: a CONFIG entry takes effect when it is appended, not when it commits (thesis §4.1), and the
 * node falls back to the previous record when the entry is truncated away.
 *
 * <p>Pruning: records superseded by a newer record at or below the applied index are dropped once more than
 * {@link #RECORDS_MAX} are held; {@link #at(long)} answers for any index at or above the oldest kept record.
 * Invariant: records are in strictly increasing index order and there is always at least one.
 */
public final class ConfigHistory {
    /** Records kept before superseded ones are pruned. */
    public static final int RECORDS_MAX = 16;

    /** The membership defined at {@code index} (0 for the initial configuration). */
    public record Record(long index, Membership membership) {
        public Record {
            Verify.argument(index >= 0, "record index must be >= 0");
            Verify.argument(membership != null, "record membership must not be null");
        }
    }

    private final Membership initial;
    private final ArrayList<Record> records = new ArrayList<>();

    private ConfigHistory(Membership initial) {
        this.initial = initial;
    }

    /** A history holding only the initial configuration (a new group). */
    public static ConfigHistory initial(Membership initial) {
        ConfigHistory h = new ConfigHistory(initial);
        h.records.add(new Record(0, initial));
        return h;
    }

    /**
     * A recovered history: {@code base} (the snapshot's membership at its index, or the initial one at 0) and the
     * CONFIG entries after it, ascending.
     */
    public static ConfigHistory recovered(Membership initial, Record base, List<Record> configEntries) {
        ConfigHistory h = new ConfigHistory(initial);
        h.records.add(base);
        for (Record r : configEntries) {
            h.append(r.index(), r.membership());
        }
        return h;
    }

    /** The group's initial configuration (what an empty snapshot membership means). */
    public Membership initialMembership() {
        return initial;
    }

    /** The configuration in effect: the newest record. */
    public Membership current() {
        return records.get(records.size() - 1).membership();
    }

    /** Index of the newest record (0 or the base index when no CONFIG entry is in the log). */
    public long currentIndex() {
        return records.get(records.size() - 1).index();
    }

    /** The configuration in effect at log index {@code index}: the newest record at or below it. */
    public Membership at(long index) {
        Verify.state(index >= records.get(0).index(), "membership asked below the oldest kept record", index,
            records.get(0).index());
        for (int i = records.size() - 1; i >= 0; i--) {
            if (records.get(i).index() <= index) {
                return records.get(i).membership();
            }
        }
        throw new IllegalStateException("unreachable: the oldest record is at or below " + index);
    }

    /** A copy of the records, oldest first. */
    public List<Record> records() {
        return List.copyOf(records);
    }

    /** A CONFIG entry at {@code index} was appended (after the newest record). */
    public void append(long index, Membership m) {
        Verify.state(index > currentIndex(), "config entries must be appended in index order", index,
            currentIndex());
        records.add(new Record(index, m));
    }

    /** The log was truncated from {@code fromIndex} on: records of removed entries are dropped. */
    public void truncateFrom(long fromIndex) {
        Verify.state(fromIndex > records.get(0).index(), "truncation below the history's base", fromIndex,
            records.get(0).index());
        while (records.get(records.size() - 1).index() >= fromIndex) {
            records.remove(records.size() - 1);
        }
    }

    /** A snapshot at {@code index} replaced the whole log: its membership becomes the only record. */
    public void resetTo(long index, Membership m) {
        records.clear();
        records.add(new Record(index, m));
    }

    /** Drops records superseded at or below {@code applied} once more than {@link #RECORDS_MAX} are held. */
    public void prune(long applied) {
        if (records.size() <= RECORDS_MAX) {
            return;
        }
        int keepFrom = 0;
        for (int i = 1; i < records.size() && records.get(i).index() <= applied; i++) {
            keepFrom = i;
        }
        records.subList(0, keepFrom).clear();
        Verify.state(!records.isEmpty(), "history must keep a record", applied);
    }

    @Override
    public String toString() {
        return "ConfigHistory" + records;
    }
}
