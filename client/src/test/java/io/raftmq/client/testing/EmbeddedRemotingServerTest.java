package io.raftmq.client.testing;

import io.netty.channel.Channel;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.remoting.ChannelEventListener;
import io.raftmq.client.remoting.RequestContext;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link EmbeddedRemotingServer} serves processors like a RemotingServer on one connection (code lookup,
 * SYSTEM_ERROR on a crash, REQUEST_CODE_NOT_SUPPORTED, late answers from another thread, callbacks to the peer,
 * close events) and every buffer it hands out or takes in is released (the leak extension checks after each test).
 */
class EmbeddedRemotingServerTest {
    private static final int ECHO = 900;
    private static final int CRASH = 901;
    private static final int LATER = 902;

    private static RemotingCommand echo(RequestContext ctx, RemotingCommand req) {
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, ctx.remoteAddress().toString())
                .setBody(req.bodyBytes());
    }

    @Test
    void servesRegisteredProcessorsThroughTheCodec() throws Exception {
        try (EmbeddedRemotingServer s = new EmbeddedRemotingServer()) {
            s.registerProcessor(ECHO, EmbeddedRemotingServerTest::echo, Runnable::run);
            s.registerProcessor(CRASH, (ctx, req) -> {
                throw new IllegalStateException("boom");
            }, Runnable::run);
            s.start();
            RemotingCommand r = s.call(RemotingCommand.createRequest(ECHO)
                    .setBody("hello".getBytes(StandardCharsets.UTF_8)));
            assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(r.remark()).isEqualTo(EmbeddedRemotingServer.PEER_ADDRESS.toString());
            assertThat(new String(r.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            r.release();
            assertThat(s.call(RemotingCommand.createRequest(CRASH)).code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(s.errorCount()).isEqualTo(1);
            assertThat(s.call(RemotingCommand.createRequest(903)).code())
                    .isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
            s.sendOneway(RemotingCommand.createRequest(ECHO).setBody(new byte[] {1}));
            assertThat(s.strayResponses()).as("oneway requests get no answer").isZero();
        }
    }

    @Test
    void lateAnswersFromAnotherThreadCompleteTheCall() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicReference<RequestContext> held = new AtomicReference<>();
        try (EmbeddedRemotingServer s = new EmbeddedRemotingServer()) {
            s.registerProcessor(LATER, (ctx, req) -> {
                held.set(ctx);
                return null;
            }, pool);
            s.start();
            CompletableFuture<RemotingCommand> f = s.callAsync(RemotingCommand.createRequest(LATER));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (held.get() == null && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            assertThat(f).isNotDone();
            pool.execute(() -> held.get().respond(RemotingCommand.createResponse(ResponseCode.SUCCESS, "late")
                    .setBody(new byte[] {7})));
            RemotingCommand r = f.get(5, TimeUnit.SECONDS);
            assertThat(r.remark()).isEqualTo("late");
            assertThat(r.bodyBytes()).containsExactly(7);
            r.release();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void callbacksReachThePeerAndDisconnectClosesTheChannel() throws Exception {
        CompletableFuture<Channel> closed = new CompletableFuture<>();
        try (EmbeddedRemotingServer s = new EmbeddedRemotingServer()) {
            s.addChannelEventListener(new ChannelEventListener() {
                @Override
                public void onClose(Channel channel) {
                    closed.complete(channel);
                }
            });
            s.start();
            s.invokeOneway(s.channel(), RemotingCommand.createRequest(ECHO).setBody(new byte[] {3}), 1000)
                    .get(5, TimeUnit.SECONDS);
            RemotingCommand callback = s.takePeerRequest();
            assertThat(callback.code()).isEqualTo(ECHO);
            assertThat(callback.isOneway()).isTrue();
            assertThat(callback.bodyBytes()).containsExactly(3);
            callback.release();
            s.disconnect();
            assertThat(closed).isCompletedWithValue(s.channel());
        }
    }
}
