package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.BrokerConfigException;
import io.raftmq.commitlog.recovery.RecoveryLoss;
import io.raftmq.raft.state.FileHardStateStore;
import io.raftmq.raft.state.FileRepairStateStore;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.RepairState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the broker records a member's data loss where the raft agent finds it (docs/raft-driver.md, "Repair"):
 * {@code raftInitialState} is validated, a member of a running group without a hard state starts repairing, and a
 * commit-log loss is recorded with what the member had acknowledged. Method: configurations from properties, a temp
 * directory, the stores read back.
 */
class RepairWiringTest {
    @TempDir
    Path dir;

    private BrokerConfig config(String initialState) throws BrokerConfigException {
        Map<String, String> m = new HashMap<>();
        m.put("brokerName", "broker-a");
        m.put("listenHost", "127.0.0.2");
        m.put("storePathRootDir", dir.toString());
        m.put("namesrvAddr", "127.0.0.1:9876");
        m.put("raftPeers", "n0-127.0.0.2:10915;n1-127.0.0.1:10925;n2-127.0.0.1:10935");
        m.put("raftSelfId", "n0");
        if (initialState != null) {
            m.put("raftInitialState", initialState);
        }
        return BrokerConfig.fromProperties(m, "b.properties");
    }

    @Test
    void raftInitialStateIsNewByDefaultAndValidated() throws BrokerConfigException {
        assertThat(config(null).raftInitialState()).isEqualTo("new");
        assertThat(config("existing").joinsExistingGroup()).isTrue();
        assertThatThrownBy(() -> config("maybe")).isInstanceOf(BrokerConfigException.class)
            .hasMessageContaining("raftInitialState").hasMessageContaining("'maybe'");
    }

    @Test
    void aMemberOfARunningGroupWithoutHardStateStartsRepairing() throws BrokerConfigException {
        Path raft = dir.resolve("raft");
        assertThat(RaftGroupNode.repairStore(config("new"), new FileHardStateStore(raft)).load())
            .as("a new group: today's fresh start").isNull();
        FileRepairStateStore repair = RaftGroupNode.repairStore(config("existing"), new FileHardStateStore(raft));
        assertThat(repair.load()).isEqualTo(new RepairState(RepairState.Reason.STATE_MISSING, 0, -1));
        repair.clear();
        FileHardStateStore hs = new FileHardStateStore(raft);
        hs.save(new HardState(4, 2, 10));
        assertThat(RaftGroupNode.repairStore(config("existing"), hs).load()).as("its state is there").isNull();
    }

    @Test
    void aCommitLogLossIsRecordedWithWhatTheMemberAcknowledged() {
        Path raft = dir.resolve("raft");
        new FileHardStateStore(raft).save(new HardState(3, 1, 500));
        RaftGroupNode.recordLoss(raft, new RecoveryLoss("seg", 64, 100, 4096, 20, 120));
        assertThat(new FileRepairStateStore(raft).load())
            .isEqualTo(new RepairState(RepairState.Reason.LOG_DAMAGED, 500, 100));
        RaftGroupNode.recordLoss(raft, new RecoveryLoss("seg", 32, 60, 4096, 700, 900));
        assertThat(new FileRepairStateStore(raft).load()).as("a second loss before the first was repaired")
            .isEqualTo(new RepairState(RepairState.Reason.LOG_DAMAGED, 900, 60));
    }
}
