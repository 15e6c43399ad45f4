package io.raftmq.chaos.fault.net;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The partition shapes of the chaos suite, as sets of directed {@link Cut}s over a group's member ids (given in
 * order; the seeded {@link Random} decides who falls where, so a seed replays the same shape):
 * <ul>
 *   <li>{@code ISOLATED_LEADER}: the leader alone, cut both ways from every other member;
 *   <li>{@code HALVES}: the members shuffled, the first {@code n/2} cut both ways from the rest (a majority and a
 *       minority);
 *   <li>{@code BRIDGE}: two halves that both reach one bridge member, but not each other (5 members: 2 + bridge +
 *       2; the bridge sees everyone and is the only one that can gather a majority);
 *   <li>{@code MAJORITIES_RING}: the members on a shuffled ring, each keeps its links to the nearest
 *       {@code n/2} (every member sees a majority, no two see the same one; needs {@code n >= 5} and an even
 *       {@code n/2}, so the ring is symmetric: 5 members, each linked to its two neighbours);
 *   <li>{@code ONE_WAY}: one random member pair, packets from the first to the second dropped only;
 *   <li>{@code ISOLATED_NAMESERVER}: every member cut both ways from the NameServer (members still talk to each
 *       other and to clients; only the iptables backend can do this).
 * </ul>
 */
public enum PartitionShape {
    ISOLATED_LEADER, HALVES, BRIDGE, MAJORITIES_RING, ONE_WAY, ISOLATED_NAMESERVER;

    /** The lower-case, dashed name scenarios use ({@code isolated-leader}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * The cuts of this shape.
     *
     * @param members the group's member ids in order (at least 2)
     * @param leader  the current leader's id (used by {@code ISOLATED_LEADER}; a member of {@code members})
     * @param random  the run's seeded source
     * @throws IllegalArgumentException the shape needs more members
     */
    public List<Cut> cuts(List<String> members, String leader, Random random) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("a partition needs at least 2 members: " + members);
        }
        List<String> shuffled = new ArrayList<>(members);
        Collections.shuffle(shuffled, random);
        int n = members.size();
        switch (this) {
            case ISOLATED_LEADER -> {
                if (!members.contains(leader)) {
                    throw new IllegalArgumentException("leader " + leader + " is not a member of " + members);
                }
                List<String> rest = new ArrayList<>(members);
                rest.remove(leader);
                return between(List.of(leader), rest);
            }
            case HALVES -> {
                return between(shuffled.subList(0, n / 2), shuffled.subList(n / 2, n));
            }
            case BRIDGE -> {
                require(n >= 3, "bridge needs at least 3 members");
                List<String> rest = shuffled.subList(1, n);
                int half = rest.size() / 2;
                return between(rest.subList(0, half), rest.subList(half, rest.size()));
            }
            case MAJORITIES_RING -> {
                return ring(shuffled);
            }
            case ONE_WAY -> {
                return List.of(new Cut(shuffled.get(0), shuffled.get(1)));
            }
            case ISOLATED_NAMESERVER -> {
                return between(List.of(Cut.NAMESERVER), members);
            }
            default -> throw new IllegalStateException("unknown shape " + this);
        }
    }

    /** Both directions between every member of {@code a} and every member of {@code b}. */
    static List<Cut> between(Collection<String> a, Collection<String> b) {
        List<Cut> out = new ArrayList<>();
        for (String x : a) {
            for (String y : b) {
                out.add(new Cut(x, y));
                out.add(new Cut(y, x));
            }
        }
        return out;
    }

    private static List<Cut> ring(List<String> ring) {
        int n = ring.size();
        int keep = n / 2;
        require(n >= 5 && keep % 2 == 0, "majorities ring needs n >= 5 with an even n/2 (e.g. 5), got " + n);
        List<Cut> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int d = Math.min(Math.abs(i - j), n - Math.abs(i - j));
                if (d > keep / 2) {
                    out.add(new Cut(ring.get(i), ring.get(j)));
                }
            }
        }
        return out;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
