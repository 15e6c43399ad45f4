package io.raftmq.broker.pop;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.raftmq.broker.clients.ClientChannelInfo;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.clients.ConsumerIdsChangedNotifier;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.metadata.Fixture;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.StoreReadConfig;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.LanguageCode;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.SubscriptionData;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.testing.EmbeddedRemotingServer;
import io.raftmq.commitlog.store.StoreFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the pop protocol as a client sees it, over the wire codec (embedded connection), with a log that applies
 * each proposal before completing it: SET_MESSAGE_REQUEST_MODE and QUERY_ASSIGNMENT (POP for the group set to it,
 * the average share in PULL otherwise), POP_MESSAGE's header and the handle ACK_MESSAGE takes back; and bad input
 * (an unknown mode, a pop for a group that does not exist, an ack of an offset not in flight or under a stale handle,
 * a malformed handle) answered with its code and remark while nothing is proposed; acks that arrive while an ack's
 * entry is in flight share the next entry and are answered once it is applied, a stale one among them refused alone.
 */
class PopProcessorTest {
    @TempDir
    Path dir;
    private final Fixture f = Fixture.leader();
    private final PopState state = new PopState();
    private final AtomicInteger popEntries = new AtomicInteger();
    private final EmbeddedRemotingServer server = new EmbeddedRemotingServer();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<EmbeddedChannel> consumerChannels = List.of(new EmbeddedChannel(), new EmbeddedChannel());
    private StoreFixture fx;
    /** While set, POP entries wait in {@link #held} until {@link #applyHeld} (an entry in flight). */
    private volatile boolean hold;
    private final Deque<Map.Entry<byte[], CompletableFuture<Void>>> held = new ArrayDeque<>();

