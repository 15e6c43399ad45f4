package io.raftmq.client.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: prove the leak guard works, so a green build means "no leak reported". Method: leak a buffer on purpose,
 * drop the reference, and check that {@link NettyLeakExtension#check} throws (then the report is drained so the
 * extension's own after-test check stays green).
 */
class LeakDetectionSelfTest {
    @Test
    void deliberateLeakIsReported() {
        leakOne();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 20; i++) {
                leakOneMoreIfNeeded(i);
                NettyLeakExtension.check("self-test");
            }
        }).isInstanceOf(AssertionError.class).hasMessageContaining("LEAK");
    }

    private static void leakOneMoreIfNeeded(int round) {
        if (round > 0) {
            leakOne();
        }
    }

    private static void leakOne() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        buf.writeLong(42);
    }
}
