package io.raftmq.client.producer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.raftmq.client.consumer.ReceivedMessage;
import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandCodec;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.HeartbeatData;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;
import io.raftmq.testsupport.GoldenVectors;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the transactional producer puts on the wire exactly what the official client does (docs/protocol.md §2.9):
 * the half message's TRAN_MSG/PGROUP properties and prepared sysFlag, END_TRANSACTION with the half's queue offset,
 * the commit-log offset from its offset msgId and the state, a heartbeat naming its producer group; and it answers the
 * official broker's CHECK_TRANSACTION_STATE (golden vector 35, sent on the heartbeat's connection) with an
 * END_TRANSACTION carrying the check's offsets and fromTransactionCheck=true. A check for another group is left
 * unanswered. Method: a scripted NameServer and broker on loopback sockets.
 */
@SocketTest
class TransactionProducerSocketTest {
    private static final String OFFSET_MSG_ID = "7F00000100002A9F00000000000004D2"; // commit-log offset 1234
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final LinkedBlockingQueue<RemotingCommand> sends = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Map<String, String>> ends = new LinkedBlockingQueue<>();
    private final AtomicReference<Channel> heartbeatChannel = new AtomicReference<>();
    private final AtomicReference<HeartbeatData> heartbeat = new AtomicReference<>();
    private RemotingServer ns;
    private RemotingServer broker;

