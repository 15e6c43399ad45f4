package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.raft.core.Ready;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardState;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The Ready driver of {@link BrokerSimulation}: the raft agent's duty cycle for one {@link SimMember}, one Ready at
 * a time (early messages, hard state, entries written to the commit log, log sync reported a seeded delay later,
 * messages, apply, advance), the member's inbox while a Ready is in flight, and the lossy network between members
 * (drops, duplicates, delays, partitions). It draws from the simulation's one random stream, in the order the
 * events come, so a seed replays the same run (docs/simulation.md).
 */
final class SimDriver {
    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final BrokerSimulation.Faults faults;
    private final SimClock clock;
    private final BrokerChecker checker;
    private final boolean[][] cut;
    /** Ready writes that replaced a suffix of a member's log (Raft conflict resolution). */
    private int truncations;
    private int guardDepth;

    SimDriver(BrokerSimulation sim, SplittableRandom random, BrokerSimulation.Faults faults, SimClock clock,
              BrokerChecker checker, boolean[][] cut) {
        this.sim = sim;
        this.random = random;
        this.faults = faults;
        this.clock = clock;
        this.checker = checker;
        this.cut = cut;
    }

    int truncations() {
        return truncations;
    }

    void start(SimMember m) {
        SplittableRandom nodeRandom = random.split();
        boolean damaged = m.damagedAtRest;
        if (damaged) {
            startDamaged(m, nodeRandom);
        } else {
            guard(m, () -> m.open(nodeRandom));
        }
        if (!m.up) {
            return; // the start failed on a faulty disk; the supervisor tries again once it is cleared
        }
        m.endpoint = new SimEndpoint(sim, m, clock, sim.forwarding());
        if (m.recoveryLoss != null && !damaged) {
            throw new AssertionError("member " + m.id + ": recovery found damage inside the log after a crash that"
                + " only lost unforced writes: " + m.recoveryLoss);
        }
        sim.disk().onStarted(m, damaged);
        m.damagedAtRest = false;
        m.diskFaulted = sim.disk().active(m);
        checker.onRestart(m, damaged);
        pump(m);
    }

    /**
     * A member whose files were damaged at rest starts: it comes back (recovery repaired it, or cut the log back
     * and recorded the loss for repair) or refuses to start with an exception naming the damaged file; then an
     * operator wipes it and starts it empty, and it catches up. A start that fails on a disk fault still on is
     * that fault's failure (the damage stays for the next start).
     */
    private void startDamaged(SimMember m, SplittableRandom nodeRandom) {
        try {
            m.open(nodeRandom);
        } catch (RuntimeException e) {
            if (sim.disk().active(m) && m.diskFaulted) {
                sim.disk().onFailed(m, e);
                return;
            }
            sim.disk().onRefused(m, e);
            m.fail();
            m.wipe();
            m.open(nodeRandom);
        }
    }

    /**
     * Runs a member's work as its agent thread does: an exception (an I/O error of its store or raft log) stops
     * the member ({@link SimDiskFaults#onFailed}) when it met a disk fault since it started; anywhere else it ends
     * the run. Nested calls run inside the outermost one.
     */
    void guard(SimMember m, Runnable work) {
        if (guardDepth > 0) {
            work.run();
            return;
        }
        guardDepth++;
        try {
            work.run();
        } catch (RuntimeException e) {
            if (!sim.disk().tolerates(m)) {
                throw e;
            }
            checker.beforeFailure(m);
            sim.disk().onFailed(m, e);
        } finally {
            guardDepth--;
        }
    }

    void pump(SimMember m) {
        if (m.idle() && m.raft.hasReady()) {
            guard(m, () -> startReady(m));
        }
    }

    /**
     * Ready steps in the agent's order: early messages, hard state (saved before the write; its commit index never
     * past the durable log), entries written to the commit log (the log sync runs apart, {@link #startLogSync});
     * a new term or vote keeps the member busy for a seeded fsync delay before the messages and the apply.
     */
    private void startReady(SimMember m) {
        Ready r = m.raft.ready();
        m.pending = r;
        send(r.earlyMessages());
        if (r.snapshot() != null) {
            sim.snapshots().install(m, r.snapshot());
        }
        HardState saved = m.hardStateStore.load();
        boolean voteChanged = r.hardState() != null && (r.hardState().term() != saved.term()
            || r.hardState().votedFor() != saved.votedFor());
        if (r.hardState() != null) {
            HardState hs = r.hardState();
            m.hardStateStore.save(new HardState(hs.term(), hs.votedFor(), Math.min(hs.commitIndex(),
                Math.max(m.raft.durableIndex(), saved.commitIndex()))));
        }
        if (!r.entries().isEmpty()) {
            truncations += r.entries().get(0).index() <= m.log.lastIndex() ? 1 : 0;
            m.log.write(r.entries());
            Entry last = r.entries().get(r.entries().size() - 1);
            m.written(last.index(), last.term());
            startLogSync(m);
        }
        long delay = voteChanged ? 1 + random.nextInt(faults.fsyncMaxMs()) + m.slowSyncMs : 0;
        sim.schedule(clock.nowMs() + delay, Kind.FSYNC_DONE, m.id, r, m.incarnation);
    }

