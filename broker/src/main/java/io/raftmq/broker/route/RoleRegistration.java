package io.raftmq.broker.route;

import io.raftmq.commitlog.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The role-change registration of a member: re-registers with every NameServer at once when this member gains or
 * loses leadership (docs/protocol.md §5.9), and keeps retrying that registration (backoff
 * {@value #RETRY_MS_MIN} ms doubling to {@value #RETRY_MS_MAX} ms) until every NameServer accepted it. A leader
 * elected before a NameServer listens (members and NameServer start together) must not stay unrouted until the next
 * periodic registration of {@link NamingRegistrar}. The first registration after start is retried the same way.
 *
 * <p>States: idle → pending (role change or {@link #requestRegistration}) → in flight (one
 * {@code registerAll} call) → idle when every NameServer answered SUCCESS, else pending again at now + backoff.
 *
 * <p>When it runs: {@link #tick} on every role change the raft agent reports (and a slow safety-net poll), and,
 * given a {@link Timer}, at each retry time it sets itself; nothing runs while the role stays and nothing is
 * pending (no polling every tick).
 *
 * <p>Threads: {@link #tick}, {@link #requestRegistration} and the hand-back of each result run on one thread, the
 * {@code owner} executor's (the broker scheduler; the timer's tasks run there too); the state has no lock. Time is
 * read only from the {@link Clock}.
 */
public final class RoleRegistration {
    private static final Logger LOG = LoggerFactory.getLogger(RoleRegistration.class);
    /** First retry delay after a registration some NameServer did not accept. */
    public static final long RETRY_MS_MIN = 50;
    /** Longest retry delay. */
    public static final long RETRY_MS_MAX = 5000;
    private static final long NANOS_PER_MS = 1_000_000L;

    private final Supplier<CompletableFuture<Map<String, Boolean>>> registerAll;
    private final BooleanSupplier isLeader;
    private final Consumer<Boolean> onRoleChange;
    private final Executor owner;
    private final Timer timer;
    private final Clock clock;
    private boolean wasLeader;
    private boolean pending;
    private boolean inflight;
    private long retryAtNs;
    private long backoffMs;
    private long attempts;

    /** Runs a task on the owner thread after a delay (production: the broker's scheduler). */
    public interface Timer {
        /** A timer that never runs anything: the caller ticks often enough itself (tests). */
        Timer NONE = (task, delayMs) -> { };

        void schedule(Runnable task, long delayMs);
    }

    /** As below, ticked by the caller only (no timer of its own). */
    public RoleRegistration(Supplier<CompletableFuture<Map<String, Boolean>>> registerAll, BooleanSupplier isLeader,
                            Consumer<Boolean> onRoleChange, Executor owner, Clock clock) {
        this(registerAll, isLeader, onRoleChange, owner, Timer.NONE, clock);
    }

    /**
     * @param registerAll  one registration with every NameServer; completes with SUCCESS or not per NameServer
     * @param isLeader     whether this member leads its group now
     * @param onRoleChange told the new role (true = leader) on each change, before the registration starts
     * @param owner        the single thread that runs {@link #tick}; results are handed back to it
     * @param timer        runs {@link #tick} on the owner thread when a registration or retry falls due
     * @param clock        retry times
     */
    public RoleRegistration(Supplier<CompletableFuture<Map<String, Boolean>>> registerAll, BooleanSupplier isLeader,
                            Consumer<Boolean> onRoleChange, Executor owner, Timer timer, Clock clock) {
        this.registerAll = registerAll;
        this.isLeader = isLeader;
        this.onRoleChange = onRoleChange;
        this.owner = owner;
        this.timer = timer;
        this.clock = clock;
    }

    /** Asks for a registration {@value #RETRY_MS_MIN} ms from now, retried until accepted. Owner thread. */
    public void requestRegistration() {
        schedule(clock.nanoTime() + RETRY_MS_MIN * NANOS_PER_MS);
        wakeIn(RETRY_MS_MIN);
    }

    /**
     * Checks the role and starts a due registration. Owner thread: on each role change the agent reports, on the
     * timer, and on a safety-net poll; extra calls do nothing.
     */
    public void tick() {
        boolean leader = isLeader.getAsBoolean();
        long now = clock.nanoTime();
        if (leader != wasLeader) {
            wasLeader = leader;
            onRoleChange.accept(leader);
            schedule(now);
        }
        if (pending && !inflight && now - retryAtNs >= 0) {
            inflight = true;
            attempts++;
            registerAll.get().whenComplete((results, error) -> handBack(error == null
                && !results.containsValue(false)));
        }
    }

    private void schedule(long atNs) {
        pending = true;
        backoffMs = RETRY_MS_MIN;
        retryAtNs = atNs;
    }

    private void handBack(boolean allAccepted) {
        try {
            owner.execute(() -> done(allAccepted));
        } catch (RejectedExecutionException e) {
            LOG.debug("registration result after shutdown ignored");
        }
    }

    private void done(boolean allAccepted) {
        inflight = false;
        if (allAccepted) {
            pending = false;
            return;
        }
        retryAtNs = clock.nanoTime() + backoffMs * NANOS_PER_MS;
        wakeIn(backoffMs);
        backoffMs = Math.min(backoffMs * 2, RETRY_MS_MAX);
    }

    /** Has the timer tick in {@code delayMs} (a due registration then starts). */
    private void wakeIn(long delayMs) {
        try {
            timer.schedule(this::tick, delayMs);
        } catch (RejectedExecutionException e) {
            LOG.debug("registration timer after shutdown ignored");
        }
    }

    /** Whether a registration is still to be accepted by every NameServer. Owner thread (tests). */
    boolean pending() {
        return pending;
    }

    /** Registrations started so far. Owner thread (tests). */
    long attempts() {
        return attempts;
    }
}
