package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.commitlog.io.FaultyMemoryStorage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The disk faults of {@link BrokerSimulation} (docs/simulation.md "Faults and workload"): now and then one member's
 * disk runs full ({@link FaultyMemoryStorage#setFull}) or fails (a device error on every file, or on one kind of
 * file only: commit-log segments, the log's index, its recovery checkpoint, ConsumeQueues, the key index, the
 * dispatch checkpoint) or turns slow (every fsync reports its durability 20-300 ms late; the sim runs on one
 * thread, so nothing blocks: the durable callback comes later) for a while, then recovers. A member whose store or
 * raft node throws meanwhile fails as the real broker does (the raft agent stops on the exception,
 * {@code BrokerMain} exits): its process dies without a power loss (the page cache keeps its writes) and a
 * supervisor restarts it once the fault is cleared, from its disk. A failure is tolerated only on a member that
 * met a disk fault since its last start; anywhere else it fails the run. One fault at a time. Draws from a stream
 * of its own, so seeds without disk faults keep their history. Single thread.
 */
final class SimDiskFaults {
    private static final Logger LOG = LoggerFactory.getLogger(SimDiskFaults.class);
    /** A slow disk's extra fsync latency: a force started meanwhile reports its durability this much later. */
    static final int SLOW_SYNC_MS_MIN = 20;
    static final int SLOW_SYNC_MS_MAX = 300;
    /** What goes wrong with the disk. */
    enum Fault {
        FULL("disk full"), DEVICE("device error, every file"), COMMIT_LOG("device error, commit-log segments"),
        LOG_INDEX("device error, commit-log index"), LOG_CHECKPOINT("device error, recovery checkpoint"),
        CONSUME_QUEUE("device error, consume queues"), KEY_INDEX("device error, key index"),
        DISPATCH_CHECKPOINT("device error, dispatch checkpoint"), SLOW_FSYNC("slow fsync");

        final String label;

        Fault(String label) {
            this.label = label;
        }

        /** The files a device error of this kind hits, under a member's store root. */
        Predicate<Path> files(Path root) {
            Path log = root.resolve("store/commitlog");
            Path derived = root.resolve("store/derived");
            return switch (this) {
                case FULL, DEVICE, SLOW_FSYNC -> p -> false;
                case COMMIT_LOG -> p -> p.startsWith(log.resolve("log"));
                case LOG_INDEX -> p -> p.startsWith(log.resolve("index"));
                case LOG_CHECKPOINT -> p -> p.equals(log.resolve("checkpoint"));
                case CONSUME_QUEUE -> p -> p.startsWith(derived.resolve("consumequeue"));
                case KEY_INDEX -> p -> p.startsWith(derived.resolve("index"));
                case DISPATCH_CHECKPOINT -> p -> p.startsWith(derived.resolve("dispatch.checkpoint"));
            };
        }
    }

    /**
     * Which file a bit flip at rest hits. ConsumeQueue units and key-index entries carry no checksum, so the store
     * cannot detect a flip there (docs/simulation.md "Faults and workload"): they are flipped only with
     * {@code -Dbsim.damageDerived=true}, to study that gap.
     */
    enum Damage {
        LOG_RECORD("commitlog/log/"), LOG_INDEX("commitlog/index/"), LOG_CHECKPOINT("commitlog/checkpoint"),
        DISPATCH_CHECKPOINT("derived/dispatch.checkpoint"), CONSUME_QUEUE("derived/consumequeue/"),
        KEY_INDEX("derived/index/");

        final String under;

        Damage(String under) {
            this.under = under;
        }
    }

    private static final Damage[] DAMAGED_KINDS = Boolean.getBoolean("bsim.damageDerived") ? Damage.values()
        : new Damage[] {Damage.LOG_RECORD, Damage.LOG_INDEX, Damage.LOG_CHECKPOINT, Damage.DISPATCH_CHECKPOINT};

    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final SimClock clock;
    private final boolean enabled;
    /** The member whose disk is faulty now (0: none) and how. */
    private int faulted;
    private Fault fault;
    private int faults;
    private int failures;

    /** Bit flips at rest on crashed members (a stream of their own). */
    private final SplittableRandom damageRandom;
    private final boolean damaging;
    /** The member damaged last, until it runs again and is not repairing (0: none). */
    private int damaged;
    private int damages;
    private int damageLosses;
    private int refusals;
    private String lastDamage;
    private Damage lastKind;

    SimDiskFaults(BrokerSimulation sim, SplittableRandom random, SimClock clock, SplittableRandom damageRandom) {
        this.sim = sim;
        this.random = random;
        this.clock = clock;
        this.enabled = random.nextInt(3) != 0;
        this.damageRandom = damageRandom;
        this.damaging = damageRandom.nextInt(3) != 0;
    }

    int damages() {
        return damages;
    }

    int damageLosses() {
        return damageLosses;
    }

    int refusals() {
        return refusals;
    }

    /**
     * A member just crashed: half the time (in runs with damage) one seeded bit of one seeded file of its disk
     * flips, within the file's written bytes, unless a member damaged earlier has not yet come back whole (running,
     * not repairing) or another member is repairing: a majority always keeps its data.
     */
    void maybeDamage(SimMember m) {
        if (!damaging || sim.healed() || !mayDamageNow(m)) {
            return;
        }
        if (damageRandom.nextInt(2) != 0) {
            return;
        }
        Damage kind = DAMAGED_KINDS[damageRandom.nextInt(DAMAGED_KINDS.length)];
        String under = m.root().resolve("store") + "/" + kind.under;
        List<Path> files = new ArrayList<>();
        for (Path p : m.storage.paths()) {
            if (p.toString().startsWith(under)) {
                files.add(p);
            }
        }
        if (files.isEmpty()) {
            return;
        }
        Path file = files.get(damageRandom.nextInt(files.size()));
        byte[] bytes = m.storage.readAll(file);
        int extent = bytes.length;
        while (extent > 0 && bytes[extent - 1] == 0) {
            extent--;
        }
        if (extent == 0) {
            return;
        }
        long offset = damageRandom.nextInt(extent);
        int bit = damageRandom.nextInt(8);
        m.storage.flipBit(file, offset, bit);
        m.damagedAtRest = true;
        damaged = m.id;
        damages++;
        lastKind = kind;
        lastDamage = "n" + m.id + " " + kind + " " + file + " byte " + offset + " bit " + bit;
        LOG.warn("damage at rest: {}", lastDamage);
    }

    private boolean mayDamageNow(SimMember m) {
        if (damaged != 0 && damaged != m.id) {
            SimMember d = sim.member(damaged);
            if (!d.up || d.damagedAtRest || d.raft.repairing()) {
                return false;
            }
        }
        if (damaged == m.id && m.damagedAtRest) {
            return false; // not restarted since its damage
        }
        for (int i = 1; i <= sim.memberCount(); i++) {
            SimMember o = sim.member(i);
            if (o != m && (o.repairing || o.damagedAtRest)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A member started; if it was damaged, its recovery must have done what the store does with that file
     * (docs/storage.md "CommitLog recovery", "Recovery"): a flipped commit-log record is damage inside the log (or
     * a torn tail at its end): cut back, the loss recorded, the member repairing; a flipped log index unit, log
     * checkpoint or dispatch checkpoint fails its crc and is rebuilt (or ignored) with nothing lost.
     */
    void onStarted(SimMember m, boolean wasDamaged) {
        if (!wasDamaged) {
            return;
        }
        if (m.recoveryLoss != null) {
            damageLosses++;
            LOG.warn("member {} recovered past damage ({}): {}; repairing={}", m.id, lastDamage, m.recoveryLoss,
                m.raft.repairing());
            if (lastKind != Damage.LOG_RECORD) {
                throw new AssertionError("member " + m.id + ": recovery reported a log loss after damage to "
                    + lastDamage + ": " + m.recoveryLoss);
            }
            if (!m.raft.repairing()) {
                throw new AssertionError("member " + m.id + " lost log records (" + m.recoveryLoss
                    + ") but does not repair");
            }
        }
    }

    /**
     * A damaged member refused to start: the exception (or one of its causes) must name a file of that member, so
     * an operator knows what is damaged.
     */
    void onRefused(SimMember m, RuntimeException e) {
        refusals++;
        String root = m.root().toString();
        boolean named = false;
        for (Throwable t = e; t != null && !named; t = t.getCause()) {
            named = String.valueOf(t.getMessage()).contains(root);
        }
        if (!named) {
            throw new AssertionError("member " + m.id + " refused to start after damage (" + lastDamage
                + ") without naming a file", e);
        }
        LOG.warn("member {} refused to start after damage ({}): {}; wiped", m.id, lastDamage, e.toString());
    }

    void start() {
        if (enabled) {
            sim.schedule(200 + random.nextInt(800), Kind.DISK_FAULT, 0, null);
        }
    }

    int faults() {
        return faults;
    }

    int failures() {
        return failures;
    }

    /** A fault on one member's disk for 50-600 ms, unless one is on already. Before healing only. */
    void onFault() {
        if (sim.healed()) {
            return;
        }
        sim.schedule(clock.nowMs() + 300 + random.nextInt(900), Kind.DISK_FAULT, 0, null);
        if (faulted != 0) {
            return;
        }
        SimMember m = sim.member(1 + random.nextInt(sim.memberCount()));
        Fault f = Fault.values()[random.nextInt(Fault.values().length)];
        faulted = m.id;
        fault = f;
        faults++;
        m.diskFaulted = f != Fault.SLOW_FSYNC;
        switch (f) {
            case FULL -> m.storage.setFull(true);
            case DEVICE -> m.storage.setFailing(true);
            case SLOW_FSYNC -> m.slowSyncMs = SLOW_SYNC_MS_MIN + random.nextInt(SLOW_SYNC_MS_MAX - SLOW_SYNC_MS_MIN);
            default -> m.storage.setFailingPaths(f.files(m.root()));
        }
        sim.schedule(clock.nowMs() + 50 + random.nextInt(550), Kind.DISK_CLEAR, m.id, null);
    }

    /** The fault ends; a member that failed meanwhile (or is down) is restarted soon by its supervisor. */
    void onClear(SimMember m) {
        if (faulted != m.id) {
            return;
        }
        clear(m);
        if (!m.up) {
            sim.schedule(clock.nowMs() + 20 + random.nextInt(180), Kind.RESTART, m.id, null);
        }
    }

    /** At healing: the fault ends at once (healing restarts every member that is down). */
    void clearAll() {
        if (faulted != 0) {
            clear(sim.member(faulted));
        }
    }

    private void clear(SimMember m) {
        m.storage.setFull(false);
        m.storage.setFailing(false);
        m.storage.setFailingPaths(p -> false);
        m.slowSyncMs = 0;
        faulted = 0;
    }

    /** The fault on the member's disk is still on. */
    boolean active(SimMember m) {
        return faulted == m.id;
    }

    /** A member that met a disk fault since it last started may fail; a failure anywhere else is a bug. */
    boolean tolerates(SimMember m) {
        return m.diskFaulted;
    }

    /**
     * The member failed on {@code cause}: its process exits (no power loss). Its supervisor restarts it once the
     * fault is cleared, or soon if it is cleared already.
     */
    void onFailed(SimMember m, RuntimeException cause) {
        failures++;
        Fault f = fault != null ? fault : Fault.DEVICE;
        LOG.warn("member {} failed ({}{}): {}", m.id, f.label, active(m) ? "" : ", cleared", cause.toString());
        m.fail();
        if (!active(m)) {
            sim.schedule(clock.nowMs() + 20 + random.nextInt(180), Kind.RESTART, m.id, null);
        }
    }

    String describe() {
        StringBuilder sb = new StringBuilder("disk faults=" + faults + " failures=" + failures + " damages="
            + damages + (lastDamage != null ? " (last: " + lastDamage + ")" : ""));
        if (faulted != 0) {
            sb.append(" now n").append(faulted).append(": ").append(fault.label);
        }
        return sb.toString();
    }
}
