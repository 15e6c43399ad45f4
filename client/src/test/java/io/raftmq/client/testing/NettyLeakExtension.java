package io.raftmq.client.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Fails a test (after each test method, and again after the class) if Netty reported a buffer leak. Netty only
 * reports a leak when the leaked buffer was garbage-collected and a later allocation polls the leak queue, so the
 * check forces a few GC + allocate rounds first. Requires {@link LeakFailAppender} in logback-test.xml and leak
 * detection on (the root pom runs tests with {@code -Dio.netty.leakDetectionLevel=paranoid}).
 *
 * <p>Registered for every client test by JUnit auto-detection ({@code junit-platform.properties} +
 * {@code META-INF/services}); other modules use {@code @ExtendWith(NettyLeakExtension.class)} (client/README.md).
 */
public final class NettyLeakExtension implements AfterEachCallback, AfterAllCallback {
    private static final int PROBE_ROUNDS = 3;

    @Override
    public void afterEach(ExtensionContext context) {
        check(context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        check(context.getDisplayName());
    }

    /** Forces leak reporting and throws {@link AssertionError} listing any leak seen since the last check. */
    public static void check(String where) {
        LoggerFactory.getILoggerFactory(); // logback configures itself lazily; make sure the appender exists
        if (!LeakFailAppender.attached) {
            throw new AssertionError("LeakFailAppender is not attached in logback-test.xml: leaks would go unseen");
        }
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
        for (int i = 0; i < PROBE_ROUNDS; i++) {
            System.gc();
            LockSupport.parkNanos(5_000_000L);
            allocateAndRelease();
        }
        List<String> leaks = LeakFailAppender.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " buffer leak(s) during " + where + ":\n"
                    + String.join("\n----\n", leaks));
        }
    }

    private static void allocateAndRelease() {
        for (int i = 0; i < 64; i++) {
            ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
            ByteBuf c = UnpooledByteBufAllocator.DEFAULT.directBuffer(16);
            a.release();
            b.release();
            c.release();
        }
    }
}
