package io.raftmq.chaos.run;

import java.util.List;
import java.util.Optional;

/**
 * The menu of scenarios {@code bin/raftmq-chaos --list} prints and {@code --all} runs, in that order: every process
 * nemesis against the queue workload on three members, leader and majority faults on five, the ordered workload
 * under leader faults, the queue workload through our own SDK's producer, then the network and disk faults
 * ({@link Nemeses}): iptables partitions of every shape (halves, bridge and the majorities ring on five members)
 * and packet loss, a proxy partition and a proxy delay (the nemesis asks for raft proxies), power loss of every
 * member (the fsync shim), damaged files on a stopped member, a full disk and a member's skewed clock
 * (libfaketime). A scenario whose nemesis needs root or a binary fails with a harness error naming it when they are
 * missing.
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
            "the queue workload sent by our SDK's producer, kill -9 of the leader"),
        new Scenario("groups-kill-leader", 3, "queue", "kill-leader", Schedule.DEFAULT,
            "two broker groups share the topic; kill -9 of the leader of the first, the second takes the sends", 2),
        queue("kill-leader-5", 5, "kill-leader", "kill -9 of the leader of five"),
        queue("kill-majority-5", 5, "kill-majority", "kill -9 of three members of five: no commit until heal"),
        queue("pause-leader-5", 5, "pause-leader", "SIGSTOP of the leader of five, then SIGCONT"),
        queue("partition-isolated-leader", 3, "partition-isolated-leader",
            "iptables: the leader cut off from both followers (clients still reach it)"),
        queue("partition-halves-5", 5, "partition-halves",
            "iptables: two members of five cut off from the other three"),
        queue("partition-bridge-5", 5, "partition-bridge",
            "iptables: two pairs that reach only one bridge member, never each other"),
        queue("partition-majorities-ring-5", 5, "partition-majorities-ring",
            "iptables: five members on a ring, each linked to its two neighbours only"),
        queue("partition-one-way", 3, "partition-one-way", "iptables: packets from one member to another dropped"),
        queue("partition-isolated-nameserver", 3, "partition-isolated-nameserver",
            "iptables: the NameServer cut off from every member and client"),
        queue("packet-loss", 3, "packet-loss", "iptables: 20 % of the packets on every member link dropped"),
        queue("proxy-partition-isolated-leader", 3, "proxy-partition-isolated-leader",
            "fault proxies: the leader's raft links hold every byte"),
        queue("proxy-delay-leader", 3, "proxy-delay-leader",
            "fault proxies: 50-400 ms on every raft link to and from the leader"),
        queue("power-loss", 3, "power-loss",
            "every member killed, each file cut back to what its fsyncs covered, all restarted"),
        queue("bitflip-commitlog", 3, "bitflip-commitlog",
            "the leader killed, 3 bits flipped in a commit-log segment, restarted"),
        queue("truncate-commitlog", 3, "truncate-commitlog",
            "the leader killed, a commit-log segment truncated, restarted"),
        queue("disk-full", 3, "disk-full", "a follower restarted on a tmpfs 4 MiB larger than its data"),
        queue("clock-skew", 3, "clock-skew",
            "a follower restarted under libfaketime 30-300 s off either way, then made leader"));

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