    @BeforeEach
    void start() throws Exception {
        broker = server();
        ns = server();
        broker.registerProcessor(RequestCode.SEND_MESSAGE_V2, (ctx, req) -> {
            sends.add(req.retain());
            return new SendMessageResponseHeader(OFFSET_MSG_ID, 2, 41, null, null, null)
                .toResponse(ResponseCode.SUCCESS, null, "DefaultRegion", true);
        }, pool);
        broker.registerProcessor(RequestCode.HEART_BEAT, (ctx, req) -> {
            heartbeat.set(HeartbeatData.decode(req.bodyBytes()));
            heartbeatChannel.set(ctx.channel());
            return RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
        }, pool);
        broker.registerProcessor(RequestCode.UNREGISTER_CLIENT, (ctx, req) ->
            RemotingCommand.createResponse(ResponseCode.SUCCESS, null), pool);
        broker.registerProcessor(RequestCode.END_TRANSACTION, (ctx, req) -> {
            ExtFields f = req.extFieldsOrEmpty();
            Map<String, String> m = new TreeMap<>();
            for (int i = 0; i < f.size(); i++) {
                m.put(f.keyAt(i), f.valueAt(i));
            }
            m.put("oneway", Boolean.toString(req.isOneway()));
            ends.add(m);
            return null;
        }, pool);
        ns.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (ctx, req) -> RemotingCommand.createResponse(
            ResponseCode.SUCCESS, null).setBody(new TopicRouteData(null, List.of(new QueueData("g", 4, 4, 6, 0)),
            List.of(brokerData()), null).encode(false)), pool);
        ns.registerProcessor(RequestCode.GET_BROKER_CLUSTER_INFO, (ctx, req) -> RemotingCommand.createResponse(
            ResponseCode.SUCCESS, null).setBody(new ClusterInfo(Map.of("g", brokerData()), Map.of("c",
            List.of("g"))).encode()), pool);
        broker.start();
        ns.start();
    }

    private BrokerData brokerData() {
        return new BrokerData("c", "g", new TreeMap<>(Map.of(0L, "127.0.0.1:" + broker.port())), null, false);
    }

    private static RemotingServer server() {
        return new RemotingServer(new RemotingServerConfig("127.0.0.1", 0, 1, 1 << 20, 0, 64));
    }

    @AfterEach
    void stop() {
        broker.shutdown();
        ns.shutdown();
        pool.shutdownNow();
        sends.forEach(RemotingCommand::release);
    }

    private ProducerConfig config(String group) {
        return ProducerConfig.builder().namesrv("127.0.0.1:" + ns.port()).group(group).build();
    }

    private static TransactionListener listener(TransactionState local, TransactionState check,
                                                AtomicReference<ReceivedMessage> checked) {
        return new TransactionListener() {
            @Override
            public TransactionState executeLocal(Message msg, Object arg) {
                return local;
            }

            @Override
            public TransactionState checkLocal(ReceivedMessage msg) {
                checked.set(msg);
                return check;
            }
        };
    }

    @Test
    void halfMessageAndEndTransactionAsTheOfficialClientSendsThem() throws Exception {
        try (TransactionProducer p = new TransactionProducer(config("PG"), listener(TransactionState.COMMIT,
            TransactionState.UNKNOWN, new AtomicReference<>()))) {
            p.start();
            assertThat(heartbeat.get().producerDataSet()).extracting(d -> d.groupName()).containsExactly("PG");
            assertThat(heartbeat.get().consumerDataSet()).isEmpty();
            TransactionSendResult r = p.send(Message.of("TopicTest", "Hello").tags("TagA"), null);
            assertThat(r.state()).isEqualTo(TransactionState.COMMIT);
            RemotingCommand half = sends.poll(5, TimeUnit.SECONDS);
            assertThat(half).isNotNull();
            ExtFields h = half.extFieldsOrEmpty();
            half.release();
            assertThat(Integer.parseInt(h.get("f")) & 0x4).as("sysFlag prepared").isEqualTo(4);
            assertThat(h.get("i")).isEqualTo("TAGS\u0001TagA\u0002WAIT\u0001true\u0002"
                + "UNIQ_KEY\u0001" + r.send().msgId() + "\u0002TRAN_MSG\u0001true\u0002PGROUP\u0001PG\u0002");
            Map<String, String> end = ends.poll(5, TimeUnit.SECONDS);
            assertThat(end).containsEntry("producerGroup", "PG").containsEntry("tranStateTableOffset", "41")
                .containsEntry("commitLogOffset", "1234").containsEntry("commitOrRollback", "8")
                .containsEntry("fromTransactionCheck", "false").containsEntry("msgId", r.send().msgId())
                .containsEntry("transactionId", r.send().msgId()).containsEntry("topic", "TopicTest")
                .containsEntry("oneway", "true");
        }
    }

    @Test
    void answersTheOfficialBrokersCheckOnItsConnection() throws Exception {
        AtomicReference<ReceivedMessage> checked = new AtomicReference<>();
        AtomicReference<ReceivedMessage> checkedOther = new AtomicReference<>();
        ClientInstance shared = new ClientInstance(config("PG").client());
        shared.start();
        // one instance, two transactional producers: the check is offered to both, only PG's takes it
        try (TransactionProducer other = new TransactionProducer(config("OtherPG"), shared, listener(
            TransactionState.COMMIT, TransactionState.COMMIT, checkedOther), 30_000);
             TransactionProducer p = new TransactionProducer(config("PG"), shared, listener(TransactionState.UNKNOWN,
                 TransactionState.ROLLBACK, checked), 30_000)) {
            other.start();
            p.start();
            assertThat(heartbeat.get().producerDataSet()).extracting(d -> d.groupName()).containsExactly("PG");
            ByteBuf frame = Unpooled.wrappedBuffer(GoldenVectors.bytes("35_check_transaction_state_json.bin"));
            frame.skipBytes(4);
            RemotingCommand check = new RemotingCommandCodec().decode(frame);
            frame.release();
            broker.invokeOneway(heartbeatChannel.get(), check, 3_000).get(3, TimeUnit.SECONDS);
            Map<String, String> end = ends.poll(5, TimeUnit.SECONDS);
            assertThat(end).containsEntry("producerGroup", "PG").containsEntry("tranStateTableOffset", "0")
                .containsEntry("commitLogOffset", "0").containsEntry("commitOrRollback", "12")
                .containsEntry("fromTransactionCheck", "true")
                .containsEntry("msgId", "7F0000010001B4AAC2F1234500000000")
                .containsEntry("transactionId", "7F0000010001B4AAC2F1234500000000")
                .containsEntry("topic", "TopicTest").containsEntry("oneway", "true");
            assertThat(checked.get().topic()).isEqualTo("TopicTest");
            assertThat(checked.get().bodyString()).isEqualTo("Hello");
            assertThat(checked.get().msgId()).isEqualTo("7F0000010001B4AAC2F1234500000000");
            assertThat(checkedOther.get()).as("OtherPG was not asked about PG's half").isNull();
            assertThat(ends).as("one answer only").isEmpty();
        } finally {
            shared.shutdown();
        }
    }

    @Test
    void commitLogOffsetComesFromTheOffsetMsgId() {
        assertThat(TransactionProducer.commitLogOffset(OFFSET_MSG_ID)).isEqualTo(1234);
        assertThat(TransactionProducer.commitLogOffset("00000000000000000000FFFF7F00000100002A9F000000010000002A"))
            .as("IPv6 store host: 56 hex digits").isEqualTo((1L << 32) + 42);
    }
}
