package io.raftmq.client.remoting;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * Serves one or more request codes. Runs on the executor it was registered with, so requests on one connection
 * are processed concurrently (a held pull never blocks a send, docs/protocol.md §1.1).
 *
 * <p><b>Ownership:</b> the request (and its body) is owned by the endpoint and released right after this method
 * returns or throws; a processor that needs the body later must {@code retain()} it (and release it itself) or
 * copy it. The returned response is owned by the endpoint, which sends it.
 */
@FunctionalInterface
public interface RequestProcessor {
    /**
     * Processes {@code request}.
     *
     * @return the response to send now, or {@code null} to answer later through {@link RequestContext#respond}
     *     (long polling). For oneway requests any response is dropped (and released).
     * @throws RemotingCommandException answered with its response code and message as remark
     */
    RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException;
}
