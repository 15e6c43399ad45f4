package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Leadership transfer under load: asks the leader to hand leadership to a random running follower with
 * RAFT_TRANSFER_LEADERSHIP, the request behind {@code bin/raftmq-admin raft transfer}, and waits for its answer
 * (given once the target leads). Nothing to heal: the group is whole, only its leader moved.
 */
public final class TransferNemesis implements Nemesis {
    private static final long TRANSFER_TIMEOUT_MS = 10_000;

    @Override
    public String name() {
        return "transfer";
    }

    @Override
    public String inject(ProcessCluster cluster, Random random) throws Exception {
        Member leader = Targets.leader(cluster);
        if (leader == null) {
            return "no leader: nothing transferred";
        }
        List<Member> followers = new ArrayList<>(Targets.running(cluster));
        followers.remove(leader);
        if (followers.isEmpty()) {
            return "no running follower: nothing transferred";
        }
        Member to = Targets.draw(followers, 1, random).get(0);
        String failed = cluster.queries().transferLeadership(leader.brokerAddr(), to.brokerAddr(),
            TRANSFER_TIMEOUT_MS);
        return failed == null ? "transferred from " + Targets.label(leader, leader) + " to " + to.id()
            : "transfer from " + leader.id() + " to " + to.id() + " failed: " + failed;
    }

    @Override
    public String heal(ProcessCluster cluster) {
        return "nothing to heal";
    }
}
