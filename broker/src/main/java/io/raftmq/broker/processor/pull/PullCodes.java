package io.raftmq.broker.processor.pull;

import io.raftmq.broker.store.PullStatus;
import io.raftmq.client.protocol.ResponseCode;

/** The store-status to response-code table of docs/protocol.md §2.4 (see {@link PullMessageProcessor}). Pure. */
final class PullCodes {
    private PullCodes() {
    }

    /** The response code for {@code status} of a pull that requested {@code offset}. */
    static int code(PullStatus status, long offset) {
        return switch (status) {
            case FOUND -> ResponseCode.SUCCESS;
            case NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING -> ResponseCode.PULL_RETRY_IMMEDIATELY;
            case NO_MESSAGE_IN_QUEUE -> offset == 0 ? ResponseCode.PULL_NOT_FOUND : ResponseCode.PULL_OFFSET_MOVED;
            case OFFSET_OVERFLOW_ONE -> ResponseCode.PULL_NOT_FOUND;
            case OFFSET_OVERFLOW_BADLY, OFFSET_TOO_SMALL -> ResponseCode.PULL_OFFSET_MOVED;
        };
    }
}
