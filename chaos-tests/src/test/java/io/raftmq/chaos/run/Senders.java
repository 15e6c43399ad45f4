package io.raftmq.chaos.run;

import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.MessageQueueSelector;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendResult;
import io.raftmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;

import java.util.List;

/**
 * The two drivers of {@link ClientWorkload}: the official client 5.3.3 ({@link DefaultMQProducer}: route poll every
 * 200 ms, 3 s send timeout) and our SDK's {@link Producer} (3 s send timeout). Neither retries inside the client:
 * a client-internal retry resends the same message (same id), and when the first attempt's outcome was unknown
 * (a leader killed after it appended) both copies are stored, which the checkers rightly report as one message at
 * two offsets. The workload's thread moves on to a new id instead, so every attempt has its own id (docs/chaos.md,
 * "History"). A send that is not SEND_OK throws (its outcome is unknown to the history).
 */
final class Senders {
    private Senders() {
    }

    static ClientWorkload.Sender official(String namesrv, String instance) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("ChaosPG");
        p.setNamesrvAddr(namesrv);
        p.setInstanceName(instance);
        p.setPollNameServerInterval(200);
        p.setSendMsgTimeout(3000);
        p.setRetryTimesWhenSendFailed(0);
        p.start();
        return new ClientWorkload.Sender() {
            @Override
            public Sent send(String topic, String value, byte[] body, String key) throws Exception {
                org.apache.rocketmq.common.message.Message m = new org.apache.rocketmq.common.message.Message(topic,
                    body);
                m.setKeys(value);
                org.apache.rocketmq.client.producer.SendResult r = key == null ? p.send(m)
                    : p.send(m, (List<org.apache.rocketmq.common.message.MessageQueue> mqs,
                                 org.apache.rocketmq.common.message.Message msg, Object arg) ->
                        mqs.get(Math.floorMod(arg.hashCode(), mqs.size())), key);
                if (r.getSendStatus() != org.apache.rocketmq.client.producer.SendStatus.SEND_OK) {
                    throw new IllegalStateException("status " + r.getSendStatus());
                }
                return new Sent(r.getMessageQueue().getBrokerName(), r.getMessageQueue().getQueueId(),
                    r.getQueueOffset());
            }

            @Override
            public void close() {
                p.shutdown();
            }
        };
    }

    static ClientWorkload.Sender sdk(String namesrv, String instance) {
        Producer p = new Producer(ProducerConfig.builder().namesrv(namesrv).group("ChaosSdkPG").sendTimeoutMs(3000)
            .retriesMax(0).build());
        p.start();
        return new ClientWorkload.Sender() {
            @Override
            public Sent send(String topic, String value, byte[] body, String key) throws Exception {
                Message m = new Message(topic, body).keys(value);
                SendResult r = key == null ? p.send(m) : p.send(m, MessageQueueSelector.byKeyHash(), key);
                if (r.status() != SendStatus.SEND_OK) {
                    throw new IllegalStateException("status " + r.status());
                }
                return new Sent(r.queue().brokerName(), r.queue().queueId(), r.queueOffset());
            }

            @Override
            public void close() {
                p.shutdown();
            }
        };
    }
}
