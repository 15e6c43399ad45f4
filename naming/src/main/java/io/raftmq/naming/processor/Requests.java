package io.raftmq.naming.processor;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;

/** Small helpers shared by the NameServer processors. */
final class Requests {
    private Requests() {
    }

    /** The error for a code a processor was registered for but does not serve (a wiring bug). */
    static RemotingCommandException unsupported(int code) {
        return new RemotingCommandException(ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
                " request type " + code + " not supported");
    }
}
