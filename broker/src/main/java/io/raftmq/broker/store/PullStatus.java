package io.raftmq.broker.store;

/**
 * Outcome of a {@link BrokerStore#pull}, named like RocketMQ's GetMessageStatus (the pull response carries the
 * name as its remark, vectors 30 and 32). The response-code mapping of docs/protocol.md §2.4 lives in the pull
 * processor.
 */
public enum PullStatus {
    /** Messages returned; nextBeginOffset = last returned + 1. */
    FOUND,
    /** Units scanned but none passed the tag filter; nextBeginOffset = after the scanned range. */
    NO_MATCHED_MESSAGE,
    /** The queue never had a message (max offset 0); nextBeginOffset = 0. */
    NO_MESSAGE_IN_QUEUE,
    /** offset == max offset: nothing new yet; nextBeginOffset = offset. */
    OFFSET_OVERFLOW_ONE,
    /** offset > max offset; nextBeginOffset = max. */
    OFFSET_OVERFLOW_BADLY,
    /** offset < min offset (retention deleted it); nextBeginOffset = min. */
    OFFSET_TOO_SMALL,
    /** The first selected message was deleted by retention while reading; nextBeginOffset = its offset + 1. */
    MESSAGE_WAS_REMOVING
}
