package io.raftmq.broker.reply;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.header.ReplyMessageRequestHeader;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link ReplyPusher} pushes exactly the applied messages of its cluster's reply topic, to the client their
 * REPLY_TO_CLIENT names, with a header the official client can rebuild the message from, and nothing before it is
 * bound, for another topic, for an unknown client or past the reply's TTL. Method: stored messages encoded here,
 * a fake clock and a recording pusher.
 */
class ReplyPusherTest {
    private static final HostAddress HOST = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);
    private final EmbeddedChannel requester = new EmbeddedChannel();
    private final List<RemotingCommand> pushed = new ArrayList<>();
    private long now = 10_000;

    @AfterEach
    void release() {
        pushed.forEach(RemotingCommand::release);
        requester.finishAndReleaseAll();
    }

    private ReplyPusher pusher(boolean bind) {
        ReplyPusher p = new ReplyPusher("DefaultCluster", () -> now);
        if (bind) {
            p.bind(id -> id.equals("requester@1") ? requester : null, (Channel ch, RemotingCommand r, long t) -> {
                assertThat(ch).isSameAs(requester);
                pushed.add(r);
                return CompletableFuture.completedFuture(RemotingCommand.createResponse(0, null));
            });
        }
        return p;
    }

    private static StoredMessage message(String topic, String replyTo, String ttl, long bornMs) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("CORRELATION_ID", "c-1");
        if (replyTo != null) {
            p.put(ReplyPusher.REPLY_TO_CLIENT, replyTo);
        }
        if (ttl != null) {
            p.put(ReplyPusher.TTL, ttl);
        }
        p.put("PGROUP", "ReplierPG");
        MessageDraft d = new MessageDraft().topic(topic).queueId(0).flag(3)
            .body("re:q".getBytes(StandardCharsets.UTF_8)).properties(MessageProperties.encode(p))
            .bornTimestamp(bornMs).bornHost(HOST).storeTimestamp(bornMs + 1).storeHost(HOST);
        return new StoredMessage().wrap(ByteBuffer.wrap(new StoredMessageEncoder().encode(d)), 0);
    }

    @Test
    void pushesAReplyToItsRequesterWithTheMessageInTheHeader() throws Exception {
        pusher(true).onApplied(7, 4096, message("DefaultCluster_REPLY_TOPIC", "requester@1", "3000", 9_000));
        assertThat(pushed).hasSize(1);
        RemotingCommand r = pushed.get(0);
        assertThat(r.code()).isEqualTo(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT);
        assertThat(new String(r.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("re:q");
        ExtFields f = r.extFields();
        ReplyMessageRequestHeader h = ReplyMessageRequestHeader.decode(f);
        assertThat(h.topic()).isEqualTo("DefaultCluster_REPLY_TOPIC");
        assertThat(h.producerGroup()).isEqualTo("ReplierPG");
        assertThat(h.flag()).isEqualTo(3);
        assertThat(h.bornTimestamp()).isEqualTo(9_000);
        assertThat(h.storeTimestamp()).isEqualTo(9_001);
        assertThat(h.bornHost()).isEqualTo("127.0.0.1:10911");
        assertThat(MessageProperties.get(h.properties(), "CORRELATION_ID")).isEqualTo("c-1");
    }

    @Test
    void pushesNothingThatIsNotAnOpenReplyForAConnectedClient() {
        ReplyPusher p = pusher(true);
        p.onApplied(1, 0, message("OtherTopicOfSameLengthX0", "requester@1", null, 9_000));
        p.onApplied(2, 0, message("DefaultCluster_REPLY_TOPIC", "someone-else@2", null, 9_000));
        p.onApplied(3, 0, message("DefaultCluster_REPLY_TOPIC", null, null, 9_000));
        p.onApplied(4, 0, message("DefaultCluster_REPLY_TOPIC", "requester@1", "500", 9_000)); // due at 9,500
        pusher(false).onApplied(5, 0, message("DefaultCluster_REPLY_TOPIC", "requester@1", null, 9_000));
        assertThat(pushed).isEmpty();
        p.onApplied(6, 0, message("DefaultCluster_REPLY_TOPIC", "requester@1", "1000", 9_000)); // due at 10,000
        assertThat(pushed).hasSize(1);
    }
}
