package io.raftmq.broker.config;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.raft.driver.DurabilityMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: every validation rule of {@link BrokerConfig} fires with a message naming the file and the key, valid
 * files (including the shipped conf/ examples) load, and defaults and derived values are right.
 * Method: build property maps from a valid base, break one setting per case.
 */
class BrokerConfigTest {
    private static final String SRC = "broker-x.properties";

    static Map<String, String> base() {
        Map<String, String> m = new HashMap<>();
        m.put("brokerName", "broker-a");
        m.put("listenHost", "127.0.0.2");
        m.put("listenPort", "10911");
        m.put("storePathRootDir", "/tmp/raftmq-test");
        m.put("namesrvAddr", "127.0.0.1:9876;127.0.0.1:9877");
        m.put("raftPeers", "n0-127.0.0.2:10915;n1-127.0.0.1:10925;n2-127.0.0.1:10935");
        m.put("raftSelfId", "n0");
        return m;
    }

    private static void assertRejected(Map<String, String> m, String expected) {
        assertThatThrownBy(() -> BrokerConfig.fromProperties(m, SRC)).isInstanceOf(BrokerConfigException.class)
                .hasMessageStartingWith(SRC + ": ").hasMessageContaining(expected);
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> m = base();
        m.put(key, value);
        return m;
    }

    @Test
    void validBaseLoadsWithDefaultsAndDerivedValues() throws Exception {
        BrokerConfig c = BrokerConfig.fromProperties(base(), SRC);
        assertThat(c.brokerClusterName()).isEqualTo("DefaultCluster");
        assertThat(c.brokerIP1()).isEqualTo("127.0.0.2");
        assertThat(c.brokerAddr()).isEqualTo("127.0.0.2:10911");
        assertThat(c.namesrvAddr()).containsExactly("127.0.0.1:9876", "127.0.0.1:9877");
        assertThat(c.raftSelf()).isEqualTo(new RaftPeer("n0", "127.0.0.2", 10915));
        assertThat(c.followerBrokerId()).isEqualTo(1);
        assertThat(c.otherPeers()).extracting(RaftPeer::id).containsExactly("n1", "n2");
        assertThat(c.durability()).isEqualTo(DurabilityMode.QUORUM_FSYNC);
        assertThat(c.messageSizeMax()).isEqualTo(4 * 1024 * 1024);
        assertThat(c.registerNameServerPeriodMs()).isEqualTo(30_000);
        assertThat(c.defaultTopicQueueNums()).isEqualTo(8);
        assertThat(c.toProperties()).containsEntry("raftPeers",
                "n0-127.0.0.2:10915;n1-127.0.0.1:10925;n2-127.0.0.1:10935").containsEntry("durability", "quorum-fsync");
    }

    @Test
    void toPropertiesRoundTrips() throws Exception {
        BrokerConfig c = BrokerConfig.fromProperties(base(), SRC);
        assertThat(BrokerConfig.fromProperties(c.toProperties(), SRC)).isEqualTo(c);
    }

    @Test
    void shippedExampleFilesLoad() throws Exception {
        Path conf = Path.of("..", "conf");
        for (int i = 0; i < 3; i++) {
            BrokerConfig c = BrokerConfig.load(conf.resolve("broker-n" + i + ".properties"));
            assertThat(c.raftSelfId()).isEqualTo("n" + i);
            assertThat(c.listenPort()).isEqualTo(10911 + 10 * i);
            assertThat(c.raftSelf().port()).isEqualTo(10915 + 10 * i);
            assertThat(c.followerBrokerId()).isEqualTo(i + 1);
            assertThat(c.namesrvAddr()).containsExactly("127.0.0.1:9876");
        }
    }

