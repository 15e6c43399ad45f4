package io.raftmq.raft.driver;

import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.testsupport.Awaits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: who runs a log sync (docs/raft-driver.md, "Idle and hand-offs"): the agent syncs its own writes when idle
 * ({@link LogSyncer#syncIfFree}) and the syncer thread is not involved; while the syncer thread syncs, the agent does
 * not wait for it; while the agent syncs, the syncer thread handed the same write parks on the lock (no polling) and
 * then finds the write covered, so one sync serves both; every report covers only writes made before its sync
 * started. Method: a log whose sync() records its thread and can be held on a latch; the syncer's thread is real,
 * waits are bounded.
 */
class LogSyncerTest {
    private final List<String> syncThreads = new CopyOnWriteArrayList<>();
    private final AtomicInteger wakes = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private final CountDownLatch inSync = new CountDownLatch(1);
    /** The syncer thread's idle sleep is an hour: it acts only when woken, never on its own timer, in these tests. */
    private final LogSyncer syncer = new LogSyncer(recordingLog(), NanoClock.SYSTEM, wakes::incrementAndGet,
        new PathTrace(1), TimeUnit.HOURS.toNanos(1));

    @AfterEach
    void stop() {
        hold.countDown();
        syncer.stop();
    }

    private void awaitSyncerAsleep() {
        Awaits.await("the syncer thread sleeps").atMost(Duration.ofSeconds(10)).until(syncer::syncerAsleep);
    }

    /** A memory log whose sync() records the calling thread's name and waits for {@link #hold}. */
    private RaftLog recordingLog() {
        MemoryRaftLog log = new MemoryRaftLog();
        return (RaftLog) Proxy.newProxyInstance(RaftLog.class.getClassLoader(), new Class<?>[] {RaftLog.class},
            (proxy, method, args) -> {
                if (method.getName().equals("sync")) {
                    syncThreads.add(Thread.currentThread().getName());
                    inSync.countDown();
                    assertThat(hold.await(30, TimeUnit.SECONDS)).as("sync held too long").isTrue();
                }
                try {
                    return method.invoke(log, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    @Test
    void anIdleAgentSyncsItsOwnWriteAndTheSyncerThreadStaysAsleep() {
        syncer.start(1);
        awaitSyncerAsleep();
        syncer.written(5, 1);
        assertThat(syncer.syncIfFree()).isEqualTo(1);
        assertThat(syncThreads).containsExactly(Thread.currentThread().getName());
        LogSyncer.Mark m = syncer.takeReport();
        assertThat(m.index()).isEqualTo(5);
        assertThat(wakes).as("no wake-up: the agent takes its own report").hasValue(0);
        assertThat(syncer.syncIfFree()).as("nothing left to sync").isZero();
    }

    @Test
    void whileTheSyncerThreadSyncsTheAgentDoesNotWaitAndTheNextWriteGetsTheNextSync() throws Exception {
        hold = new CountDownLatch(1);
        syncer.start(1);
        syncer.written(5, 1);
        syncer.handOff();
        assertThat(inSync.await(30, TimeUnit.SECONDS)).isTrue();
        syncer.written(6, 1); // during the sync: not covered by it
        assertThat(syncer.syncIfFree()).as("the syncer thread holds the sync: the agent goes on").isZero();
        hold.countDown();
        Awaits.await("both writes synced").atMost(Duration.ofSeconds(20))
            .until(() -> syncer.syncs() == 2 && !syncer.behind());
        assertThat(syncer.takeReport().index()).isEqualTo(6);
        assertThat(syncThreads).hasSize(2).allMatch(n -> n.equals("raft-sync-1"));
        assertThat(wakes.get()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void whileTheAgentSyncsTheSyncerThreadParksAndFindsTheWriteCovered() throws Exception {
        hold = new CountDownLatch(1);
        syncer.written(5, 1);
        Thread agent = new Thread(() -> syncer.syncIfFree(), "agent");
        agent.start();
        assertThat(inSync.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(syncThreads).containsExactly("agent");
        syncer.start(1); // started only now, so that the agent surely holds the sync
        syncer.handOff(); // the syncer thread is asked to sync the same write while the agent syncs it
        Thread syncThread = threadNamed("raft-sync-1");
        Awaits.await("the syncer thread waits for the lock").atMost(Duration.ofSeconds(20))
            .until(() -> syncThread.getState() == Thread.State.WAITING && syncer.behind());
        hold.countDown();
        agent.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(agent.isAlive()).isFalse();
        Awaits.await("the syncer thread asleep again").atMost(Duration.ofSeconds(20))
            .until(() -> syncThread.getState() == Thread.State.TIMED_WAITING);
        assertThat(syncThreads).as("one sync served both").containsExactly("agent");
        assertThat(syncer.takeReport().index()).isEqualTo(5);
    }

    private static Thread threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
            .orElseThrow();
    }
}
