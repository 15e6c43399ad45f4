package io.raftmq.chaos.run;

import io.raftmq.client.Verify;

/**
 * One chaos scenario: a name, the broker group's size (3 or 5 members), the workload (by name: the caller maps names
 * to {@link Workload}s, since the official client is a test-scope dependency), the nemesis (by name,
 * {@link io.raftmq.chaos.nemesis.Nemeses}) and its {@link Schedule}, and how many broker groups run behind the one
 * NameServer (1 to 3; docs/chaos.md "Several broker groups"): the nemesis works on the first group, the others run
 * undisturbed and take their share of the workload's topic.
 */
public record Scenario(String name, int members, String workload, String nemesis, Schedule schedule,
                       String description, int groups) {
    public Scenario {
        Verify.argument(name != null && name.matches("[a-z0-9-]+"), "scenario name: lower-case, digits, dashes");
        Verify.argument(members == 3 || members == 5, "members must be 3 or 5");
        Verify.argument(workload != null && nemesis != null && schedule != null, "workload, nemesis and schedule");
        Verify.argument(groups >= 1 && groups <= 3, "groups must be in [1, 3]");
    }

    /** A scenario on one broker group. */
    public Scenario(String name, int members, String workload, String nemesis, Schedule schedule,
                    String description) {
        this(name, members, workload, nemesis, schedule, description, 1);
    }

    /** This scenario with another schedule. */
    public Scenario withSchedule(Schedule s) {
        return new Scenario(name, members, workload, nemesis, s, description, groups);
    }
}
