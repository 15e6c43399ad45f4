package io.raftmq.broker.store;

import io.netty.buffer.ByteBuf;

/**
 * Result of {@link BrokerStore#pull}: status, the offsets the pull response header needs, and for
 * {@link PullStatus#FOUND} the body (the selected stored messages back to back, exactly as stored, docs/protocol.md
 * §3.1).
 *
 * <p>Ownership: the body belongs to this result until {@link #takeBody()} hands it over (to a response, which then
 * releases it when written); a result dropped without taking its body must be {@link #release()}d.
 */
public final class PullResult {
    private final PullStatus status;
    private final long nextBeginOffset;
    private final long minOffset;
    private final long maxOffset;
    private final int messageCount;
    private ByteBuf body;

    PullResult(PullStatus status, long nextBeginOffset, long minOffset, long maxOffset, int messageCount,
               ByteBuf body) {
        this.status = status;
        this.nextBeginOffset = nextBeginOffset;
        this.minOffset = minOffset;
        this.maxOffset = maxOffset;
        this.messageCount = messageCount;
        this.body = body;
    }

    public PullStatus status() {
        return status;
    }

    /** The offset the client must request next. */
    public long nextBeginOffset() {
        return nextBeginOffset;
    }

    /** The queue's min offset as read at the start of the pull. */
    public long minOffset() {
        return minOffset;
    }

    /** The queue's max offset (next offset to be written, committed data only) at the start of the pull. */
    public long maxOffset() {
        return maxOffset;
    }

    /** Messages in the body (0 unless FOUND). */
    public int messageCount() {
        return messageCount;
    }

    /** Body bytes (0 unless FOUND). */
    public int bodyBytes() {
        return body == null ? 0 : body.readableBytes();
    }

    /** Hands the body (null unless FOUND) over to the caller, who must release it or pass it on. */
    public ByteBuf takeBody() {
        ByteBuf b = body;
        body = null;
        return b;
    }

    /** Releases the body if it was not taken. */
    public void release() {
        ByteBuf b = takeBody();
        if (b != null) {
            b.release();
        }
    }

    @Override
    public String toString() {
        return "PullResult[" + status + " next=" + nextBeginOffset + " min=" + minOffset + " max=" + maxOffset
                + " messages=" + messageCount + "]";
    }
}
