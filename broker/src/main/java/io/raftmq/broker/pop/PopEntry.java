package io.raftmq.broker.pop;

import java.util.List;

/**
 * One replicated change of the pop consumption state (a {@code POP} entry, {@link PopCodec}; docs/consumer-protocol.md
 * "Pop consumption"). Every time in an entry is the proposing leader's wall clock, so every member decides
 * visibility and expiry from the same numbers.
 */
public sealed interface PopEntry {
    /**
     * Sets the request mode of {@code group} on {@code topic} (SET_MESSAGE_REQUEST_MODE): {@code pop} false removes
     * the setting (the group pulls).
     */
    record Mode(String topic, String group, boolean pop, int popShareQueueNum) implements PopEntry {
    }

    /**
     * A pop of one queue at {@code popTimeMs}: the never-popped offsets {@code [from, to)} are decided (those in
     * {@code offsets} are handed out, the others did not match the filter and count as consumed), and every other
     * offset of {@code offsets} is an expired in-flight one handed out again. Applied only if the queue's next
     * offset is still {@code from} (else the new part is dropped) and each redelivered offset is still expired at
     * {@code popTimeMs}. {@code nonce} marks what this entry granted, so the leader answers exactly that.
     */
    record Pop(String group, String topic, int queueId, long popTimeMs, long invisibleMs, long nonce, long from,
               long to, List<Long> offsets) implements PopEntry {
        public Pop {
            offsets = List.copyOf(offsets);
        }
    }

    /** Acks {@code offsets} of one queue popped at {@code popTimeMs} (a stale pop time changes nothing). */
    record Ack(String group, String topic, int queueId, long popTimeMs, List<Long> offsets) implements PopEntry {
        public Ack {
            offsets = List.copyOf(offsets);
        }
    }

    /**
     * CHANGE_INVISIBLETIME of the in-flight {@code offset} popped at {@code popTimeMs}: it becomes invisible for
     * {@code invisibleMs} from {@code nowMs} (a stale pop time changes nothing).
     */
    record Change(String group, String topic, int queueId, long offset, long popTimeMs, long nowMs, long invisibleMs)
        implements PopEntry {
    }

    /**
     * Several acks and invisible-time changes in one entry (docs/consumer-protocol.md "Pop consumption",
     * "Coalesced acks"), applied in order exactly as the same changes in entries of their own would be.
     */
    record Batch(List<PopEntry> items) implements PopEntry {
        public Batch {
            items = List.copyOf(items);
        }
    }
}