    /**
     * Forces the commit log now (a crash after this keeps the writes so far) and reports it a seeded delay later:
     * writes made meanwhile are not covered, as with a real fsync that started before them.
     */
    private void startLogSync(SimMember m) {
        if (m.syncInFlight || m.writeGeneration <= m.syncedGeneration) {
            return;
        }
        m.log.sync();
        m.syncInFlight = true;
        long[] mark = {m.writeGeneration, m.writeIndex, m.writeTerm};
        sim.schedule(clock.nowMs() + 1 + random.nextInt(faults.fsyncMaxMs()) + m.slowSyncMs, Kind.LOG_SYNCED,
            m.id, mark, m.incarnation);
    }

    void logSynced(SimMember m, BrokerSimulation.Event ev) {
        if (ev.incarnation() != m.incarnation || !m.up) {
            return;
        }
        if (m.paused()) { // the whole process stalls, its syncer thread too
            sim.schedule(m.pausedUntil, Kind.LOG_SYNCED, m.id, ev.payload(), ev.incarnation());
            return;
        }
        long[] mark = (long[]) ev.payload();
        m.syncInFlight = false;
        m.synced(mark[0], mark[1], mark[2]);
        guard(m, () -> {
            startLogSync(m);
            drain(m);
        });
    }

    private void reportDurable(SimMember m) {
        if (m.syncedGeneration > m.reportedGeneration) {
            m.reportedGeneration = m.syncedGeneration;
            m.raft.persisted(m.syncedIndex, m.syncedTerm);
        }
    }

    /** The rest of the Ready: messages, then apply (the state machine, then the proposals it answers), advance. */
    void fsyncDone(SimMember m, BrokerSimulation.Event ev) {
        if (ev.incarnation() != m.incarnation || !m.up || m.pending != ev.payload()) {
            return;
        }
        if (m.paused()) {
            sim.schedule(m.pausedUntil, Kind.FSYNC_DONE, m.id, ev.payload(), ev.incarnation());
            return;
        }
        Ready r = m.pending;
        send(r.messages());
        guard(m, () -> {
            for (Entry e : r.committedEntries()) {
                m.stateMachine.apply(e);
                m.proposals.applied(e, m.raft.leaderId());
            }
            m.raft.advance(r);
            m.afterReady();
            m.pending = null;
            drain(m);
        });
    }

    /** While idle: the newest sync report, queued messages and ticks, queued proposals; then the next Ready. */
    void drain(SimMember m) {
        if (!m.idle()) {
            return;
        }
        guard(m, () -> drainIdle(m));
    }

    private void drainIdle(SimMember m) {
        reportDurable(m);
        while (!m.inbox.isEmpty() || m.pendingTicks > 0) {
            if (!m.inbox.isEmpty()) {
                m.raft.step(m.inbox.poll());
            } else {
                m.pendingTicks--;
                m.raft.tick();
            }
        }
        m.proposals.takeAll(m.raft);
        pump(m);
    }

    private void send(List<RaftMessage> messages) {
        for (RaftMessage msg : messages) {
            boolean lossy = !sim.healed();
            if (cut[(int) msg.from()][(int) msg.to()] || lossy && random.nextDouble() < faults.dropRate()) {
                continue;
            }
            int to = (int) msg.to();
            sim.schedule(clock.nowMs() + 1 + random.nextInt(faults.delayMaxMs()), Kind.DELIVER, to, msg);
            if (lossy && random.nextDouble() < faults.duplicateRate()) {
                sim.schedule(clock.nowMs() + 1 + random.nextInt(faults.delayMaxMs() * 2), Kind.DELIVER, to, msg);
            }
        }
    }

    void onDeliver(SimMember m, RaftMessage msg) {
        if (!m.up) {
            return;
        }
        if (!m.idle()) {
            if (m.inbox.size() < SimMember.INBOX_MAX) {
                m.inbox.add(msg);
            }
            return;
        }
        guard(m, () -> {
            m.raft.step(msg);
            drain(m);
        });
    }
}
