/**
 * Messages the broker writes itself: a due delayed or timer message delivered to its real topic, a committed
 * transaction's visible copy, a consumer's send-back into the retry or dead-letter topic. {@link
 * io.raftmq.broker.produce.Redraft} copies a stored message into a draft to change; {@link
 * io.raftmq.broker.produce.InternalProducer} appends drafts through the same send batcher (hence the same Raft
 * commit) as producers' sends.
 */
package io.raftmq.broker.produce;
