package io.raftmq.chaos.junit;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ChaosCluster} gives a test a started three-member cluster of real processes, and the handles the nemeses
 * use work on it: SIGSTOP of the leader ({@link ProcessCluster#pause}) makes the others elect and route a new leader,
 * SIGCONT brings the old one back as a follower; a member killed, wiped ({@link ProcessCluster#wipe}) and restarted
 * repairs (it reports {@code raftRepairing=true} until it caught up) and ends a caught-up follower with no write:
 * an idle group repairs it.
 */
@ProcessTest
@ChaosCluster(members = 3)
class ChaosClusterExtensionTest {
    @Test
    @Timeout(180)
    void pauseResumeAndWipeRestartOnAnInjectedCluster(ProcessCluster cluster) throws Exception {
        assertThat(cluster.members()).hasSize(3);
        assertThat(cluster.namesrvAddr()).startsWith(ProcessCluster.NAMESRV_HOST + ":");
        Member leader = cluster.awaitRoutedLeader(null, 10_000);

        cluster.pause(leader);
        assertThat(leader.isPaused()).isTrue();
        Member next = cluster.awaitRoutedLeader(leader.brokerAddr(), 15_000);
        assertThat(next).isNotSameAs(leader);
        cluster.resume(leader);
        assertThat(leader.isPaused()).isFalse();
        Awaits.await(leader.id() + " to follow after SIGCONT").atMost(Duration.ofSeconds(30))
            .until(() -> cluster.role(leader).equals("FOLLOWER"));

        Member follower = cluster.members().stream().filter(m -> m != next).findFirst().orElseThrow();
        cluster.kill(follower);
        cluster.wipe(follower);
        assertThat(follower.dataDir()).doesNotExist();
        cluster.restart(follower);
        // No write after the wipe: the member's heartbeat answers carry its log's end, so the idle leader finds the
        // member holds less than its old match and re-probes it (docs/raft-driver.md, "Repair").
        long commitBefore = Long.parseLong(cluster.runtimeInfo(next.brokerAddr()).get("raftCommitIndex"));
        Awaits.await(follower.id() + " to repair and follow with no traffic").atMost(Duration.ofSeconds(60))
            .until(() -> {
                Map<String, String> info = cluster.runtimeInfo(follower.brokerAddr());
                return info != null && "FOLLOWER".equals(info.get("raftRole"))
                    && "false".equals(info.get("raftRepairing"))
                    && Long.parseLong(info.get("raftCommitIndex")) >= commitBefore;
            });
        assertThat(Long.parseLong(cluster.runtimeInfo(next.brokerAddr()).get("raftCommitIndex")))
            .as("the group stayed idle").isEqualTo(commitBefore);
    }
}
