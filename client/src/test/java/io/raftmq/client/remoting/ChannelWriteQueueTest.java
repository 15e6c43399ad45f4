package io.raftmq.client.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalChannel;
import io.raftmq.client.protocol.RemotingCommand;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link ChannelWriteQueue} hands the requests other threads write to one channel to its event loop as one
 * drain task per batch, writes them in the order queued, flushes once per drain, bounds a drain's batch, reports
 * every write's outcome to its listener, and releases what it cannot write. Method: an EmbeddedChannel, whose event
 * loop runs submitted tasks only when the test says so (deterministic: the test sees exactly which tasks a write
 * submitted), with an outbound handler counting flushes; a LocalChannel on a stopped event loop for the refusal.
 */
class ChannelWriteQueueTest {

    /** Counts flushes reaching the head of the pipeline. */
    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int flushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    /** Records the outcome of one write. */
    private static final class Outcome extends ChannelWriteQueue.Write {
        Boolean success;
        Throwable cause;

        @Override
        public void operationComplete(ChannelFuture f) {
            success = f.isSuccess();
            cause = f.cause();
        }
    }

    private static RemotingCommand request(int opaque) {
        return RemotingCommand.createRequest(1000).opaque(opaque);
    }

    private static List<Integer> writtenOpaques(EmbeddedChannel ch) {
        List<Integer> out = new ArrayList<>();
        RemotingCommand c;
        while ((c = ch.readOutbound()) != null) {
            out.add(c.opaque());
            c.release();
        }
        return out;
    }

    @Test
    void writesOfManyRequestsCostOneDrainTaskAndOneFlush() {
        FlushCounter flushes = new FlushCounter();
        EmbeddedChannel ch = new EmbeddedChannel(flushes);
        ChannelWriteQueue q = ChannelWriteQueue.of(ch);
        assertThat(ChannelWriteQueue.of(ch)).as("one queue per channel").isSameAs(q);
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Outcome o = new Outcome();
            outcomes.add(o);
            q.write(request(i), o);
        }
        assertThat(q.queued()).as("nothing written before the event loop runs the drain").isEqualTo(5);
        assertThat(writtenOpaques(ch)).isEmpty();
        ch.runPendingTasks();
        assertThat(q.drains()).as("the first writer submitted the only drain").isEqualTo(1);
        assertThat(q.drained()).isEqualTo(5);
        assertThat(flushes.flushes).isEqualTo(1);
        assertThat(writtenOpaques(ch)).containsExactly(0, 1, 2, 3, 4);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.success).isTrue());
        q.write(request(5), new Outcome());
        ch.runPendingTasks();
        assertThat(q.drains()).as("a write after the drain ran submits a new one").isEqualTo(2);
        assertThat(writtenOpaques(ch)).containsExactly(5);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aDrainWritesABoundedBatchAndSubmitsTheNext() {
        FlushCounter flushes = new FlushCounter();
        EmbeddedChannel ch = new EmbeddedChannel(flushes);
        ChannelWriteQueue q = ChannelWriteQueue.of(ch);
        int n = ChannelWriteQueue.DRAIN_WRITES_MAX * 2 + 7;
        for (int i = 0; i < n; i++) {
            q.write(request(i), new Outcome());
        }
        ch.runPendingTasks();
        assertThat(q.drains()).isEqualTo(3);
        assertThat(flushes.flushes).isEqualTo(3);
        List<Integer> written = writtenOpaques(ch);
        assertThat(written).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(written.get(i)).as("queue order").isEqualTo(i);
        }
        assertThat(q.queued()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aWriteToAClosedChannelFailsItsListenerAndReleasesTheRequest() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.close();
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(16).writeLong(7);
        RemotingCommand r = request(1).setBody(body);
        Outcome o = new Outcome();
        ChannelWriteQueue.of(ch).write(r, o);
        ch.runPendingTasks();
        assertThat(o.success).isFalse();
        assertThat(o.cause).isNotNull();
        assertThat(body.refCnt()).as("released by the failed write").isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aStoppedEventLoopFailsTheWriteAndReleasesTheRequest() throws Exception {
        EventLoopGroup group = new DefaultEventLoopGroup(1);
        LocalChannel ch = new LocalChannel();
        group.register(ch).sync();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(16).writeLong(7);
        Outcome o = new Outcome();
        ChannelWriteQueue q = ChannelWriteQueue.of(ch);
        q.write(request(1).setBody(body), o);
        assertThat(o.success).as("failed on the writer's thread").isFalse();
        assertThat(o.cause).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        assertThat(body.refCnt()).isZero();
        assertThat(q.queued()).isZero();
        Outcome second = new Outcome();
        q.write(request(2), second);
        assertThat(second.success).as("the flag was given back: the next writer fails too, not hangs").isFalse();
    }
}
