package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.remoting.protocol.body.BrokerStatsData;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the per-topic and per-group statistics of VIEW_BROKER_STATS_DATA (315) are real for the official tools of
 * rocketmq-tools 5.3.3: {@code DefaultMQAdminExt.viewBrokerStatsData} decodes them, and {@code mqadmin statsAll}
 * (which reads TOPIC_PUT_NUMS and GROUP_GET_NUMS from each master) prints the topic's traffic. Method: one
 * NameServer + three-member group; a producer sends {@value #SENT} messages, a push consumer consumes them all;
 * then the leader's figures are compared with what was sent and consumed. statsAll runs in-process through
 * {@code MQAdminStartup.main0} with System.out captured and a no-op RPC hook (see {@link MqAdminCli}).
 */
@SocketTest
class BrokerStatsCompatTest {
    private static final String TOPIC = "StatsTopic";
    private static final String GROUP = "StatsCG";
    private static final int SENT = 12;

    @TempDir
    static Path dir;
    private static TestCluster cluster;
    private static OfficialClients clients;
    private static DefaultMQAdminExt admin;
    private static String leaderAddr;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir, 3).startAll();
        leaderAddr = cluster.awaitLeaderRegistered(10_000).config().brokerAddr();
        clients = new OfficialClients(cluster);
        OfficialClients.sendAll(clients.producer("StatsPG"), TOPIC, "stats", SENT);
        OfficialClients.Received got = new OfficialClients.Received();
        DefaultMQPushConsumer c = clients.push(GROUP, TOPIC, MessageModel.CLUSTERING, got);
        TestCluster.await(10_000, "all messages consumed", () -> got.bodies.size() >= SENT);
        c.shutdown(); // persists the offsets, so the group stays listed as a consumer of the topic
        admin = clients.admin();
    }

    @AfterAll
    static void stop() {
        clients.close();
        cluster.close();
    }

    @Test
    void viewBrokerStatsDataReportsThePutsOfTheTopic() throws Exception {
        BrokerStatsData d = admin.viewBrokerStatsData(leaderAddr, "TOPIC_PUT_NUMS", TOPIC);
        assertThat(d.getStatsDay().getSum()).isEqualTo(SENT);
        assertThat(d.getStatsHour().getSum()).isEqualTo(SENT);
        assertThat(d.getStatsDay().getTps()).isEqualTo(SENT / 86_400.0);
        assertThat(d.getStatsDay().getAvgpt()).as("one message per send request").isEqualTo(1.0);
        BrokerStatsData size = admin.viewBrokerStatsData(leaderAddr, "TOPIC_PUT_SIZE", TOPIC);
        assertThat(size.getStatsDay().getSum()).as("stored bytes").isGreaterThan(SENT * 100L);
    }

    @Test
    void viewBrokerStatsDataReportsTheGetsOfTheGroup() throws Exception {
        BrokerStatsData d = admin.viewBrokerStatsData(leaderAddr, "GROUP_GET_NUMS", TOPIC + "@" + GROUP);
        assertThat(d.getStatsDay().getSum()).isGreaterThanOrEqualTo(SENT);
        assertThat(d.getStatsDay().getAvgpt()).isGreaterThanOrEqualTo(1.0);
        assertThat(admin.viewBrokerStatsData(leaderAddr, "GROUP_GET_SIZE", TOPIC + "@" + GROUP).getStatsDay()
            .getSum()).isGreaterThan(0);
    }

    @Test
    void anUnknownStatisticIsASystemError() {
        assertThatThrownBy(() -> admin.viewBrokerStatsData(leaderAddr, "TOPIC_PUT_NUMS", "NoSuchTopic"))
            .isInstanceOfSatisfying(MQClientException.class, e -> {
                assertThat(e.getResponseCode()).isEqualTo(1);
                assertThat(e.getErrorMessage()).contains("The stats <TOPIC_PUT_NUMS> <NoSuchTopic> not exist");
            });
    }

    @Test
    void statsAllPrintsTheTopicsTraffic() {
        String out = mqadmin("statsAll", "-t", TOPIC);
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t[0].equals(TOPIC)) {
                rows.add(t);
            }
        }
        // #Topic #Consumer Group #Accumulation #InTPS #OutTPS #InMsg24Hour #OutMsg24Hour
        assertThat(rows).as(out).hasSize(1);
        String[] r = rows.get(0);
        assertThat(r).as(out).hasSize(7);
        assertThat(r[1]).isEqualTo(GROUP);
        assertThat(Double.parseDouble(r[3].replace(',', '.'))).as("InTPS in\n%s", out).isBetween(0.0, 1.0);
        assertThat(Long.parseLong(r[5])).as("InMsg24Hour in\n%s", out).isEqualTo(SENT);
        assertThat(Long.parseLong(r[6])).as("OutMsg24Hour in\n%s", out).isGreaterThanOrEqualTo(SENT);
    }

    /** Runs {@code mqadmin <args> -n <namesrv>} in-process and returns what it printed. */
    private static String mqadmin(String... args) {
        return MqAdminCli.run(cluster.namesrv(), args);
    }
}
