package io.raftmq.chaos.nemesis;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The menu of process nemeses by name: kills (leader, random, minority, majority), pauses (leader, random),
 * leadership transfer, wipe-and-restart, and the composed kill-restart-then-leader fault. A nemesis is stateful (it
 * remembers what to heal), so {@link #create} makes a fresh one per run. Descriptions returned by inject mark a
 * fault that hit the leader with {@link #LEADER_MARK}; the runner measures client-side failover across those. A
 * description starting with {@link #NOTHING} means nothing was injected (e.g. no leader at that moment).
 */
public final class Nemeses {
    /** Written after a member id in an inject description when that member was the leader. */
    public static final String LEADER_MARK = "(leader)";
    /** How an inject description starts when the nemesis found nothing to act on. */
    public static final String NOTHING = "no ";

    private static final Map<String, Supplier<Nemesis>> MENU = menu();

    private Nemeses() {
    }

    private static Map<String, Supplier<Nemesis>> menu() {
        Map<String, Supplier<Nemesis>> m = new TreeMap<>();
        for (KillNemesis.Target t : KillNemesis.Target.values()) {
            m.put(new KillNemesis(t).name(), () -> new KillNemesis(t));
        }
        m.put(new PauseNemesis(true).name(), () -> new PauseNemesis(true));
        m.put(new PauseNemesis(false).name(), () -> new PauseNemesis(false));
        m.put(new TransferNemesis().name(), TransferNemesis::new);
        m.put(new WipeRestartNemesis().name(), WipeRestartNemesis::new);
        m.put(new CatchUpLeaderFaultNemesis().name(), CatchUpLeaderFaultNemesis::new);
        return m;
    }

    /** Every process nemesis name, sorted. */
    public static List<String> names() {
        return List.copyOf(MENU.keySet());
    }

    /**
     * A fresh nemesis of that name.
     *
     * @throws IllegalArgumentException no such nemesis (the message lists the names)
     */
    public static Nemesis create(String name) {
        Supplier<Nemesis> s = MENU.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no nemesis '" + name + "'; known: " + names());
        }
        return s.get();
    }
}
