package io.raftmq.chaos.run;

import java.util.List;
import java.util.Optional;

/**
 * The menu of scenarios {@code bin/raftmq-chaos --list} prints and {@code --all} runs, in that order: every process
 * nemesis against the queue workload on three members, the minority kill on five, the ordered workload under leader
 * faults, and the queue workload through our own SDK's producer.
 */
public final class Scenarios {
    private static final List<Scenario> MENU = List.of(
        queue("kill-leader", 3, "kill-leader", "kill -9 of the leader, restarted at heal"),
        queue("kill-random", 3, "kill-random", "kill -9 of a random member, restarted at heal"),
        queue("kill-minority-5", 5, "kill-minority", "kill -9 of two random members of five"),
        queue("kill-majority", 3, "kill-majority", "kill -9 of two members of three: no commit until heal"),
        queue("pause-leader", 3, "pause-leader", "SIGSTOP of the leader for the fault window, then SIGCONT"),
        queue("pause-random", 3, "pause-random", "SIGSTOP of a random member, then SIGCONT"),
        queue("transfer", 3, "transfer", "leadership transfer to a random follower under load"),
        queue("wipe-restart", 3, "wipe-restart", "kill -9, data directory deleted, restarted repairing at heal"),
        queue("kill-restart-then-leader", 3, "kill-restart-then-leader",
            "a follower killed and restarted, then the leader killed or paused while it catches up"),
        new Scenario("ordered-kill-leader", 3, "ordered", "kill-leader", Schedule.DEFAULT,
            "per-key sequences to an orderly consumer, kill -9 of the leader"),
        new Scenario("ordered-pause-leader", 3, "ordered", "pause-leader", Schedule.DEFAULT,
            "per-key sequences to an orderly consumer, SIGSTOP of the leader"),
        new Scenario("sdk-kill-leader", 3, "queue-sdk", "kill-leader", Schedule.DEFAULT,
            "the queue workload sent by our SDK's producer, kill -9 of the leader"));

    private Scenarios() {
    }

    private static Scenario queue(String name, int members, String nemesis, String description) {
        return new Scenario(name, members, "queue", nemesis, Schedule.DEFAULT, description);
    }

    /** Every scenario, in menu order. */
    public static List<Scenario> all() {
        return MENU;
    }

    /** The scenario of that name. */
    public static Optional<Scenario> named(String name) {
        return MENU.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
