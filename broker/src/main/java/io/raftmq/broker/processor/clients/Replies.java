package io.raftmq.broker.processor.clients;

import io.raftmq.broker.entry.ProposalFailedException;
import io.raftmq.broker.metadata.MetadataRejectedException;
import io.raftmq.broker.offset.OffsetBacklogFullException;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.raft.driver.NotLeaderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Response helpers shared by the broker's control-plane processors, including the one mapping of replication
 * failures to response codes (docs/protocol.md §1.6: no NOT_MASTER code exists):
 * <pre>
 *  NotLeaderException            -> 14 SERVICE_NOT_AVAILABLE  (the client retries another broker / refreshes routes)
 *  OffsetBacklogFullException    -> 2  SYSTEM_BUSY
 *  MetadataRejectedException     -> its own code (29 INVALID_PARAMETER, ...)
 *  ProposalFailedException, timeout, anything else -> 1 SYSTEM_ERROR
 * </pre>
 */
public final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {
    }

    /** SUCCESS with empty extFields and no remark. */
    public static RemotingCommand ok() {
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
    }

    /** An error response (extFields present, empty: docs/protocol.md trap 1). */
    public static RemotingCommand error(int code, String remark) {
        return RemotingCommand.createResponse(code, remark);
    }

    /** The response for a failed replicated change (table in the class comment). */
    public static RemotingCommand failure(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof NotLeaderException) {
            return error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER]" + c.getMessage());
        }
        if (c instanceof OffsetBacklogFullException) {
            return error(ResponseCode.SYSTEM_BUSY, "[REJECTREQUEST]" + c.getMessage());
        }
        if (c instanceof MetadataRejectedException m) {
            return error(m.responseCode(), m.getMessage());
        }
        if (c instanceof TimeoutException) {
            return error(ResponseCode.SYSTEM_ERROR, "replicated change not committed in time");
        }
        if (!(c instanceof ProposalFailedException)) {
            LOG.warn("unexpected failure of a replicated change", c);
        }
        return error(ResponseCode.SYSTEM_ERROR, String.valueOf(c.getMessage()));
    }

    /** The cause inside CompletionException/ExecutionException wrappers. */
    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * Answers {@code ctx} when {@code f} completes (at most {@code timeoutMs} later): {@code onSuccess} builds the
     * response, failures go through {@link #failure}. Returns null, the processor's "answer later" value.
     */
    public static <T> RemotingCommand later(RequestContext ctx, CompletableFuture<T> f, long timeoutMs,
                                            Function<T, RemotingCommand> onSuccess) {
        f.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            RemotingCommand r;
            if (e != null) {
                r = failure(e);
            } else {
                try {
                    r = onSuccess.apply(v);
                } catch (RuntimeException ex) {
                    LOG.error("building the response to code {} failed", ctx.requestCode(), ex);
                    r = error(ResponseCode.SYSTEM_ERROR, ex.toString());
                }
            }
            ctx.respond(r);
        });
        return null;
    }
}