    @Test
    void loadNamesTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broker-bad.properties");
        Files.writeString(f, "brokerName=b\n");
        assertThatThrownBy(() -> BrokerConfig.load(f)).hasMessage(f + ": missing required key 'storePathRootDir'");
        assertThatThrownBy(() -> BrokerConfig.load(dir.resolve("absent.properties")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("cannot read broker config");
    }

    @Test
    void missingAndUnknownKeys() {
        for (String k : BrokerConfig.REQUIRED) {
            Map<String, String> m = base();
            m.remove(k);
            assertRejected(m, "missing required key '" + k + "'");
        }
        assertRejected(with("durabilty", "quorum-fsync"), "unknown key(s) [durabilty]");
        assertRejected(with("brokerName", " "), "missing required key 'brokerName'");
    }

    @Test
    void valuesThatDoNotParse() {
        assertRejected(with("listenPort", "abc"), "listenPort: must be an integer, got 'abc'");
        assertRejected(with("messageSizeMax", "9999999999"), "messageSizeMax: must be a 32-bit integer");
        assertRejected(with("autoCreateTopicEnable", "yes"), "autoCreateTopicEnable: must be true or false");
        assertRejected(with("durability", "fsync"), "durability: must be quorum-fsync or quorum-memory");
        assertRejected(with("flushMode", "LAZY"), "flushMode: must be SYNC or ASYNC");
        assertRejected(with("flushMode", "MANUAL"), "flushMode: must be SYNC or ASYNC, got 'MANUAL'");
        assertRejected(with("durability", "QUORUM_FSYNC"), "durability: must be quorum-fsync or quorum-memory");
        assertRejected(with("namesrvAddr", ";"), "namesrvAddr: must list at least one entry");
        assertRejected(with("namesrvAddr", "localhost"), "namesrvAddr: address must be host:port");
        assertRejected(with("namesrvAddr", "h:x"), "namesrvAddr: port must be a number");
        assertRejected(with("namesrvAddr", "h:70000"), "namesrvAddr: port must be in [1, 65535]");
        assertRejected(with("raftPeers", "127.0.0.1:1"), "raftPeers: peer must be id-host:port");
        assertRejected(with("raftPeers", "x0-127.0.0.1:10915"), "raftPeers: raft peer id must be 'n' followed by");
    }

    @Test
    void rangesAndNames() {
        assertRejected(with("raftTickMs", "0"), "raftTickMs: must be >= 1, got 0");
        assertRejected(with("offsetBatchUpdatesMax", "-1"), "offsetBatchUpdatesMax: must be >= 1");
        assertRejected(with("listenPort", "70000"), "listenPort: must be in [1, 65535], got 70000");
        assertRejected(with("brokerName", "a b"), "brokerName: must match");
        assertRejected(with("brokerClusterName", "c%"), "brokerClusterName: must match");
        assertRejected(with("listenHost", " "), "listenHost: must be a local address");
        assertRejected(with("messageSizeMax", "20000000"), "messageSizeMax: must be <= ");
        assertRejected(with("commitLogSegmentBytes", "1048576"), "commitLogSegmentBytes: must be >= messageSizeMax");
        assertRejected(with("defaultTopicQueueNums", "2000"), "defaultTopicQueueNums: must be <= 1024");
        Map<String, String> m = with("offsetPendingQueuesMax", "10");
        assertRejected(m, "offsetPendingQueuesMax: must be >= offsetBatchUpdatesMax (1024), got 10");
    }

    @Test
    void advertisedAddress() throws Exception {
        assertRejected(with("listenHost", "0.0.0.0"), "brokerIP1: is required when listenHost is a wildcard");
        assertRejected(with("brokerIP1", "0.0.0.0"), "brokerIP1: must be an address clients can dial");
        Map<String, String> m = with("listenHost", "0.0.0.0");
        m.put("brokerIP1", "127.0.0.5");
        assertThat(BrokerConfig.fromProperties(m, SRC).brokerAddr()).isEqualTo("127.0.0.5:10911");
    }

    @Test
    void peerRelations() {
        assertRejected(with("raftSelfId", "n7"), "raftSelfId: 'n7' does not appear in raftPeers");
        assertRejected(with("raftPeers", "n0-127.0.0.2:10915;n0-127.0.0.1:10925"), "raftPeers: peer id n0 appears");
        assertRejected(with("raftPeers", "n0-127.0.0.2:10915;n1-127.0.0.2:10915"), "is used by two peers");
        for (int port : new int[] {10911, 10909, 10912}) {
            assertRejected(with("raftPeers", "n0-127.0.0.2:" + port), "raftPeers: raft port " + port
                    + " of n0 clashes with listenPort 10911");
        }
    }

    @Test
    void raftTimingRelations() {
        assertRejected(with("raftHeartbeatIntervalMs", "120"), "raftHeartbeatIntervalMs: must be a multiple of "
                + "raftTickMs (50), got 120");
        assertRejected(with("raftElectionTimeoutMs", "525"), "raftElectionTimeoutMs: must be a multiple of");
        assertRejected(with("raftElectionTimeoutMs", "300"), "raftElectionTimeoutMs: must exceed 3 x "
                + "raftHeartbeatIntervalMs (300), got 300");
        assertRejected(with("flushMode", "ASYNC"), "flushMode: must be SYNC when durability=quorum-fsync");
    }

    @Test
    void quorumMemoryAllowsAsyncFlush() throws Exception {
        Map<String, String> m = with("flushMode", "ASYNC");
        m.put("durability", "quorum-memory");
        assertThat(BrokerConfig.fromProperties(m, SRC).flushMode()).isEqualTo(FlushMode.ASYNC);
    }

    @Test
    void periodRelations() {
        assertRejected(with("registerNameServerPeriodMs", "500"), "registerNameServerPeriodMs: must be in [1000, "
                + "60000], got 500");
        assertRejected(with("registerNameServerTimeoutMs", "30000"), "registerNameServerTimeoutMs: must be < "
                + "registerNameServerPeriodMs (30000)");
        assertRejected(with("nameServerExpiryMs", "60000"), "nameServerExpiryMs: must exceed 2 x "
                + "registerNameServerPeriodMs (60000), got 60000");
        assertRejected(with("clientExpiryScanIntervalMs", "120000"), "clientExpiryScanIntervalMs: must be < "
                + "clientChannelExpiredTimeoutMs (120000)");
    }

    @Test
    void brokerPeersAreOptionalButMustMatchRaftPeersAndThisBroker() throws Exception {
        assertThat(BrokerConfig.fromProperties(base(), SRC).brokerPeers()).isEmpty();
        String ok = "n0-127.0.0.2:10911;n1-127.0.0.1:10921;n2-127.0.0.1:10931";
        BrokerConfig c = BrokerConfig.fromProperties(with("brokerPeers", ok), SRC);
        assertThat(c.brokerAddrOf(2)).isEqualTo("127.0.0.1:10921");
        assertThat(c.brokerAddrOf(9)).isNull();
        assertRejected(with("brokerPeers", "n0-127.0.0.2:10911;n1-127.0.0.1:10921"),
                "brokerPeers: must list exactly the ids of raftPeers");
        assertRejected(with("brokerPeers", "n0-127.0.0.2:10999;n1-127.0.0.1:10921;n2-127.0.0.1:10931"),
                "brokerPeers: the entry of n0 must be this broker's address 127.0.0.2:10911");
        assertRejected(with("sendPendingMax", "10"), "sendPendingMax: must be >= sendBatchMessagesMax");
        assertRejected(with("pullMessagesMax", "1025"), "pullMessagesMax: must be <= 1024");
        assertRejected(with("pullMessagesMax", "0"), "pullMessagesMax: must be >= 1");
        assertRejected(with("pullBytesMax", Integer.toString(16 * 1024 * 1024)), "pullBytesMax: must be <=");
    }
}
