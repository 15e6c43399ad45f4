package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.trace.TraceContext;
import org.apache.rocketmq.client.trace.TraceDataEncoder;
import org.apache.rocketmq.client.trace.TraceType;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.topic.TopicValidator;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the official 5.3.3 client's message trace works against a RaftMQ group (docs/consumer-protocol.md "Message
 * trace"): with {@code enableMsgTrace} the producer and the push consumer write their trace records to
 * {@code RMQ_SYS_TRACE_TOPIC} (which the group's leader creates) or to a custom trace topic (created on first use
 * from TBW102), and {@code mqadmin queryMsgTraceById} shows the publish and the consume records. Method: one
 * three-member group; per trace topic a traced send and a traced consume; the admin API's key query of the trace topic
 * decoded with the client's own trace decoder (Pub, SubBefore and SubAfter must all be there), then the mqadmin
 * command in-process, whose table must name the producer group (Pub) and the consumer group (Sub). The consumed
 * message names the region and the stored one (read back by id) does not.
 */
@SocketTest
class MessageTraceCompatTest {
    @Test
    void tracedSendsAndConsumesCanBeQueriedByIdInTheSystemAndACustomTraceTopic(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3).startAll();
             OfficialClients clients = new OfficialClients(cluster)) {
            cluster.awaitLeaderRegistered(10_000);
            DefaultMQAdminExt admin = clients.admin();
            roundTrip(cluster, admin, TopicValidator.RMQ_SYS_TRACE_TOPIC, null);
            roundTrip(cluster, admin, "CustomTraceTopic", "CustomTraceTopic");
        }
    }

    /** A traced send and consume on a topic of its own, traced to {@code traceTopic}; then both queries. */
    private static void roundTrip(TestCluster cluster, DefaultMQAdminExt admin, String traceTopic, String custom)
            throws Exception {
        String topic = "Traced" + (custom == null ? "Sys" : "Custom");
        DefaultMQProducer p = new DefaultMQProducer("PG" + topic, true, custom);
        p.setNamesrvAddr(cluster.namesrv());
        p.setInstanceName("trace-p-" + System.nanoTime());
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("CG" + topic, true, custom);
        try {
            p.start();
            SendResult sent = p.send(new Message(topic, "TagT", "traced".getBytes(StandardCharsets.UTF_8)));
            AtomicReference<MessageExt> consumed = new AtomicReference<>();
            c.setNamesrvAddr(cluster.namesrv());
            c.setInstanceName("trace-c-" + System.nanoTime());
            c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
                consumed.compareAndSet(null, msgs.get(0));
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();
            TestCluster.await(15_000, "the message consumed", () -> consumed.get() != null);
            assertThat(consumed.get().getProperty("MSG_REGION")).isEqualTo("DefaultRegion"); // added to the pull
            assertThat(admin.viewMessage(topic, sent.getMsgId()).getProperty("MSG_REGION")).isNull(); // not stored
            List<TraceContext> traces = new ArrayList<>();
            TestCluster.await(30_000, "publish and consume traces stored in " + traceTopic, () -> {
                traces.clear();
                traces.addAll(query(admin, traceTopic, sent.getMsgId()));
                Set<TraceType> types = EnumSet.noneOf(TraceType.class);
                traces.forEach(t -> types.add(t.getTraceType()));
                return types.containsAll(EnumSet.of(TraceType.Pub, TraceType.SubBefore, TraceType.SubAfter));
            });
            TraceContext pub = traces.stream().filter(t -> t.getTraceType() == TraceType.Pub).findFirst()
                .orElseThrow();
            assertThat(pub.getGroupName()).isEqualTo("PG" + topic);
            assertThat(pub.getTraceBeans().get(0).getTopic()).isEqualTo(topic);
            assertThat(pub.getTraceBeans().get(0).getTags()).isEqualTo("TagT");
            TraceContext after = traces.stream().filter(t -> t.getTraceType() == TraceType.SubAfter).findFirst()
                .orElseThrow();
            assertThat(after.getGroupName()).isEqualTo("CG" + topic);
            assertThat(after.isSuccess()).isTrue();
            assertThat(mqadminRows(cluster, traceTopic, sent.getMsgId()))
                .anySatisfy(row -> assertThat(row).startsWith("Pub").contains("PG" + topic))
                .anySatisfy(row -> assertThat(row).startsWith("Sub").contains("CG" + topic));
        } finally {
            c.shutdown();
            p.shutdown();
        }
    }

    /** The rows of {@code mqadmin queryMsgTraceById -i <msgId> -t <traceTopic>}. */
    private static List<String> mqadminRows(TestCluster cluster, String traceTopic, String msgId) {
        String out = MqAdminCli.run(cluster.namesrv(), "queryMsgTraceById", "-i", msgId, "-t", traceTopic);
        return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private static List<TraceContext> query(DefaultMQAdminExt admin, String traceTopic, String msgId) {
        List<TraceContext> out = new ArrayList<>();
        try {
            for (MessageExt m : admin.queryMessage(traceTopic, msgId, 64, 0, System.currentTimeMillis())
                    .getMessageList()) {
                out.addAll(TraceDataEncoder.decoderFromTraceDataString(new String(m.getBody(),
                    StandardCharsets.UTF_8)));
            }
        } catch (Exception e) {
            return out; // not stored (or not routable) yet: the caller polls
        }
        return out;
    }
}
