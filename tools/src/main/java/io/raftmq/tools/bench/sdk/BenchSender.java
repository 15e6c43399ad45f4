package io.raftmq.tools.bench.sdk;

import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.SendException;
import io.raftmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;

/**
 * One synchronous send through either client, so the bench loop is the same for both: returns true on SEND_OK,
 * false on a failure (printed for the first few).
 */
interface BenchSender {
    boolean send(String topic, byte[] body) throws InterruptedException;

    /** Our SDK's producer. */
    static BenchSender raftmq(Producer p) {
        return (topic, body) -> {
            try {
                return p.send(new Message(topic, body)).status() == SendStatus.SEND_OK;
            } catch (SendException e) {
                System.err.println("send failed: " + e.getMessage());
                return false;
            }
        };
    }

    /** The official DefaultMQProducer. */
    static BenchSender official(DefaultMQProducer p) {
        return (topic, body) -> {
            try {
                return p.send(new org.apache.rocketmq.common.message.Message(topic, body)).getSendStatus()
                    == org.apache.rocketmq.client.producer.SendStatus.SEND_OK;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) { // bench boundary: count the failure, go on
                System.err.println("send failed: " + e);
                return false;
            }
        };
    }
}
