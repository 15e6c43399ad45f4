package io.raftmq.client.producer;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the producer reacts to each broker answer as docs/sdk.md "Failover" says, against scripted endpoints on
 * loopback sockets: a NameServer routing group g with brokerId 0 = A and 1 = B, where A no longer leads (answers
 * sends with 14 and names B as leader in its runtime info) and B leads. Expected: the first send costs two requests
 * (A, then B once the members named it), later sends go straight to B; a code the official client does not retry
 * fails at once; with a group that answers runtime info without Raft fields (a RocketMQ broker) and always 2
 * SYSTEM_BUSY, the send fails after exactly 1 + retriesMax requests. With A paused (it reads requests and answers
 * nothing), a send to A is sent again to B once a slow-send probe finds B leading, well inside the send timeout; with
 * the probe off the same send times out.
 */
@SocketTest
class ProducerRetrySocketTest {
    private final List<RemotingServer> servers = new ArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final AtomicInteger sendsA = new AtomicInteger();
    private final AtomicInteger sendsB = new AtomicInteger();
    private RemotingServer ns;
    private RemotingServer a;
    private RemotingServer b;
    private volatile boolean raftAware = true;
    private volatile String addrA;
    private volatile String addrB;
    private volatile int answerOfB = ResponseCode.SUCCESS;
    private volatile boolean pausedA;

    @BeforeEach
    void start() throws Exception {
        a = server();
        b = server();
        ns = server();
        a.registerProcessor(RequestCode.SEND_MESSAGE_V2, (ctx, req) -> {
            sendsA.incrementAndGet();
            if (pausedA) {
                return null; // never answered
            }
            return RemotingCommand.createResponse(raftAware ? ResponseCode.SERVICE_NOT_AVAILABLE
                : ResponseCode.SYSTEM_BUSY, "[NOT_LEADER]scripted");
        }, pool);
        a.registerProcessor(RequestCode.GET_BROKER_RUNTIME_INFO, (ctx, req) -> pausedA ? null : runtimeInfo(raftAware
            ? Map.of("raftRole", "FOLLOWER", "raftLeaderAddr", addrB, "brokerAddr", addrA) : Map.of("x", "1")), pool);
        b.registerProcessor(RequestCode.SEND_MESSAGE_V2, (ctx, req) -> {
            sendsB.incrementAndGet();
            if (answerOfB != ResponseCode.SUCCESS) {
                return RemotingCommand.createResponse(answerOfB, "scripted refusal");
            }
            return new SendMessageResponseHeader("7F00000100002A9F0000000000000000", 1, 41, null, null, null)
                .toResponse(ResponseCode.SUCCESS, null, "DefaultRegion", true);
        }, pool);
        b.registerProcessor(RequestCode.GET_BROKER_RUNTIME_INFO, (ctx, req) -> runtimeInfo(raftAware
            ? Map.of("raftRole", "LEADER", "raftLeaderAddr", addrB, "brokerAddr", addrB) : Map.of("x", "1")), pool);
        ns.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (ctx, req) -> {
            TreeMap<Long, String> addrs = new TreeMap<>(Map.of(0L, addrA, 1L, addrB));
            byte[] route = new TopicRouteData(null, List.of(new QueueData("g", 2, 2, 6, 0)),
                List.of(new BrokerData("c", "g", addrs, null, false)), null).encode(false);
            return RemotingCommand.createResponse(ResponseCode.SUCCESS, null).setBody(route);
        }, pool);
        for (RemotingServer s : servers) {
            s.start();
        }
        addrA = "127.0.0.1:" + a.port();
        addrB = "127.0.0.1:" + b.port();
    }

    private RemotingServer server() {
        RemotingServer s = new RemotingServer(new RemotingServerConfig("127.0.0.1", 0, 1, 1 << 20, 0, 64));
        servers.add(s);
        return s;
    }

    private static RemotingCommand runtimeInfo(Map<String, String> table) {
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null).setBody(new KVTable(table).encode());
    }

    @AfterEach
    void stop() {
        for (RemotingServer s : servers) {
            s.shutdown();
        }
        pool.shutdownNow();
    }

    private Producer producer() {
        return producer(ProducerConfig.builder());
    }

    private Producer producer(ProducerConfig.Builder b) {
        Producer p = new Producer(b.namesrv("127.0.0.1:" + ns.port()).group("PG").build());
        p.start();
        return p;
    }

    @Test
    void aSendUnansweredByAPausedLeaderGoesToTheNewLeader() throws Exception {
        pausedA = true;
        try (Producer p = producer(ProducerConfig.builder().sendTimeoutMs(1_000).slowSendProbeMs(100))) {
            SendResult r = p.send(Message.of("T", "paused"));
            assertThat(r.queueOffset()).isEqualTo(41);
            assertThat(r.attempts()).as("A, then B").isEqualTo(2);
            assertThat(sendsA.get()).isEqualTo(1);
            assertThat(sendsB.get()).isEqualTo(1);
        }
    }

    @Test
    void withoutTheProbeASendToAPausedLeaderTimesOut() throws Exception {
        pausedA = true;
        try (Producer p = producer(ProducerConfig.builder().sendTimeoutMs(1_000).slowSendProbeMs(0))) {
            assertThatThrownBy(() -> p.send(Message.of("T", "paused"))).isInstanceOf(SendException.class);
            assertThat(sendsB.get()).isZero();
        }
    }

    @Test
    void notLeaderAnswerFindsTheLeaderThroughTheMembers() throws Exception {
        try (Producer p = producer()) {
            SendResult first = p.send(Message.of("T", "one"));
            assertThat(first.attempts()).isEqualTo(2);
            assertThat(first.queueOffset()).isEqualTo(41);
            assertThat(first.queue().brokerName()).isEqualTo("g");
            assertThat(sendsA.get()).isEqualTo(1);
            SendResult second = p.send(Message.of("T", "two"));
            assertThat(second.attempts()).as("straight to the confirmed leader").isEqualTo(1);
            assertThat(sendsA.get()).isEqualTo(1);
            assertThat(sendsB.get()).isEqualTo(2);
        }
    }

    @Test
    void codesTheOfficialClientDoesNotRetryFailAtOnce() throws Exception {
        answerOfB = ResponseCode.MESSAGE_ILLEGAL;
        try (Producer p = producer()) {
            assertThatThrownBy(() -> p.send(Message.of("T", "bad"))).isInstanceOf(SendException.class)
                .satisfies(e -> assertThat(((SendException) e).responseCode()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL))
                .hasMessageContaining("scripted refusal");
            assertThat(sendsB.get()).as("no retry of 13").isEqualTo(1);
        }
    }

    @Test
    void aGroupThatIsNotRaftGetsPlainBoundedRetries() throws Exception {
        raftAware = false;
        try (Producer p = producer()) {
            assertThatThrownBy(() -> p.send(Message.of("T", "busy"))).isInstanceOf(SendException.class)
                .satisfies(e -> assertThat(((SendException) e).responseCode()).isEqualTo(ResponseCode.SYSTEM_BUSY));
            assertThat(sendsA.get() + sendsB.get()).as("1 + retriesMax requests").isEqualTo(3);
        }
    }
}
