package io.raftmq.chaos.junit;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendStatus;
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
 * repairs (it reports {@code raftRepairing=true} until it caught up) and, once the group writes again, ends a
 * caught-up follower.
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
        // An idle group does not repair it: heartbeat answers carry no log position, so the leader, whose progress
        // still holds the member's old match index, sends nothing until the next write. Write once.
        ProducerConfig config = ProducerConfig.builder().namesrv(cluster.namesrvAddr()).group("ExtPG").build();
        try (Producer p = new Producer(config)) {
            p.start();
            Awaits.await("a send after the wipe").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> p.send(Message.of("ChaosExt", "wake")).status() == SendStatus.SEND_OK);
        }
        Awaits.await(follower.id() + " to repair and follow").atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, String> info = cluster.runtimeInfo(follower.brokerAddr());
            Map<String, String> lead = cluster.runtimeInfo(next.brokerAddr());
            return info != null && lead != null && "FOLLOWER".equals(info.get("raftRole"))
                && "false".equals(info.get("raftRepairing"))
                && Long.parseLong(info.get("raftCommitIndex")) >= Long.parseLong(lead.get("raftCommitIndex")) - 1;
        });
    }
}
