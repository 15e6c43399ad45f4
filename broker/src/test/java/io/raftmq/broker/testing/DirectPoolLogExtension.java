package io.raftmq.broker.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import io.raftmq.testsupport.Awaits;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Logs, after each test class, what the JVM's direct-memory pool holds: the "direct" {@link BufferPoolMXBean}
 * (count and bytes; what {@code -XX:MaxDirectMemorySize} caps), its peak during the class (sampled every 20 ms),
 * Netty's own counters and the live thread count, once as the class left them and once after GCs (repeated until
 * the pool stops shrinking). A rising after-GC floor across classes is a leak; a high peak with a flat floor is a
 * legitimate peak (docs/architecture.md "Direct memory in the socket-test JVM").
 *
 * <p>Off by default (CI output unchanged): {@code -Dtest.directPoolLog=true} turns it on, e.g.
 * {@code mvn -o -pl broker test-compile failsafe:integration-test -Dtest.directPoolLog=true}; the lines go to each
 * class's {@code target/failsafe-reports/*-output.txt}, prefixed {@code direct-pool}. Registered for every broker
 * test by JUnit auto-detection ({@code META-INF/services}), after {@code NettyLeakExtension} so that its after-class
 * GC runs after this extension's first reading.
 */
public final class DirectPoolLogExtension implements BeforeAllCallback, AfterAllCallback {
    /** The system property that turns the log on. */
    public static final String PROPERTY = "test.directPoolLog";
    private static final Logger LOG = LoggerFactory.getLogger(DirectPoolLogExtension.class);
    private static final long MB = 1024 * 1024;
    private static final Set<String> JVM_THREADS = Set.of("main", "Reference Handler", "Finalizer",
        "Signal Dispatcher", "Common-Cleaner", "Notification Thread", "direct-pool-sampler", "Attach Listener");
    private static final AtomicLong PEAK = new AtomicLong();
    private static volatile ScheduledExecutorService sampler;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!enabled() || context.getParent().flatMap(ExtensionContext::getParent).isPresent()) {
            return; // off, or a @Nested class: its outer class reports
        }
        startSampler();
        PEAK.set(directPool().getMemoryUsed());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!enabled() || context.getParent().flatMap(ExtensionContext::getParent).isPresent()) {
            return;
        }
        long peak = Math.max(PEAK.get(), directPool().getMemoryUsed());
        String before = reading();
        settleAfterGc();
        String after = reading();
        LOG.info("direct-pool {} peak={}MiB | left: {} | after gc: {} | threads left: {}", context.getDisplayName(),
            mb(peak), before, after, threadNames());
    }

    /** Live threads by name with digits folded ("pool-#-thread-#"), those the runner always has left out. */
    static Map<String, Long> threadNames() {
        return Thread.getAllStackTraces().keySet().stream()
            .map(t -> t.getName().replaceAll("[0-9]+", "#"))
            .filter(n -> !JVM_THREADS.contains(n))
            .collect(Collectors.groupingBy(n -> n, TreeMap::new, Collectors.counting()));
    }

    /**
     * Runs GCs until the direct pool stops shrinking (at most 2 s): the JDK frees a collected buffer's memory a little
     * after the GC (its cleaner runs on the reference handler thread), so one reading right after one GC can still
     * count buffers already garbage.
     */
    private static void settleAfterGc() {
        long[] last = {Long.MAX_VALUE};
        try {
            Awaits.await("direct pool settled after a GC").atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    System.gc();
                    long used = directPool().getMemoryUsed();
                    boolean settled = used >= last[0];
                    last[0] = used;
                    return settled;
                });
        } catch (ConditionTimeoutException e) {
            LOG.info("direct-pool still shrinking after 2 s of GCs");
        }
    }

    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    private static synchronized void startSampler() {
        if (sampler != null) {
            return;
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "direct-pool-sampler");
            t.setDaemon(true);
            return t;
        });
        s.scheduleAtFixedRate(() -> PEAK.accumulateAndGet(directPool().getMemoryUsed(), Math::max), 0, 20,
            TimeUnit.MILLISECONDS);
        sampler = s;
    }

    /** One reading: the JDK's direct pool, Netty's counters, live threads. */
    static String reading() {
        BufferPoolMXBean direct = directPool();
        return "direct count=" + direct.getCount() + " used=" + mb(direct.getMemoryUsed()) + "MiB"
            + " nettyCounter=" + mb(PlatformDependent.usedDirectMemory()) + "MiB"
            + " defaultAlloc=" + mb(allocatorDirect(ByteBufAllocator.DEFAULT)) + "MiB"
            + " pooledAlloc=" + mb(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()) + "MiB"
            + " threads=" + ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long allocatorDirect(ByteBufAllocator alloc) {
        return alloc instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : -1;
    }

    static BufferPoolMXBean directPool() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(b.getName())) {
                return b;
            }
        }
        throw new IllegalStateException("no direct BufferPoolMXBean");
    }

    private static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.1f", bytes / (double) MB);
    }
}
