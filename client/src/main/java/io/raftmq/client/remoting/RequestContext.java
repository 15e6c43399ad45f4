package io.raftmq.client.remoting;

import io.netty.channel.Channel;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.SerializeType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The answering handle of one inbound request: a processor may answer at once (by returning a response) or later,
 * from any thread, through {@link #respond} (long polling). At most one response is sent per request; none for
 * oneway requests. The answer takes the request's serialization (docs/protocol.md §1.4: a client decodes each
 * frame by its own type byte): a client that sends the binary ROCKETMQ header is spared parsing a JSON one.
 * Thread-safe.
 */
public final class RequestContext {
    private static final Logger LOG = LoggerFactory.getLogger(RequestContext.class);

    private final Channel channel;
    private final int requestCode;
    private final int opaque;
    private final boolean oneway;
    private final SerializeType serializeType;
    private final AtomicBoolean responded = new AtomicBoolean();
    /** Told of the response (metrics); null: none. */
    private final ResponseObserver observer;
    /** When the request was dispatched ({@link System#nanoTime()}; read only with an observer). */
    private final long startNanos;

    RequestContext(Channel channel, int requestCode, int opaque, boolean oneway, SerializeType serializeType,
                   ResponseObserver observer, long startNanos) {
        this.observer = observer;
        this.startNanos = startNanos;
        this.channel = channel;
        this.requestCode = requestCode;
        this.opaque = opaque;
        this.oneway = oneway;
        this.serializeType = serializeType;
    }

    /** The connection the request came on (use it to call back the peer, e.g. NOTIFY_CONSUMER_IDS_CHANGED). */
    public Channel channel() {
        return channel;
    }

    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    public int requestCode() {
        return requestCode;
    }

    public int opaque() {
        return opaque;
    }

    public boolean isOneway() {
        return oneway;
    }

    /** Tells the observer; one that throws is logged and the response still goes out (a metrics boundary). */
    private void observe(int responseCode) {
        try {
            observer.onResponse(requestCode, responseCode, System.nanoTime() - startNanos);
        } catch (RuntimeException e) {
            LOG.warn("response observer failed on request {} (code {})", opaque, requestCode, e);
        }
    }

    /** Whether a response was already sent (or dropped, for oneway). */
    public boolean isResponded() {
        return responded.get();
    }

    /**
     * Sends {@code response} as the answer (sets its opaque and response flag). Ownership of {@code response}
     * passes to this method in every case. Returns false (and releases it) for oneway requests and when the
     * channel is already closed.
     *
     * @throws IllegalStateException if a response was already sent for this request
     */
    public boolean respond(RemotingCommand response) {
        Verify.argument(response != null, "response must not be null");
        if (!responded.compareAndSet(false, true)) {
            response.release();
            throw new IllegalStateException("request " + opaque + " (code " + requestCode + ") answered twice");
        }
        if (oneway || !channel.isActive()) {
            response.release();
            return false;
        }
        response.markResponseTo(opaque);
        response.serializeType(serializeType);
        if (observer != null) { // before the write: the response is released once written
            observe(response.code());
        }
        channel.writeAndFlush(response).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warn("response to request {} (code {}) on {} not sent", opaque, requestCode, channel, f.cause());
            }
        });
        return true;
    }
}
