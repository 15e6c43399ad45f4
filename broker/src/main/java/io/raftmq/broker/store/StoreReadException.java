package io.raftmq.broker.store;

/**
 * A read of the derived data (ConsumeQueue, key index) or of the CommitLog failed with an I/O error, for example
 * racing retention that deleted the file being read. Operating error: processors answer 1 SYSTEM_ERROR and the
 * client retries (docs/protocol.md §2.4 "anything else").
 */
public final class StoreReadException extends Exception {
    public StoreReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
