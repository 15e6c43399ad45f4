package io.raftmq.broker.processor.send;

import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Relays a send that reached a follower to the group's leader and the leader's answer back to the producer (the
 * response gets the producer's opaque when it is sent, {@link RequestContext#respond}). The copy carries the
 * original header fields and body (a retained reference, not a copy), plus {@link #FORWARDED_FIELD} with the number
 * of hops so far, and {@link #BORN_HOST_FIELD} so the stored BORNHOST stays the producer's address (set by the first
 * hop only).
 *
 * <p>Hops: a send may be forwarded at most {@link #HOPS_MAX} times. Two, not one, because while leadership moves a
 * follower may forward to the old leader, which holds the send until it learns the new leader and forwards it once
 * more ({@link SendHold}); a node that is not the leader and gets a send that already made {@link #HOPS_MAX} hops
 * answers 14, so views that disagree never make a loop.
 *
 * <p>Age: a send whose producer stamped it (its born timestamp) more than {@code maxAgeMs} ago is not forwarded but
 * answered 14. Such a send sat somewhere — typically unread in the socket of a member that was stopped while it
 * led — for longer than the producer waits for an answer, so the producer has already been told it failed and may
 * have sent the same data again; storing it now would land it after later sends of its key (docs/chaos.md,
 * "Findings so far"). A producer whose clock runs more than {@code maxAgeMs} behind the broker's only loses
 * forwarding: it gets 14 and asks the route for the leader. Without a leader address (no {@code brokerPeers}
 * configured, or none known): 14 with a remark; the client retries (docs/protocol.md §5.9). Threads: any; answers
 * on the client's event loop.
 */
public final class LeaderForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderForwarder.class);
    /** extField marking a forwarded request: the hops it made ("true", as older members write it, is one). */
    public static final String FORWARDED_FIELD = "raftmqForwarded";
    /** Most times one send is forwarded. */
    public static final int HOPS_MAX = 2;
    /** extField with the producer's {@code ip:port} on a forwarded request. */
    public static final String BORN_HOST_FIELD = "raftmqBornHost";

    private final Transport client;
    private final long timeoutMs;
    private final long maxAgeMs;
    private final LongSupplier wallMillis;
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder stale = new LongAdder();

    /**
     * Counters since start (racy reads).
     *
     * @param forwarded requests relayed to the leader
     * @param failed    relayed requests that got no answer from the leader (answered 14 here)
     * @param stale     sends not relayed because they were older than the forwarding age limit (answered 14)
     */
    public record Stats(long forwarded, long failed, long stale) {
    }

    /**
     * Port: how a forwarded request reaches the leader and its answer comes back. Production passes the broker's
     * {@link RemotingClient}; the whole-broker simulation passes its simulated network between members
     * (docs/simulation.md, "The ports added to main code"). Takes ownership of the request; the answer belongs to
     * the caller.
     */
    @FunctionalInterface
    public interface Transport {
        CompletableFuture<RemotingCommand> invokeAsync(String addr, RemotingCommand request, long timeoutMs);
    }

    /**
     * @param timeoutMs  how long the leader may take to answer (its commit timeout plus a margin)
     * @param maxAgeMs   oldest born timestamp, relative to {@code wallMillis}, that is still forwarded
     * @param wallMillis the broker's wall clock
     */
    public LeaderForwarder(RemotingClient client, long timeoutMs, long maxAgeMs, LongSupplier wallMillis) {
        this(client == null ? null : (Transport) client::invokeAsync, timeoutMs, maxAgeMs, wallMillis);
    }

    private LeaderForwarder(Transport client, long timeoutMs, long maxAgeMs, LongSupplier wallMillis) {
        this.client = client;
        this.timeoutMs = timeoutMs;
        this.maxAgeMs = maxAgeMs;
        this.wallMillis = wallMillis;
    }

    /** As the constructor, forwarding through {@code transport} instead of a {@link RemotingClient}. */
    public static LeaderForwarder over(Transport transport, long timeoutMs, long maxAgeMs, LongSupplier wallMillis) {
        return new LeaderForwarder(transport, timeoutMs, maxAgeMs, wallMillis);
    }

    /**
     * Forwards {@code request} to {@code leaderAddr} and answers {@code ctx} with the leader's response later;
     * returns an immediate 14 response when that is impossible, else null ("answered later").
     */
    public RemotingCommand forward(RequestContext ctx, RemotingCommand request, String leaderAddr) {
        ExtFields in = request.extFieldsOrEmpty();
        if (leaderAddr == null) {
            return Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE,
                "[NOT_LEADER]this broker is a follower and no leader of its group is known");
        }
        int hops = hops(in.get(FORWARDED_FIELD));
        if (hops >= HOPS_MAX) {
            return Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER]a send forwarded " + hops
                + " times reached a node that is not the leader; leader is " + leaderAddr);
        }
        long ageMs = ageMs(request.code(), in);
        if (ageMs > maxAgeMs) {
            stale.increment();
            return Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER]a send born " + ageMs
                + " ms ago (more than " + maxAgeMs + " ms) is not forwarded to the leader " + leaderAddr);
        }
        RemotingCommand copy = RemotingCommand.createRequest(request.code());
        ExtFields out = new ExtFields();
        for (int i = 0; i < in.size(); i++) {
            out.put(in.keyAt(i), in.valueAt(i));
        }
        out.put(FORWARDED_FIELD, hops + 1);
        if (in.get(BORN_HOST_FIELD) == null && ctx.remoteAddress() instanceof InetSocketAddress a
            && a.getAddress() != null) {
            out.put(BORN_HOST_FIELD, a.getAddress().getHostAddress() + ":" + a.getPort());
        }
        copy.extFields(out).version(request.version()).language(request.language());
        if (request.body() != null) {
            copy.setBody(request.body().retain());
        }
        forwarded.increment();
        client.invokeAsync(leaderAddr, copy, timeoutMs).whenComplete((response, e) -> {
            if (e != null) {
                failed.increment();
                LOG.debug("forwarding code {} to leader {} failed: {}", request.code(), leaderAddr, e.toString());
                ctx.respond(Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE,
                    "[NOT_LEADER]forwarding to the leader " + leaderAddr + " failed: " + e.getMessage()));
            } else {
                ctx.respond(response);
            }
        });
        return null;
    }

    /** Milliseconds since the send's born timestamp (v2 field "g", else "bornTimestamp"); 0 when absent or bad. */
    long ageMs(int code, ExtFields in) {
        String born = in.get(SendMessageRequestHeader.isV2(code) ? "g" : "bornTimestamp");
        if (born == null) {
            return 0;
        }
        try {
            return wallMillis.getAsLong() - Long.parseLong(born);
        } catch (NumberFormatException e) {
            return 0; // the leader's own decoding answers a malformed header
        }
    }

    /** The hops recorded in {@link #FORWARDED_FIELD} (absent: 0; "true" or unreadable: 1). */
    static int hops(String field) {
        if (field == null) {
            return 0;
        }
        try {
            return Math.max(1, Integer.parseInt(field));
        } catch (NumberFormatException e) {
            return 1; // "true": one hop, as members before the hop count wrote it
        }
    }

    /** Requests forwarded and forwards that failed, since start. */
    public Stats stats() {
        return new Stats(forwarded.sum(), failed.sum(), stale.sum());
    }
}
