package io.raftmq.raft.core.membership;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the membership value and its encoding (the payload of CONFIG entries and of snapshots) are exact and
 * refuse damage. Method: golden bytes of a known membership, round trips, every single-byte corruption, and the
 * single-server change rules; plus {@link ConfigHistory}'s append, truncate, reset and prune.
 */
class MembershipTest {
    private static final Membership SAMPLE = Membership.of(
        List.of(new Member(2, "h2:1"), new Member(1, "h1:1")), List.of(new Member(7, "")));

    @Test
    void goldenBytes() {
        String golden = "524d4d42000100020001000000000023"  // magic, version 1, 2 voters, 1 learner, body 35
            + "0000000000000001" + "04" + "68313a31"           // voter 1 "h1:1"
            + "0000000000000002" + "04" + "68323a31"           // voter 2 "h2:1"
            + "0000000000000007" + "00";                       // learner 7, no address
        byte[] bytes = SAMPLE.encode();
        String hex = HexFormat.of().formatHex(bytes);
        assertThat(hex).startsWith(golden).hasSize(golden.length() + 8);
        assertThat(hex.substring(golden.length())).isEqualTo("c239da63");
        assertThat(Membership.decode(bytes)).isEqualTo(SAMPLE);
    }

    /** Version 2: a member with a client address makes every member record carry one (maybe empty). */
    @Test
    void goldenBytesWithClientAddresses() {
        Membership m = Membership.of(List.of(new Member(1, "h1:1", "b1:2")), List.of(new Member(4, "h4:1", "")));
        String golden = "524d4d42000200010001000000000020"  // magic, version 2, 1 voter, 1 learner, body 32
            + "0000000000000001" + "04" + "68313a31" + "04" + "62313a32"  // voter 1 "h1:1", client "b1:2"
            + "0000000000000004" + "04" + "68343a31" + "00";              // learner 4 "h4:1", no client address
        byte[] bytes = m.encode();
        String hex = HexFormat.of().formatHex(bytes);
        assertThat(hex).startsWith(golden).hasSize(golden.length() + 8);
        assertThat(hex.substring(golden.length())).isEqualTo("63cf6fb6");
        Membership back = Membership.decode(bytes);
        assertThat(back).isEqualTo(m);
        assertThat(back.member(1).clientAddress()).isEqualTo("b1:2");
        for (int i = 0; i < bytes.length; i++) {
            byte[] bad = bytes.clone();
            bad[i] ^= 0x10;
            assertThatThrownBy(() -> Membership.decode(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        Membership promoted = m.apply(new MembershipChange.AddLearner(new Member(5, "h5:1", "b5:2")))
            .apply(new MembershipChange.Promote(5, 0)).apply(new MembershipChange.Remove(4));
        assertThat(promoted.member(5).clientAddress()).as("a promotion keeps the client address").isEqualTo("b5:2");
        assertThat(Membership.decode(promoted.encode())).isEqualTo(promoted);
        assertThat(Membership.of(List.of(new Member(1, "h1:1", "")), List.of()).encode()[5])
            .as("without client addresses: version 1").isEqualTo((byte) 1);
    }

    @Test
    void emptyEncodingIsTheInitialConfiguration() {
        Membership initial = Membership.ofVoters(1, 2, 3);
        assertThat(Membership.decode(new byte[0], initial)).isSameAs(initial);
        assertThat(Membership.decode(SAMPLE.encode(), initial)).isEqualTo(SAMPLE);
    }

    @Test
    void everyCorruptionIsRefused() {
        byte[] good = SAMPLE.encode();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            assertThatThrownBy(() -> Membership.decode(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("membership");
        }
        for (int len = 0; len < good.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            if (len > 0) {
                assertThatThrownBy(() -> Membership.decode(cut)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void singleServerChanges() {
        Membership m = Membership.ofVoters(1, 2, 3);
        Membership withLearner = m.apply(new MembershipChange.AddLearner(new Member(4, "h4:1")));
        assertThat(withLearner.isLearner(4)).isTrue();
        assertThat(withLearner.quorum().size()).isEqualTo(3);
        Membership promoted = withLearner.apply(new MembershipChange.Promote(4, 0));
        assertThat(promoted.isVoter(4)).isTrue();
        assertThat(promoted.member(4).address()).isEqualTo("h4:1");
        assertThat(promoted.quorum().quorum()).isEqualTo(3);
        assertThat(promoted.apply(new MembershipChange.Remove(1)).quorum().voters()).containsExactly(2, 3, 4);

        assertThat(m.refusal(new MembershipChange.AddLearner(new Member(2, "")))).contains("already a member");
        assertThat(m.refusal(new MembershipChange.Promote(2, 0))).contains("not a learner");
        assertThat(m.refusal(new MembershipChange.Remove(9))).contains("not a member");
        assertThat(Membership.ofVoters(1).refusal(new MembershipChange.Remove(1))).contains("last voter");
        assertThatThrownBy(() -> m.apply(new MembershipChange.Promote(2, 0)))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void historyFollowsTheLog() {
        Membership a = Membership.ofVoters(1, 2, 3);
        Membership b = a.apply(new MembershipChange.AddLearner(new Member(4, "")));
        Membership c = b.apply(new MembershipChange.Promote(4, 0));
        ConfigHistory h = ConfigHistory.initial(a);
        h.append(5, b);
        h.append(9, c);
        assertThat(h.current()).isEqualTo(c);
        assertThat(h.at(4)).isEqualTo(a);
        assertThat(h.at(5)).isEqualTo(b);
        assertThat(h.at(8)).isEqualTo(b);
        h.truncateFrom(9);
        assertThat(h.current()).isEqualTo(b);
        assertThat(h.currentIndex()).isEqualTo(5);
        assertThatThrownBy(() -> h.append(5, c)).isInstanceOf(IllegalStateException.class);
        h.resetTo(20, c);
        assertThat(h.records()).containsExactly(new ConfigHistory.Record(20, c));
        assertThatThrownBy(() -> h.at(19)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pruneKeepsWhatTheAppliedIndexNeeds() {
        Membership a = Membership.ofVoters(1, 2, 3);
        ConfigHistory h = ConfigHistory.initial(a);
        for (int i = 1; i <= ConfigHistory.RECORDS_MAX + 4; i++) {
            h.append(i * 10L, i % 2 == 0 ? a : a.apply(new MembershipChange.AddLearner(new Member(9, ""))));
        }
        h.prune(55);
        assertThat(h.records().get(0).index()).isEqualTo(50);
        assertThat(h.at(55)).isEqualTo(h.at(50));
        assertThat(h.records()).hasSize(ConfigHistory.RECORDS_MAX);
        h.prune(1_000); // at the limit: nothing to prune yet
        assertThat(h.records()).hasSize(ConfigHistory.RECORDS_MAX);
        h.append(1_000, a);
        h.prune(1_000);
        assertThat(h.records()).containsExactly(new ConfigHistory.Record(1_000, a));
    }
}
