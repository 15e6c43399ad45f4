package io.raftmq.client.remoting;

import io.netty.channel.Channel;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which {@link RequestProcessor} serves an inbound request, and on which executor: request code to processor and
 * executor (codes below 1024 in an array, the rest in a map, then an optional default), filled before the endpoint
 * starts and read-only afterwards. {@link #serve} runs a request on its processor's executor and answers what
 * cannot be served: REQUEST_CODE_NOT_SUPPORTED for an unknown code, SYSTEM_BUSY when the executor refuses,
 * SYSTEM_ERROR when the processor throws (counted), the exception's code for a {@link RemotingCommandException}.
 *
 * <p>Ownership: the request is released once its processor returned (or at once when it is not run).
 */
final class ProcessorTable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorTable.class);
    private static final int DIRECT_CODES = 1024;

    private final Binding[] direct = new Binding[DIRECT_CODES];
    private final Map<Integer, Binding> others = new HashMap<>();
    private final AtomicLong errors;
    private volatile Binding defaultBinding;
    /** Told of each response (null: none, and no clock read); set before the endpoint starts. */
    private volatile ResponseObserver observer;
    private volatile boolean sealed;

    private record Binding(RequestProcessor processor, Executor executor) {
    }

    /** @param errors where processor crashes are counted (shared with the endpoint's other boundaries) */
    ProcessorTable(AtomicLong errors) {
        this.errors = errors;
    }

    /** See {@link NettyRemotingEndpoint#registerProcessor}. */
    void register(int requestCode, RequestProcessor processor, Executor executor) {
        Verify.state(!sealed, "register processors before start()");
        Verify.argument(processor != null && executor != null, "processor and executor are required");
        Binding b = new Binding(processor, executor);
        if (requestCode >= 0 && requestCode < DIRECT_CODES) {
            direct[requestCode] = b;
        } else {
            others.put(requestCode, b);
        }
    }

    /** See {@link NettyRemotingEndpoint#registerDefaultProcessor}. */
    void registerDefault(RequestProcessor processor, Executor executor) {
        Verify.state(!sealed, "register processors before start()");
        defaultBinding = new Binding(processor, executor);
    }

    /** See {@link NettyRemotingEndpoint#setResponseObserver}. */
    void observe(ResponseObserver o) {
        Verify.state(!sealed, "set the response observer before start()");
        observer = o;
    }

    /** No registrations from now on (the endpoint started). */
    void seal() {
        sealed = true;
    }

    private Binding lookup(int code) {
        Binding b = code >= 0 && code < DIRECT_CODES ? direct[code] : others.get(code);
        return b != null ? b : defaultBinding;
    }

    /** Runs {@code request} (received on {@code channel}) on its processor's executor; takes ownership of it. */
    void serve(Channel channel, RemotingCommand request) {
        Binding b = lookup(request.code());
        ResponseObserver o = observer;
        RequestContext ctx = new RequestContext(channel, request.code(), request.opaque(), request.isOneway(),
            request.serializeType(), o, o == null ? 0 : System.nanoTime());
        if (b == null) {
            request.release();
            RemotingCommand r = RemotingCommand.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
                    " request type " + ctx.requestCode() + " not supported");
            r.extFields(null);
            ctx.respond(r);
            return;
        }
        try {
            b.executor().execute(() -> run(b.processor(), ctx, request));
        } catch (RejectedExecutionException e) {
            request.release();
            LOG.warn("executor for code {} rejected a request from {}; answering SYSTEM_BUSY", ctx.requestCode(),
                    channel);
            ctx.respond(RemotingCommand.createResponse(ResponseCode.SYSTEM_BUSY,
                    "[OVERLOAD]system busy, start flow control for a while"));
        }
    }

    private void run(RequestProcessor processor, RequestContext ctx, RemotingCommand request) {
        RemotingCommand response;
        try {
            response = processor.process(ctx, request);
        } catch (RemotingCommandException e) {
            response = RemotingCommand.createResponse(e.responseCode(), e.getMessage());
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            LOG.error("processor for code {} failed on request {} from {}", ctx.requestCode(), ctx.opaque(),
                    ctx.channel(), e);
            response = RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, e.toString());
        } finally {
            request.release();
        }
        if (response != null) {
            ctx.respond(response);
        }
    }
}
