package io.raftmq.client.remoting;

import io.netty.channel.Channel;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.SerializeType;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: RemotingServer and RemotingClient work together over real sockets on 127.0.0.1 with an ephemeral port:
 * sync/async/oneway calls correlated by opaque, concurrency on one connection (a held request does not block
 * another), REQUEST_CODE_NOT_SUPPORTED for unknown codes, processor errors mapped to response codes, timeouts,
 * shutdown failing pending calls, server-to-client requests, and close events. Method: small processors
 * synchronised with latches and queues (never sleeps), all waits bounded.
 */
@SocketTest
class LoopbackRemotingTest {
    private static final int ECHO = 1000;
    private static final int HOLD = 1001;
    private static final int SINK = 1002;
    private static final int SILENT = 1003;
    private static final int DEFERRED = 1004;
    private static final int FAIL = 1005;
    private static final int ORDER = 1006;
    private static final long WAIT_S = 10;

    private ExecutorService fast;
    private ExecutorService slow;
    private RemotingServer server;
    private RemotingClient client;
    private String addr;
    private final CountDownLatch holdRelease = new CountDownLatch(1);
    private final BlockingQueue<RemotingCommand> sunk = new LinkedBlockingQueue<>();
    private final BlockingQueue<Channel> serverSideChannels = new LinkedBlockingQueue<>();
    private final BlockingQueue<Channel> closed = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> ordered = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        fast = Executors.newFixedThreadPool(2);
        slow = Executors.newFixedThreadPool(2);
        server = new RemotingServer(new RemotingServerConfig("127.0.0.1", 0, 1, 1 << 20, 0, 64));
        server.registerProcessor(ECHO, (ctx, req) -> RemotingCommand.createResponse(0, req.extFieldsOrEmpty().get("x"))
                .setBody(req.bodyBytes()), fast);
        server.registerProcessor(HOLD, (ctx, req) -> {
            await(holdRelease);
            return RemotingCommand.createResponse(0, "held");
        }, slow);
        server.registerProcessor(SINK, (ctx, req) -> {
            sunk.add(RemotingCommand.createRequest(req.code()).remark(req.isOneway() ? "oneway" : "twoway"));
            return RemotingCommand.createResponse(0, "must be dropped for oneway");
        }, fast);
        server.registerProcessor(SILENT, (ctx, req) -> null, fast);
        server.registerProcessor(ORDER, (ctx, req) -> { // on the event loop: records arrival order
            String x = req.extFieldsOrEmpty().get("x");
            ordered.add(x);
            return RemotingCommand.createResponse(0, x);
        }, Runnable::run);
        server.registerProcessor(DEFERRED, (ctx, req) -> {
            slow.execute(() -> ctx.respond(RemotingCommand.createResponse(0, "later")));
            return null;
        }, fast);
        server.registerProcessor(FAIL, (ctx, req) -> {
            if (req.extFieldsOrEmpty().contains("boom")) {
                throw new IllegalStateException("boom");
            }
            throw new RemotingCommandException(ResponseCode.INVALID_PARAMETER, "bad queueId");
        }, fast);
        server.addChannelEventListener(new ChannelEventListener() {
            @Override
            public void onConnect(Channel channel) {
                serverSideChannels.add(channel);
            }

            @Override
            public void onClose(Channel channel) {
                closed.add(channel);
            }
        });
        server.start();
        addr = "127.0.0.1:" + server.port();
        client = newClient();
    }

    private RemotingClient newClient() {
        RemotingClient c = new RemotingClient(new RemotingClientConfig("127.0.0.1", 1, 1 << 20, 3000, 0, 64));
        c.start();
        return c;
    }

    @AfterEach
    void stop() {
        holdRelease.countDown();
        client.shutdown();
        server.shutdown();
        fast.shutdownNow();
        slow.shutdownNow();
    }

    private static void await(CountDownLatch l) {
        Awaits.await("the held request released").atMost(Duration.ofSeconds(WAIT_S)).until(() -> l.getCount() == 0);
    }

    private static RemotingCommand echo(String x, String body) {
        return RemotingCommand.createRequest(ECHO).addExtField("x", x).setBody(body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Many threads calling at once go through the channel's write queue (ChannelWriteQueue): every call gets its
     * own answer, and each thread's requests reach the server in the order that thread made them; on NIO and on the
     * native transport (when available here).
     */
    @Test
    void concurrentCallersGetTheirOwnAnswersInPerThreadOrderOnBothTransports() throws Exception {
        for (boolean nativeTransport : new boolean[] {false, true}) {
            RemotingClient c = new RemotingClient(new RemotingClientConfig("127.0.0.1", 1, 1 << 20, 3000, 0, 4096),
                    nativeTransport);
            c.start();
            ordered.clear();
            int threads = 8;
            int perThread = 200;
            ExecutorService callers = Executors.newFixedThreadPool(threads);
            try {
                c.invokeSync(addr, RemotingCommand.createRequest(ORDER).addExtField("x", "warm"), 3000).release();
                ordered.clear();
                List<CompletableFuture<List<CompletableFuture<RemotingCommand>>>> all = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    all.add(CompletableFuture.supplyAsync(() -> {
                        List<CompletableFuture<RemotingCommand>> fs = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            fs.add(c.invokeAsync(addr, RemotingCommand.createRequest(ORDER)
                                    .addExtField("x", thread + "-" + i), 5000));
                        }
                        return fs;
                    }, callers));
                }
                for (int t = 0; t < threads; t++) {
                    List<CompletableFuture<RemotingCommand>> fs = all.get(t).get(WAIT_S, TimeUnit.SECONDS);
                    for (int i = 0; i < perThread; i++) {
                        RemotingCommand r = fs.get(i).get(WAIT_S, TimeUnit.SECONDS);
                        assertThat(r.remark()).as(c.transport()).isEqualTo(t + "-" + i);
                        r.release();
                    }
                }
                int[] next = new int[threads];
                for (String x : ordered) {
                    int t = Integer.parseInt(x.substring(0, x.indexOf('-')));
                    assertThat(Integer.parseInt(x.substring(x.indexOf('-') + 1))).as(c.transport() + " order of " + t)
                            .isEqualTo(next[t]++);
                }
                assertThat(ordered).hasSize(threads * perThread);
                assertThat(c.transport()).isEqualTo(nativeTransport
                        && io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio");
            } finally {
                callers.shutdownNow();
                c.shutdown();
            }
        }
    }

    @Test
    void syncCallIsAnsweredWithMatchingOpaque() throws Exception {
        assertThat(server.port()).isPositive();
        RemotingCommand r = client.invokeSync(addr, echo("a", "hello"), 3000);
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.isResponse()).isTrue();
        assertThat(r.remark()).isEqualTo("a");
        assertThat(new String(r.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(r.version()).isEqualTo(RemotingCommand.VERSION_CURRENT);
        r.release();
    }

    @Test
    void theAnswerTakesTheRequestsSerialization() throws Exception {
        for (SerializeType type : SerializeType.values()) {
            RemotingCommand r = client.invokeSync(addr, echo("s", "x").serializeType(type), 3000);
            assertThat(r.serializeType()).as("answer to a %s request", type).isEqualTo(type);
            assertThat(r.remark()).isEqualTo("s");
            r.release();
        }
    }

    @Test
    void manyAsyncCallsAreCorrelatedByOpaque() throws Exception {
        List<CompletableFuture<RemotingCommand>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fs.add(client.invokeAsync(addr, echo("k" + i, "body" + i), 5000));
        }
        for (int i = 0; i < 50; i++) {
            RemotingCommand r = fs.get(i).get(WAIT_S, TimeUnit.SECONDS);
            assertThat(r.remark()).isEqualTo("k" + i);
            assertThat(new String(r.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("body" + i);
            r.release();
        }
        assertThat(client.pendingCount()).isZero();
    }

    @Test
    void onewayIsDeliveredAndNeverAnswered() throws Exception {
        client.invokeOneway(addr, RemotingCommand.createRequest(SINK), 3000);
        RemotingCommand seen = sunk.poll(WAIT_S, TimeUnit.SECONDS);
        assertThat(seen).isNotNull();
        assertThat(seen.remark()).isEqualTo("oneway");
        RemotingCommand after = client.invokeSync(addr, echo("b", "x"), 3000);
        after.release();
        RemotingCommand twoWay = client.invokeSync(addr, RemotingCommand.createRequest(SINK), 3000);
        assertThat(twoWay.remark()).isEqualTo("must be dropped for oneway");
        assertThat(client.strayResponseCount()).isZero();
    }

    @Test
    void heldRequestDoesNotBlockAnotherOnTheSameConnection() throws Exception {
        CompletableFuture<RemotingCommand> held = client.invokeAsync(addr, RemotingCommand.createRequest(HOLD), 10_000);
        RemotingCommand r = client.invokeSync(addr, echo("c", "y"), 3000);
        assertThat(r.remark()).isEqualTo("c");
        r.release();
        assertThat(held).isNotDone();
        holdRelease.countDown();
        assertThat(held.get(WAIT_S, TimeUnit.SECONDS).remark()).isEqualTo("held");
        assertThat(serverSideChannels).hasSize(1);
    }

    @Test
    void deferredResponseFromAnotherThread() throws Exception {
        RemotingCommand r = client.invokeSync(addr, RemotingCommand.createRequest(DEFERRED), 3000);
        assertThat(r.remark()).isEqualTo("later");
    }

    @Test
    void unknownCodeIsAnsweredWithRequestCodeNotSupported() throws Exception {
        RemotingCommand r = client.invokeSync(addr, RemotingCommand.createRequest(4242), 3000);
        assertThat(r.code()).isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
        assertThat(r.remark()).isEqualTo(" request type 4242 not supported");
    }

    @Test
    void processorErrorsBecomeResponseCodes() throws Exception {
        RemotingCommand bad = client.invokeSync(addr, RemotingCommand.createRequest(FAIL), 3000);
        assertThat(bad.code()).isEqualTo(ResponseCode.INVALID_PARAMETER);
        assertThat(bad.remark()).isEqualTo("bad queueId");
        RemotingCommand boom = client.invokeSync(addr, RemotingCommand.createRequest(FAIL).addExtField("boom", "1"),
                3000);
        assertThat(boom.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(boom.remark()).contains("boom");
        assertThat(server.errorCount()).isEqualTo(1);
    }

    @Test
    void unansweredCallTimesOut() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.invokeSync(addr, RemotingCommand.createRequest(SILENT), 200))
                .isInstanceOf(RemotingTimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(150L, 5000L);
        assertThat(client.pendingCount()).isZero();
    }

    @Test
    void shutdownFailsPendingCalls() throws Exception {
        RemotingClient other = newClient();
        CompletableFuture<RemotingCommand> f = other.invokeAsync(addr, RemotingCommand.createRequest(SILENT), 60_000);
        assertThat(serverSideChannels.poll(WAIT_S, TimeUnit.SECONDS)).isNotNull();
        other.shutdown();
        assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RemotingClosedException.class);
        assertThat(other.pendingCount()).isZero();
        assertThat(closed.poll(WAIT_S, TimeUnit.SECONDS)).as("server saw the close").isNotNull();
    }

    @Test
    void serverCallsTheClientBackOnItsConnection() throws Exception {
        BlockingQueue<String> notified = new LinkedBlockingQueue<>();
        RemotingClient c = new RemotingClient(new RemotingClientConfig(null, 1, 1 << 20, 3000, 0, 64));
        c.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (ctx, req) -> {
            notified.add(ConsumerGroupHeader.decode(req.extFields()).consumerGroup() + ":" + req.isOneway());
            return null;
        }, fast);
        c.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, (ctx, req) ->
                RemotingCommand.createResponse(0, "running").setBody("{}".getBytes(StandardCharsets.UTF_8)), fast);
        c.start();
        try {
            RemotingCommand warm = c.invokeSync(addr, echo("w", "w"), 3000);
            warm.release();
            Channel toClient = serverSideChannels.poll(WAIT_S, TimeUnit.SECONDS);
            server.invokeOneway(toClient, RemotingCommand.createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
                    new ConsumerGroupHeader("CG")), 3000).get(WAIT_S, TimeUnit.SECONDS);
            assertThat(notified.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("CG:true");
            RemotingCommand info = server.invokeSync(toClient,
                    RemotingCommand.createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO), 3000);
            assertThat(info.remark()).isEqualTo("running");
            assertThat(info.bodyBytes()).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
            info.release();
            c.closeChannel(addr);
            assertThat(closed.poll(WAIT_S, TimeUnit.SECONDS)).isSameAs(toClient);
        } finally {
            c.shutdown();
        }
    }

    @Test
    void connectFailureIsTyped() throws Exception {
        RemotingServer tmp = new RemotingServer(RemotingServerConfig.defaults("127.0.0.1", 0));
        tmp.start();
        String deadAddr = "127.0.0.1:" + tmp.port();
        tmp.shutdown();
        assertThatThrownBy(() -> client.invokeSync(deadAddr, echo("d", "d"), 1000))
                .isInstanceOf(RemotingConnectException.class);
    }
}