    /** POP entries go to the pop state, metadata to the fixture's log; both apply before completing. */
    private final MetadataProposer log = new MetadataProposer() {
        @Override
        public boolean isLeader() {
            return true;
        }

        @Override
        public CompletableFuture<Void> propose(byte type, byte[] payload) {
            if (type != EntryType.POP) {
                return f.proposer.propose(type, payload);
            }
            popEntries.incrementAndGet();
            if (hold) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                synchronized (held) {
                    held.add(Map.entry(payload, done));
                }
                return done;
            }
            state.apply(0, payload);
            return CompletableFuture.completedFuture(null);
        }
    };

    @BeforeEach
    void start() throws Exception {
        fx = new StoreFixture(dir);
        BrokerStore store = new BrokerStore(fx.store, StoreReadConfig.defaults(), ByteBufAllocator.DEFAULT);
        ClientManager clients = new ClientManager(f.clock::get, 120_000,
            ConsumerIdsChangedNotifier.remoting(server, 1000), g -> false);
        for (int i = 0; i < 2; i++) {
            String id = "c" + (i + 1) + "@1";
            clients.registerConsumer("pullG", new ClientChannelInfo(consumerChannels.get(i), id, LanguageCode.JAVA, 479,
                f.clock.get()), "CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_LAST_OFFSET",
                List.of(new SubscriptionData("T", "*", List.of("*"), List.of(), 1, "TAG", false)), false);
        }
        Popper popper = new Popper(state, log, store, (g, o) -> CompletableFuture.completedFuture(true), k -> -1,
            ByteBufAllocator.DEFAULT, 1 << 20);
        PopProcessor p = new PopProcessor(state, popper, log, f.topics, f.groups, clients, "broker-a", f.clock::get,
            scheduler, 3000);
        for (int code : PopProcessor.CODES) {
            server.registerProcessor(code, p, executor);
        }
        server.start();
        f.topics.createOrUpdate(new TopicConfig("T", 4, 4, 6, TopicConfig.SINGLE_TAG, 0, false, Map.of()))
            .get(5, TimeUnit.SECONDS);
        f.groups.findOrCreate("g").get(5, TimeUnit.SECONDS);
        fx.append("T", 0, "TagA", 3);
        fx.commit();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        executor.shutdownNow();
        scheduler.shutdownNow();
        consumerChannels.forEach(EmbeddedChannel::finishAndReleaseAll);
        fx.close();
    }

    /** An answer, copied out of the released response. */
    private record Answer(int code, String remark, Map<String, String> fields, String body) {
        Map<String, String> extFields() {
            return fields;
        }

        String bodyText() {
            return body;
        }
    }

    private Answer send(RemotingCommand req) throws Exception {
        RemotingCommand r = server.call(req);
        try {
            byte[] b = r.bodyBytes();
            return new Answer(r.code(), r.remark(), r.extFieldsOrEmpty().toMap(),
                b == null ? null : new String(b, StandardCharsets.UTF_8));
        } finally {
            r.release();
        }
    }

    private Answer call(int code, String body) throws Exception {
        return send(RemotingCommand.createRequest(code).setBody(body.getBytes(StandardCharsets.UTF_8)));
    }

    private Answer popRequest(String group) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(PopProtocol.POP_MESSAGE);
        req.extFields(new ExtFields().put("consumerGroup", group).put("topic", "T")
            .put("queueId", 0).put("maxMsgNums", 2).put("invisibleTime", 60_000).put("pollTime", 0)
            .put("bornTime", 0).put("initMode", 0));
        return send(req);
    }

    private Answer ack(String extraInfo, long offset) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(PopProtocol.ACK_MESSAGE);
        req.extFields(new ExtFields().put("consumerGroup", "g").put("topic", "T")
            .put("queueId", 0).put("extraInfo", extraInfo).put("offset", offset));
        return send(req);
    }

    @Test
    void modeAndAssignment() throws Exception {
        Answer bad = call(PopProtocol.SET_MESSAGE_REQUEST_MODE,
            "{\"consumerGroup\":\"g\",\"mode\":\"PUSH\",\"popShareQueueNum\":0,\"topic\":\"T\"}");
        assertThat(bad.code()).isEqualTo(ResponseCode.INVALID_PARAMETER);
        assertThat(bad.remark()).contains("unknown request mode PUSH");
        assertThat(call(PopProtocol.SET_MESSAGE_REQUEST_MODE,
            "{\"consumerGroup\":\"g\",\"mode\":\"POP\",\"popShareQueueNum\":0,\"topic\":\"Nope\"}").code())
            .isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(popEntries).hasValue(0);
        assertThat(call(PopProtocol.SET_MESSAGE_REQUEST_MODE,
            "{\"consumerGroup\":\"g\",\"mode\":\"POP\",\"popShareQueueNum\":0,\"topic\":\"T\"}").code()).isZero();
        assertThat(state.popShareQueueNum("T", "g")).isZero();
        Answer pop = call(PopProtocol.QUERY_ASSIGNMENT, "{\"clientId\":\"c9@1\",\"consumerGroup\":\"g\","
            + "\"messageModel\":\"CLUSTERING\",\"strategyName\":\"AVG\",\"topic\":\"T\"}");
        String popBody = pop.bodyText();
        assertThat(popBody).contains("\"queueId\":3").contains("\"mode\":\"POP\"").doesNotContain("PULL");
        Answer pull = call(PopProtocol.QUERY_ASSIGNMENT, "{\"clientId\":\"c2@1\",\"consumerGroup\":"
            + "\"pullG\",\"messageModel\":\"CLUSTERING\",\"strategyName\":\"AVG\",\"topic\":\"T\"}");
        String pullBody = pull.bodyText();
        assertThat(pullBody).contains("\"queueId\":2").contains("\"queueId\":3").doesNotContain("\"queueId\":0")
            .contains("\"mode\":\"PULL\"");
    }

    @Test
    void popThenAckWithTheHandle() throws Exception {
        Answer r = popRequest("g");
        assertThat(r.code()).isZero();
        Map<String, String> h = r.extFields();
        assertThat(h).containsEntry("msgOffsetInfo", "0 0 0,1").containsEntry("startOffsetInfo", "0 0 0")
            .containsEntry("invisibleTime", "60000").containsEntry("restNum", "1").containsKey("popTime");
        String handle = "0 " + h.get("popTime") + " 60000 0 0 broker-a 0 1";
        assertThat(ack(handle, 1).code()).isZero();
        assertThat(state.flights(new PopState.QueueKey("g", "T", 0))).containsOnlyKeys(0L);
    }

    @Test
    void changeInvisibleTimeAndBatchAckUnderTheHandle() throws Exception {
        long popTime = Long.parseLong(popRequest("g").extFields().get("popTime"));
        long now = f.clock.addAndGet(10);
        RemotingCommand req = RemotingCommand.createRequest(PopProtocol.CHANGE_MESSAGE_INVISIBLETIME);
        req.extFields(new ExtFields().put("consumerGroup", "g").put("topic", "T").put("queueId", 0)
            .put("extraInfo", "0 " + popTime + " 60000 0 0 broker-a 0 0").put("offset", 0).put("invisibleTime", 5000));
        Answer c = send(req);
        assertThat(c.code()).isZero();
        assertThat(c.extFields()).containsEntry("popTime", Long.toString(now)).containsEntry("invisibleTime", "5000");
        PopState.QueueKey q = new PopState.QueueKey("g", "T", 0);
        assertThat(state.flight(q, 0)).isEqualTo(new PopState.Flight(now, 5000, 0, state.flight(q, 0).nonce()));
        String batch = "{\"acks\":[{\"b\":\"Ag==\",\"c\":\"g\",\"it\":60000,\"pt\":" + popTime
            + ",\"q\":0,\"r\":\"0\",\"rq\":0,\"so\":0,\"t\":\"T\"}],\"brokerName\":\"broker-a\"}";
        assertThat(call(PopProtocol.BATCH_ACK_MESSAGE, batch).code()).isZero(); // bit 1: offset 1
        assertThat(state.flights(q)).containsOnlyKeys(0L);
        assertThat(call(PopProtocol.BATCH_ACK_MESSAGE, batch).code()).isEqualTo(ResponseCode.NO_MESSAGE);
    }

    /** Applies the oldest held entry and completes its proposal. */
    private void applyHeld() {
        Map.Entry<byte[], CompletableFuture<Void>> e;
        synchronized (held) {
            e = held.poll();
        }
        assertThat(e).as("an entry in flight").isNotNull();
        state.apply(0, e.getKey());
        e.getValue().complete(null);
    }

    private CompletableFuture<Integer> ackAsync(long popTime, long offset) {
        RemotingCommand req = RemotingCommand.createRequest(PopProtocol.ACK_MESSAGE);
        req.extFields(new ExtFields().put("consumerGroup", "g").put("topic", "T").put("queueId", 0)
            .put("extraInfo", "0 " + popTime + " 60000 0 0 broker-a 0 " + offset).put("offset", offset));
        return server.callAsync(req).thenApply(r -> {
            try {
                return r.code();
            } finally {
                r.release();
            }
        });
    }

    @Test
    void acksArrivingWhileAnAckIsInFlightShareTheNextEntry() throws Exception {
        long popTime = Long.parseLong(popRequest("g").extFields().get("popTime"));
        assertThat(Long.parseLong(popRequest("g").extFields().get("popTime"))).isEqualTo(popTime); // offset 2
        int before = popEntries.get();
        hold = true;
        CompletableFuture<Integer> first = ackAsync(popTime, 0);
        CompletableFuture<Integer> second = ackAsync(popTime, 1);
        CompletableFuture<Integer> third = ackAsync(popTime, 2);
        // one request thread, in order: once the stale ack is answered, the three acks above have been taken
        assertThat(ack("0 " + (popTime - 1) + " 60000 0 0 broker-a 0 1", 1).code()).isEqualTo(ResponseCode.NO_MESSAGE);
        assertThat(popEntries.get() - before).as("the first ack in flight, the others wait").isEqualTo(1);
        assertThat(List.of(first, second, third)).noneMatch(CompletableFuture::isDone);
        applyHeld();
        assertThat(first.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(popEntries.get() - before).as("the two waiting acks in one entry").isEqualTo(2);
        assertThat(List.of(second, third)).noneMatch(CompletableFuture::isDone);
        assertThat(PopCodec.decode(held.peek().getKey())).isInstanceOf(PopEntry.Batch.class);
        applyHeld();
        assertThat(second.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(third.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(state.flights(new PopState.QueueKey("g", "T", 0))).isEmpty();
    }

    @Test
    void badInputIsRefusedAndChangesNothing() throws Exception {
        Answer noGroup = popRequest("ghost");
        assertThat(noGroup.code()).isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
        assertThat(noGroup.remark()).contains("ghost");
        long popTime = Long.parseLong(popRequest("g").extFields().get("popTime"));
        int before = popEntries.get();
        Answer unknown = ack("0 " + popTime + " 60000 0 0 broker-a 0 2", 2);
        assertThat(unknown.code()).isEqualTo(ResponseCode.NO_MESSAGE);
        assertThat(unknown.remark()).contains("not in flight");
        Answer stale = ack("0 " + (popTime - 1) + " 60000 0 0 broker-a 0 0", 0);
        assertThat(stale.code()).isEqualTo(ResponseCode.NO_MESSAGE);
        assertThat(ack("0 x", 0).code()).isEqualTo(ResponseCode.INVALID_PARAMETER);
        assertThat(popEntries).hasValue(before);
        assertThat(state.flights(new PopState.QueueKey("g", "T", 0))).containsOnlyKeys(0L, 1L);
    }
}
