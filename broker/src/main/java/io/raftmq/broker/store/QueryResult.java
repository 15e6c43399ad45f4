package io.raftmq.broker.store;

import io.netty.buffer.ByteBuf;

/**
 * Result of {@link BrokerStore#queryMessages}: the matching stored messages back to back (null body when none),
 * and the values for QUERY_MESSAGE's response header (docs/protocol.md §2.10).
 *
 * <p>Ownership: the caller owns {@code body} and must release it or hand it to a response.
 *
 * @param body                     matching messages (newest first), or null if none matched
 * @param messageCount             messages in body
 * @param indexLastUpdateTimestamp store time of the newest returned message (0 if none; see BrokerStore)
 * @param indexLastUpdatePhyoffset the committed (dispatched) log position the index covers
 */
public record QueryResult(ByteBuf body, int messageCount, long indexLastUpdateTimestamp,
                          long indexLastUpdatePhyoffset) {
}
