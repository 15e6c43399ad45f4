package io.raftmq.broker.replication;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.RaftPeer;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.membership.MembershipChange;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: every member resolves the broker address of every other member from {@code brokerPeers} plus the addresses
 * replicated with added members, and forgets a removed one. Method: a configuration of three members with
 * {@code brokerPeers}, then the configurations in effect a replacement goes through (add n3 as a learner with its
 * broker address, promote it, remove n1), read as the agent publishes them.
 */
class MemberAddressesTest {
    private static final String B0 = "127.0.0.1:10911";
    private static final String B1 = "127.0.0.1:10921";
    private static final String B2 = "127.0.0.1:10931";
    private static final String B3 = "127.0.0.9:10941";

    private static BrokerConfig config() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("brokerName", "g");
        m.put("listenHost", "127.0.0.1");
        m.put("listenPort", "10911");
        m.put("storePathRootDir", "/nonexistent/raftmq-test");
        m.put("raftPeers", "n0-127.0.0.1:10915;n1-127.0.0.1:10925;n2-127.0.0.1:10935");
        m.put("brokerPeers", "n0-" + B0 + ";n1-" + B1 + ";n2-" + B2);
        m.put("raftSelfId", "n0");
        m.put("namesrvAddr", "127.0.0.1:9876");
        return BrokerConfig.fromProperties(m, "test");
    }

    @Test
    void configuredPeersPlusReplicatedAddressesMinusRemovedMembers() throws Exception {
        AtomicReference<Membership> inEffect = new AtomicReference<>();
        MemberAddresses a = MemberAddresses.over(config(), inEffect::get);
        assertThat(a.brokerAddrOf(2)).as("no configuration known yet: brokerPeers").isEqualTo(B1);
        assertThat(a.members()).extracting(RaftPeer::address).containsExactly(B0, B1, B2);

        Membership initial = Membership.ofVoters(1, 2, 3);
        inEffect.set(initial);
        assertThat(a.brokerAddrOf(3)).isEqualTo(B2);
        assertThat(a.brokerAddrOf(4)).as("not a member").isNull();

        Membership added = initial.apply(new MembershipChange.AddLearner(new Member(4, "127.0.0.9:10942", B3)));
        inEffect.set(added);
        assertThat(a.brokerAddrOf(4)).as("replicated with the member").isEqualTo(B3);
        assertThat(a.members()).extracting(RaftPeer::address).containsExactly(B0, B1, B2, B3);
        assertThat(a.members().get(3)).isEqualTo(new RaftPeer("n3", "127.0.0.9", 10941));
        assertThat(a.voters()).extracting(RaftPeer::nodeId).as("a learner cannot lead").containsExactly(1L, 2L, 3L);

        Membership replaced = added.apply(new MembershipChange.Promote(4, 0)).apply(new MembershipChange.Remove(2));
        inEffect.set(replaced);
        assertThat(a.brokerAddrOf(2)).as("removed: dropped although brokerPeers names it").isNull();
        assertThat(a.voters()).extracting(RaftPeer::address).containsExactly(B0, B2, B3);
        assertThat(a.brokerAddrOf(4)).isEqualTo(B3);

        Membership restored = Membership.decode(replaced.encode());
        inEffect.set(restored);
        assertThat(a.brokerAddrOf(4)).as("after a restart (membership file, snapshot)").isEqualTo(B3);
    }

    @Test
    void aReplicatedAddressWinsOverAConfiguredOne() throws Exception {
        Membership m = Membership.of(List.of(new Member(1, ""), new Member(2, "h:1", "10.0.0.2:10921")), List.of());
        MemberAddresses a = MemberAddresses.over(config(), () -> m);
        assertThat(a.brokerAddrOf(2)).isEqualTo("10.0.0.2:10921");
        assertThat(a.brokerAddrOf(1)).isEqualTo(B0);
    }
}
