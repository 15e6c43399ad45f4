package io.raftmq.client.producer;

import io.raftmq.client.protocol.body.MessageQueue;

/**
 * An acknowledged send.
 *
 * @param status      SEND_OK unless a RocketMQ broker answered 10/11/12
 * @param msgId       the client-made unique id (the UNIQ_KEY property, docs/protocol.md §3.3); for a batch the ids
 *                    of its messages joined with ','
 * @param offsetMsgId the broker's offset msgId (store address + physical offset); for a batch joined with ','
 * @param queue       the queue the message went to
 * @param queueOffset its offset in that queue (the first message's for a batch)
 * @param attempts    requests it took (1 without retries)
 */
public record SendResult(SendStatus status, String msgId, String offsetMsgId, MessageQueue queue, long queueOffset,
                         int attempts) {
}
