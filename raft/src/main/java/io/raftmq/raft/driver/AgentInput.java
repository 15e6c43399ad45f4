package io.raftmq.raft.driver;

import io.raftmq.raft.message.RaftMessage;

import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The hand-offs into a {@link RaftAgent} from other threads: inbound messages (the transport's I/O threads),
 * proposals (clients) and control commands, each in its own queue. Producers offer from any thread and then wake the
 * agent; the agent thread drains each queue once per duty cycle, in bounded batches (one lock round trip per batch).
 * The inbox and the proposal queue are bounded: a full inbox drops the message (counted; the transport may lose any
 * message anyway), a full proposal queue refuses the proposal.
 */
final class AgentInput {
    private final ArrayBlockingQueue<RaftMessage> inbox;
    private final ArrayBlockingQueue<Proposal> proposals;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicLong inboxDropped = new AtomicLong();
    private final int inboxPerCycleMax;
    private final int proposalsPerCycleMax;
    /** Reused drain buffers (agent thread). */
    private final ArrayList<RaftMessage> inboxBatch = new ArrayList<>();
    private final ArrayList<Proposal> proposalBatch = new ArrayList<>();

    AgentInput(RaftAgentConfig config) {
        this.inbox = new ArrayBlockingQueue<>(config.inboxMax());
        this.proposals = new ArrayBlockingQueue<>(config.proposalQueueMax());
        this.inboxPerCycleMax = config.inboxPerCycleMax();
        this.proposalsPerCycleMax = config.proposalsPerCycleMax();
    }

    /** Queues an inbound message; false (counted) when the inbox is full. Any thread. */
    boolean offerMessage(RaftMessage m) {
        if (!inbox.offer(m)) {
            inboxDropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Queues a proposal; false when the queue is full. Any thread. */
    boolean offerProposal(Proposal p) {
        return proposals.offer(p);
    }

    /** Queues a command for the agent thread. Any thread. */
    void addCommand(Runnable c) {
        commands.add(c);
    }

    /** Agent thread: runs every queued command; returns how many ran. */
    int runCommands() {
        int n = 0;
        for (Runnable c = commands.poll(); c != null; c = commands.poll()) {
            c.run();
            n++;
        }
        return n;
    }

    /** Agent thread: hands up to {@code inboxPerCycleMax} queued messages to {@code step}; returns how many. */
    int drainInbox(Consumer<RaftMessage> step) {
        int n = inbox.drainTo(inboxBatch, inboxPerCycleMax);
        for (int i = 0; i < n; i++) {
            step.accept(inboxBatch.get(i));
        }
        inboxBatch.clear();
        return n;
    }

    /** Agent thread: hands up to {@code proposalsPerCycleMax} queued proposals to {@code take}; returns how many. */
    int drainProposals(Consumer<Proposal> take) {
        int n = proposals.drainTo(proposalBatch, proposalsPerCycleMax);
        for (int i = 0; i < n; i++) {
            take.accept(proposalBatch.get(i));
        }
        proposalBatch.clear();
        return n;
    }

    /** The next queued proposal, or null (for failing what is left at a stop). Any thread. */
    Proposal pollProposal() {
        return proposals.poll();
    }

    /** Whether any message, proposal or command waits. Any thread. */
    boolean waiting() {
        return !inbox.isEmpty() || !proposals.isEmpty() || !commands.isEmpty();
    }

    /** Inbound messages dropped because the inbox was full. Any thread. */
    long inboxDropped() {
        return inboxDropped.get();
    }
}
