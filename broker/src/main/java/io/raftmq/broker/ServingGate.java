package io.raftmq.broker;

import io.raftmq.broker.acl.AclGuard;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.commitlog.error.Verify;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Lets a member bind its client port before it has anything to serve: every request code is registered on the
 * {@link RemotingServer} behind a slot ({@link #reserve}) before the server starts, the real processors are put in
 * the slots once the store and raft are up ({@link #install}), and {@link #serve} switches them all on at once.
 * Before {@link #serve} and after {@link #close} every request is answered SERVICE_NOT_AVAILABLE (14, "member is
 * starting" / "stopping"), the code a follower answers sends with, so a client retries elsewhere.
 *
 * <p>With ACL on ({@link #guard}), a serving member checks each request's signature and permissions before its
 * processor runs and answers a refused one NO_PERMISSION (16) itself.
 *
 * <p>Threads: {@link #reserve}, {@link #install}, {@link #serve} and {@link #close} on the owner's start/stop thread;
 * requests on the executors they were reserved with. {@link #serve} publishes the installed processors (volatile).
 */
final class ServingGate {
    private enum State { STARTING, SERVING, STOPPED }

    private final RemotingServer server;
    private final String member;
    /** Keyed by the identity of the processor's CODES array. */
    private final Map<int[], Slot> slots = new IdentityHashMap<>();
    private volatile State state = State.STARTING;
    /** The ACL check run before every processor (docs/security.md); null: ACL off. Set before the server starts. */
    private volatile AclGuard guard;

    ServingGate(RemotingServer server, String member) {
        this.server = server;
        this.member = member;
    }

    /** Checks every request with {@code g} before its processor runs (ACL, docs/security.md). */
    void guard(AclGuard g) {
        guard = g;
    }

    /** Registers {@code codes} on the server, served on {@code executor} once a processor is installed. */
    void reserve(int[] codes, Executor executor) {
        Verify.state(!slots.containsKey(codes), "codes reserved twice");
        Slot slot = new Slot();
        slots.put(codes, slot);
        for (int code : codes) {
            server.registerProcessor(code, slot, executor);
        }
    }

    /** Puts the processor of the {@code codes} reserved before; it serves from {@link #serve} on. */
    void install(int[] codes, RequestProcessor processor) {
        Slot slot = slots.get(codes);
        Verify.state(slot != null && slot.processor == null, "codes not reserved or already installed");
        Verify.state(state == State.STARTING, "install before serve");
        slot.processor = processor;
    }

    /** Serves every installed processor from now on (all reserved codes must have one). */
    void serve() {
        for (Slot s : slots.values()) {
            Verify.state(s.processor != null, "a reserved request code has no processor");
        }
        state = State.SERVING;
    }

    /** Stops serving for good: every request is answered 14 from now on. */
    void close() {
        state = State.STOPPED;
    }

    private final class Slot implements RequestProcessor {
        /** Written before {@link #serve} (volatile state write), read after reading SERVING. */
        private RequestProcessor processor;

        @Override
        public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
            State s = state;
            if (s != State.SERVING) {
                return RemotingCommand.createResponse(ResponseCode.SERVICE_NOT_AVAILABLE, "broker member " + member
                    + (s == State.STARTING ? " is starting" : " is stopping"));
            }
            AclGuard g = guard;
            if (g != null) {
                RemotingCommand refused = g.check(ctx, request);
                if (refused != null) {
                    return refused;
                }
            }
            return processor.process(ctx, request);
        }
    }
}
