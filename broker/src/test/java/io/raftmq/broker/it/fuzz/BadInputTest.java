package io.raftmq.broker.it.fuzz;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.SerializeType;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal (bad input): the specific bad requests get the protocol's error codes (1.6, 2.3) with remarks that
 * say what is wrong, and a frame over the limit closes only its own connection. Method: the {@link FuzzFixture}
 * group (auto-creation off, messageSizeMax 256 KiB); requests through the RemotingClient to the leader, in JSON and
 * in the ROCKETMQ binary header form; the oversized frame over a raw socket.
 */
@SocketTest
class BadInputTest {
    @TempDir
    static Path dir;
    private static TestCluster cluster;
    private static String leader;

    @BeforeAll
    static void start() throws Exception {
        cluster = FuzzFixture.start(dir);
        leader = cluster.awaitLeaderRegistered(10_000).config().brokerAddr();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static RemotingCommand call(RemotingCommand req) throws Exception {
        return cluster.client.invokeSync(leader, req, 5000);
    }

    private static RemotingCommand send(String topic, byte[] body, SerializeType type) {
        RemotingCommand r = TestCluster.sendRequest(topic, 0, "x", "U1").setBody(body);
        return r.serializeType(type);
    }

    @Test
    void oversizedBodyIs13NamingTheLimit() throws Exception {
        int max = cluster.configs.get(0).messageSizeMax();
        for (SerializeType type : SerializeType.values()) {
            RemotingCommand r = call(send(FuzzFixture.TOPIC, new byte[max + 1], type));
            assertThat(r.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(r.remark()).contains(Integer.toString(max + 1)).contains("messageSizeMax " + max);
            assertThat(r.serializeType()).as("answered in the request's form (docs/protocol.md §1.4)").isEqualTo(type);
            if (type == SerializeType.JSON) { // the binary form writes an empty map as length 0, read back as none
                assertThat(r.extFields()).as("error responses carry extFields (docs/protocol.md trap 1)").isNotNull();
            }
        }
        RemotingCommand ok = call(send(FuzzFixture.TOPIC, new byte[max], SerializeType.JSON));
        assertThat(ok.code()).as("exactly the limit is accepted").isEqualTo(ResponseCode.SUCCESS);
    }

    @Test
    void unknownTopicWithAutoCreateOffIs17NamingTheTopic() throws Exception {
        RemotingCommand r = call(send("NoSuchTopic", new byte[] {1}, SerializeType.JSON));
        assertThat(r.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(r.remark()).contains("topic NoSuchTopic does not exist");
        assertThat(cluster.leader().topics().get("NoSuchTopic")).as("not auto-created").isNull();
    }

    @Test
    void missingRequiredHeaderFieldIsSystemErrorNamingTheField() throws Exception {
        for (SerializeType type : SerializeType.values()) {
            RemotingCommand req = send(FuzzFixture.TOPIC, new byte[] {1}, type);
            req.extFields().remove("b");
            RemotingCommand r = call(req);
            assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(r.remark()).isEqualTo("the custom field <b> is null");
        }
        RemotingCommand req = send(FuzzFixture.TOPIC, new byte[] {1}, SerializeType.JSON);
        req.extFields().put("e", "not-a-number");
        RemotingCommand r = call(req);
        assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(r.remark()).isEqualTo("the custom field <e> has an invalid value: not-a-number");
    }

    @Test
    void badQueueIdAndTopicNameAre29() throws Exception {
        RemotingCommand big = TestCluster.sendRequest(FuzzFixture.TOPIC, 4, "x", "U2");
        RemotingCommand r = call(big);
        assertThat(r.code()).isEqualTo(ResponseCode.INVALID_PARAMETER);
        assertThat(r.remark()).contains("queueId 4 is out of range").contains("4 queues");
        RemotingCommand bad = call(TestCluster.sendRequest("bad topic!", 0, "x", "U3"));
        assertThat(bad.code()).isEqualTo(ResponseCode.INVALID_PARAMETER);
        assertThat(bad.remark()).contains("bad topic!");
    }

    @Test
    void unknownRequestCodeIs3WithTheSpecRemark() throws Exception {
        for (int code : new int[] {9999, 4242, -7}) {
            RemotingCommand r = call(RemotingCommand.createRequest(code));
            assertThat(r.code()).isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
            assertThat(r.remark()).isEqualTo(" request type " + code + " not supported");
        }
    }

    @Test
    void frameOverTheLimitClosesThatConnectionOnly() throws Exception {
        int frameMax = 16 << 20;
        InetSocketAddress addr = cluster.leader().localAddress();
        try (Socket s = new Socket()) {
            s.connect(addr, 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(ByteBuffer.allocate(8).putInt(frameMax).putInt(16).array()); // announces 16 MiB + 4 bytes
            out.flush();
            InputStream in = s.getInputStream();
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the broker did not close a connection announcing a frame over the limit");
            } catch (java.io.IOException e) { // reset: closed too
                b = -1;
            }
            assertThat(b).as("connection closed without an answer").isEqualTo(-1);
        }
        RemotingCommand r = call(RemotingCommand.createRequest(9999));
        assertThat(r.code()).as("other connections still served").isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
        FuzzFixture.sendAndPull(cluster, FuzzFixture.TOPIC, "after-oversized-frame");
    }
}
