package io.raftmq.raft.driver;

import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.RaftMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A debug trace of where an entry's time goes on its way through the group (docs/raft-driver.md, "Tracing the send
 * path"): for every {@value #SAMPLE_EVERY}th log index, one line per step as it passes this node, with the
 * monotonic clock ({@link System#nanoTime()}, the same clock in every process of one machine), so that the members'
 * logs merged give the path of one entry from proposal to apply. Off unless the logger
 * {@code io.raftmq.raft.driver.PathTrace} is at DEBUG when the agent is built; off, each hook is one test of a final
 * field. A line: {@code path n=NODE ev=STEP i=INDEX t=NANOS}, steps:
 * <ul>
 *   <li>{@code propose} a proposal was made (its caller's thread; logged at {@code take}), {@code take} the agent
 *       assigned it its index;</li>
 *   <li>{@code send>P} an AppendEntries carrying the entry was handed to the transport for node P;
 *       {@code recv} the transport delivered one to this node's inbox (I/O thread);</li>
 *   <li>{@code write} the entry is in the log (page cache); {@code fsync} the log syncer's sync covering it returned
 *       (syncer thread); {@code durable} the agent handed that report to the core;</li>
 *   <li>{@code ack>P} an acknowledgement covering it left for P; {@code ack<P} one from P arrived (I/O thread);</li>
 *   <li>{@code commit} the commit index reached it; {@code apply} it was applied (its proposal answered).</li>
 * </ul>
 * Each step is logged once per entry per peer: a range of indexes (an append, an ack, a commit) logs the sampled
 * indexes it covers that an earlier one did not.
 */
final class PathTrace {
    /** Every how many indexes one is traced. */
    static final int SAMPLE_EVERY = 8;
    private static final Logger LOG = LoggerFactory.getLogger(PathTrace.class);

    private final long nodeId;
    private final boolean on;
    /** Highest index already traced per step and peer (acks and fsyncs cover ranges). */
    private final ConcurrentHashMap<String, Long> highest = new ConcurrentHashMap<>();

    PathTrace(long nodeId) {
        this.nodeId = nodeId;
        this.on = LOG.isDebugEnabled();
    }

    boolean on() {
        return on;
    }

    /** A proposal made at {@code createdNs} got {@code index} at {@code nowNs}. */
    void taken(long index, long createdNs, long nowNs) {
        if (on && index % SAMPLE_EVERY == 0) {
            line("propose", index, createdNs);
            line("take", index, nowNs);
        }
    }

    /** Entries {@code entries} passed step {@code ev} now. */
    void entries(String ev, List<Entry> entries) {
        if (on && !entries.isEmpty()) {
            range(ev, entries.get(0).index() - 1, entries.get(entries.size() - 1).index(), System.nanoTime());
        }
    }

    /** Step {@code ev} reached index {@code index} now (covers every index up to it not traced yet). */
    void upTo(String ev, long index) {
        if (!on) {
            return;
        }
        long prev = highest.getOrDefault(ev, index - 1);
        if (index > prev) {
            highest.put(ev, index);
            range(ev, prev, index, System.nanoTime());
        }
    }

    /** A message left (after the transport's flush): appends and acknowledgements. */
    void sent(RaftMessage m) {
        if (!on) {
            return;
        }
        if (m instanceof AppendEntries a) {
            entries("send>" + a.to(), a.entries());
        } else if (m instanceof AppendEntriesResponse r && !r.reject()) {
            upTo("ack>" + r.to(), r.index());
        }
    }

    /** A message arrived (I/O thread). */
    void received(RaftMessage m) {
        if (!on) {
            return;
        }
        if (m instanceof AppendEntries a) {
            entries("recv", a.entries());
        } else if (m instanceof AppendEntriesResponse r && !r.reject()) {
            synchronized (this) { // several I/O threads
                upTo("ack<" + r.from(), r.index());
            }
        }
    }

    private void range(String ev, long afterIndex, long toIndex, long t) {
        long first = (afterIndex / SAMPLE_EVERY + 1) * SAMPLE_EVERY;
        for (long i = first; i <= toIndex; i += SAMPLE_EVERY) {
            line(ev, i, t);
        }
    }

    private void line(String ev, long index, long t) {
        LOG.debug("path n={} ev={} i={} t={}", nodeId, ev, index, t);
    }
}
