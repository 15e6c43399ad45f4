package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the replicated control-plane state is deterministic: a member replaying the leader's log, and a member
 * restored from a snapshot then fed the rest of the log, end with byte-identical snapshots; corrupt images are
 * rejected. Method: a seeded random workload of topic/group/offset changes through a {@link FakeProposer} (the
 * seed is printed; -Dmetadata.seed=S replays it).
 */
class MetadataStateMachineTest {

    private static void randomChanges(Fixture f, Random rnd, int n) {
        for (int i = 0; i < n; i++) {
            f.clock.addAndGet(rnd.nextInt(1000));
            String topic = "T" + rnd.nextInt(6);
            String group = "G" + rnd.nextInt(4);
            switch (rnd.nextInt(6)) {
                case 0 -> f.topics.createOrUpdate(TopicConfig.of(topic, 1 + rnd.nextInt(8))).join();
                case 1 -> f.topics.delete(topic).join();
                case 2 -> f.groups.createOrUpdate(SubscriptionGroupConfig.defaults(group)).join();
                case 3 -> f.groups.delete(group, rnd.nextBoolean()).join();
                default -> {
                    for (int k = 0; k < 1 + rnd.nextInt(5); k++) {
                        f.offsets.commit(group, topic, rnd.nextInt(4), rnd.nextInt(1000));
                    }
                    f.offsets.flush();
                }
            }
        }
    }

    @Test
    void replayAndRestoreGiveIdenticalSnapshots() {
        long seed = Seeds.seed("metadata.seed");
        Random rnd = new Random(seed);
        Fixture leader = Fixture.leader();
        randomChanges(leader, rnd, 200);
        byte[] mid = leader.sm.snapshot();
        int midLog = leader.proposer.log().size();
        randomChanges(leader, rnd, 200);

        Fixture replayed = Fixture.member();
        leader.proposer.replayInto(replayed.sm);
        assertThat(replayed.sm.snapshot()).as("seed %d", seed).isEqualTo(leader.sm.snapshot());

        Fixture restored = Fixture.member();
        restored.sm.restore(mid);
        assertThat(restored.sm.snapshot()).isEqualTo(mid);
        for (FakeProposer.Logged l : leader.proposer.log().subList(midLog, leader.proposer.log().size())) {
            restored.sm.apply(l.index(), l.type(), l.payload());
        }
        assertThat(restored.sm.snapshot()).as("seed %d", seed).isEqualTo(leader.sm.snapshot());
        assertThat(restored.topics.all()).isEqualTo(leader.topics.all());
        assertThat(restored.topics.dataVersion()).isEqualTo(leader.topics.dataVersion());
    }

    @Test
    void deleteTopicDropsItsOffsetsAndGroupDeleteOptionallyDropsOffsets() {
        Fixture f = Fixture.leader();
        List<String> told = new ArrayList<>();
        f.sm.addDeletionListener(new MetadataStateMachine.DeletionListener() {
            @Override
            public void onTopicDeleted(String topic) {
                told.add("topic " + topic);
            }

            @Override
            public void onGroupDropped(String group) {
                told.add("group " + group);
            }
        });
        f.topics.createOrUpdate(TopicConfig.of("T", 2)).join();
        f.offsets.commit("G", "T", 0, 5);
        f.offsets.commit("G", "U", 1, 6);
        f.offsets.commit("H", "U", 0, 7);
        f.offsets.flush();
        f.topics.delete("T").join();
        assertThat(f.offsets.query("G", "T", 0)).isEqualTo(-1);
        assertThat(f.offsets.query("G", "U", 1)).isEqualTo(6);
        f.groups.delete("G", false).join();
        assertThat(f.offsets.query("G", "U", 1)).isEqualTo(6);
        f.groups.delete("G", true).join();
        assertThat(f.offsets.query("G", "U", 1)).isEqualTo(-1);
        assertThat(f.offsets.query("H", "U", 0)).isEqualTo(7);
        assertThat(told).as("deletions that drop state, in apply order").containsExactly("topic T", "group G");
    }

    @Test
    void rejectsOutOfOrderNonMetadataAndCorruptInput() {
        Fixture f = Fixture.leader();
        f.topics.createOrUpdate(TopicConfig.of("T", 2)).join();
        assertThat(f.sm.appliedIndex()).isEqualTo(1);
        assertThatThrownBy(() -> f.sm.apply(1, EntryType.TOPIC_DELETE, new byte[0]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("index order");
        assertThatThrownBy(() -> f.sm.apply(5, EntryType.MESSAGE, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.sm.apply(5, EntryType.TOPIC_PUT, new byte[] {1}))
                .isInstanceOf(EntryFormatException.class);
        byte[] snap = f.sm.snapshot();
        byte[] flipped = snap.clone();
        flipped[20] ^= 1;
        assertThatThrownBy(() -> Fixture.member().sm.restore(flipped)).hasMessageContaining("CRC32C mismatch");
        assertThatThrownBy(() -> Fixture.member().sm.restore(new byte[5])).hasMessageContaining("too short");
    }

    @Test
    void snapshotHeaderLayout() {
        Fixture f = Fixture.leader();
        f.groups.createOrUpdate(new SubscriptionGroupConfig("G", true, true, true, false, 1, 16, "CUSTOMIZED", 0,
                1, true, 0, 15, Map.of())).join();
        byte[] s = f.sm.snapshot();
        assertThat(java.util.HexFormat.of().formatHex(s, 0, 13)).isEqualTo("524d515301" + "0000000000000001");
    }
}
