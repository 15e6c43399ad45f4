package io.raftmq.broker.route;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.metadata.Fixture;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.RegisterBrokerBody;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.RegisterBrokerRequestHeader;
import io.raftmq.client.protocol.header.UnregisterBrokerRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the registrar registers with every NameServer (leader as brokerId 0, follower as its own id), re-registers
 * at once on a leadership or topic change, is not held up by a NameServer that never answers, coalesces requests
 * per NameServer, and unregisters on shutdown. Method: two tiny fake NameServers built on RemotingServer: a live
 * one answering at once and a "hung" one that holds its answers until the test releases them.
 */
@SocketTest
class NamingRegistrarTest {
    /** What a fake NameServer saw. */
    record Seen(int code, long brokerId, RegisterBrokerBody body, int crc) {
    }

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<Seen> live = new LinkedBlockingQueue<>();
    private final BlockingQueue<Seen> hung = new LinkedBlockingQueue<>();
    private final BlockingQueue<RequestContext> held = new LinkedBlockingQueue<>();
    private RemotingServer liveServer;
    private RemotingServer hungServer;
    private final RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());

    private RemotingServer fakeNameServer(BlockingQueue<Seen> seen, boolean hold) throws Exception {
        RemotingServer s = new RemotingServer(RemotingServerConfig.defaults("127.0.0.1", 0));
        for (int code : new int[] {RequestCode.REGISTER_BROKER, RequestCode.UNREGISTER_BROKER}) {
            s.registerProcessor(code, (ctx, req) -> {
                if (code == RequestCode.REGISTER_BROKER) {
                    RegisterBrokerRequestHeader h = RegisterBrokerRequestHeader.decode(req.extFields());
                    seen.add(new Seen(code, h.brokerId(), RegisterBrokerBody.decode(req.bodyBytes()), h.bodyCrc32()));
                } else {
                    seen.add(new Seen(code, UnregisterBrokerRequestHeader.decode(req.extFields()).brokerId(), null, 0));
                }
                if (hold) {
                    held.add(ctx);
                    return null;
                }
                return RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
            }, executor);
        }
        s.start();
        return s;
    }

    @AfterEach
    void tearDown() {
        client.shutdown();
        if (liveServer != null) {
            liveServer.shutdown();
        }
        if (hungServer != null) {
            hungServer.shutdown();
        }
        scheduler.shutdownNow();
        executor.shutdownNow();
    }

    private void releaseHeld() {
        RequestContext ctx;
        while ((ctx = held.poll()) != null) {
            ctx.respond(RemotingCommand.createResponse(ResponseCode.SUCCESS, null));
        }
    }

    private static int crc(RegisterBrokerBody body) {
        byte[] b = body.encode();
        CRC32 c = new CRC32();
        c.update(b, 0, b.length);
        return (int) (c.getValue() & 0x7FFFFFFF);
    }

    @Test
    void registersEverywhereFollowsLeadershipAndTopicsAndUnregisters() throws Exception {
        liveServer = fakeNameServer(live, false);
        hungServer = fakeNameServer(hung, true);
        client.start();
        BrokerConfig config = BrokerConfig.fromProperties(Map.of("brokerName", "broker-a", "listenHost", "127.0.0.1",
                "storePathRootDir", "/tmp/unused", "registerNameServerTimeoutMs", "900",
                "namesrvAddr", "127.0.0.1:" + hungServer.port() + ";127.0.0.1:" + liveServer.port(),
                "raftPeers", "n0-127.0.0.1:10915;n1-127.0.0.1:10925", "raftSelfId", "n1"), "test");
        Fixture f = Fixture.leader();
        AtomicBoolean leader = new AtomicBoolean(false);
        NamingRegistrar r = new NamingRegistrar(config, client, f.topics, leader::get, scheduler);
        f.topics.addChangeListener(r::onTopicsChanged);

        CompletableFuture<Map<String, Boolean>> first = r.registerAll();
        Seen s = live.poll(5, TimeUnit.SECONDS);
        assertThat(s.brokerId()).as("follower n1 registers as 2").isEqualTo(2);
        assertThat(s.body().topicConfigSerializeWrapper().topicConfigTable()).containsKey("TBW102");
        assertThat(s.crc()).isEqualTo(crc(s.body()));
        assertThat(hung.poll(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(first).as("the hung NameServer has not answered, the live one was not kept waiting").isNotDone();

        leader.set(true);
        r.onLeadershipChange();
        assertThat(live.poll(5, TimeUnit.SECONDS).brokerId()).isEqualTo(0);
        assertThat(hung).as("coalesced while one is in flight").isEmpty();
        releaseHeld();
        assertThat(first.get(5, TimeUnit.SECONDS)).containsValues(true, true);
        Seen again = hung.poll(5, TimeUnit.SECONDS);
        assertThat(again.brokerId()).as("the coalesced re-registration carries the new id").isEqualTo(0);
        releaseHeld();

        f.topics.createOrUpdate(TopicConfig.of("NewTopic", 4)).join();
        Seen withTopic = live.poll(5, TimeUnit.SECONDS);
        assertThat(withTopic.body().topicConfigSerializeWrapper().topicConfigTable()).containsKey("NewTopic");
        assertThat(hung.poll(5, TimeUnit.SECONDS)).isNotNull();
        releaseHeld();
        assertThat(r.registrationsOk()).isGreaterThanOrEqualTo(4);

        CompletableFuture<Void> stop = CompletableFuture.runAsync(r::shutdown);
        assertThat(live.poll(5, TimeUnit.SECONDS).code()).isEqualTo(RequestCode.UNREGISTER_BROKER);
        Seen hungUnregister = hung.poll(5, TimeUnit.SECONDS);
        assertThat(hungUnregister.code()).isEqualTo(RequestCode.UNREGISTER_BROKER);
        releaseHeld();
        stop.get(5, TimeUnit.SECONDS);
        assertThat(r.registerAll().get(5, TimeUnit.SECONDS)).as("nothing after shutdown").containsValues(false);
    }

    @Test
    void unreachableNameServerFailsFastAndIsCounted() throws Exception {
        liveServer = fakeNameServer(live, false);
        client.start();
        RemotingServer gone = new RemotingServer(RemotingServerConfig.defaults("127.0.0.1", 0));
        gone.start();
        int deadPort = gone.port();
        gone.shutdown();
        BrokerConfig config = BrokerConfig.fromProperties(Map.of("brokerName", "broker-a", "listenHost", "127.0.0.1",
                "storePathRootDir", "/tmp/unused", "namesrvAddr", "127.0.0.1:" + deadPort + ";127.0.0.1:"
                        + liveServer.port(), "raftPeers", "n0-127.0.0.1:10915", "raftSelfId", "n0"), "test");
        NamingRegistrar r = new NamingRegistrar(config, client, Fixture.leader().topics, () -> true, scheduler);
        r.start();
        assertThat(live.poll(5, TimeUnit.SECONDS).brokerId()).isZero();
        Awaits.await("a failed registration").atMost(Duration.ofSeconds(5)).until(() -> r.registrationsFailed() > 0);
        assertThat(r.registrationsFailed()).isEqualTo(1);
        assertThat(r.currentBrokerId()).isZero();
    }
}
