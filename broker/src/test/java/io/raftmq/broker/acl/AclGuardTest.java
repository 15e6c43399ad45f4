package io.raftmq.broker.acl;

import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.client.protocol.Credentials;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the guard lets through exactly what docs/security.md says (signature, account address, admin codes, topic
 * and group grants, retry topics, heartbeat bodies, the global white list) and refuses the rest with NO_PERMISSION
 * and a remark naming only what the request itself asked for. Replay (docs/security.md "Replay"): a verbatim copy of
 * a signed request passes again, any changed, added or removed field or body byte fails. Method: requests signed with
 * the SDK's {@link Credentials} against the rules of {@link AclFileTest#EXAMPLE}; seeded mutations.
 */
class AclGuardTest {
    private static final Credentials PRODUCER = new Credentials("producer-a", "producer-secret");
    private static final Credentials CONSUMER = new Credentials("consumer-g", "consumer-secret");
    private static final Credentials OPERATOR = new Credentials("operator", "operator-secret");
    private static final String CLIENT_IP = "10.0.0.9";

    private final AclGuard guard;

    AclGuardTest() throws AclFileException {
        guard = new AclGuard(AclFileTest.parse(AclFileTest.EXAMPLE));
    }

    /** The remark of the refusal, or null when the request passes. */
    private String check(String ip, RemotingCommand request) {
        RemotingCommand r = guard.check(ip, request);
        request.release();
        if (r == null) {
            return null;
        }
        assertThat(r.code()).isEqualTo(ResponseCode.NO_PERMISSION);
        return r.remark();
    }

    private static RemotingCommand sendV2(String topic, Credentials c) {
        RemotingCommand r = RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2).addExtField("a", "PG")
            .addExtField("b", topic).addExtField("c", "TBW102").setBody("payload".getBytes(StandardCharsets.UTF_8));
        return signed(r, c);
    }

    private static RemotingCommand signed(RemotingCommand r, Credentials c) {
        if (c != null) {
            c.sign(r);
        }
        return r;
    }

    private static RemotingCommand pull(String group, String topic, Credentials c) {
        return signed(RemotingCommand.createRequest(RequestCode.PULL_MESSAGE).addExtField("consumerGroup", group)
            .addExtField("topic", topic).addExtField("queueId", "0"), c);
    }

    private static RemotingCommand heartbeat(String group, String topic, Credentials c) {
        String consumers = group == null ? "" : "{\"groupName\":\"" + group + "\",\"subscriptionDataSet\":"
            + "[{\"topic\":\"" + topic + "\",\"subString\":\"*\"}]}";
        String body = "{\"clientID\":\"c1\",\"consumerDataSet\":[" + consumers + "],\"producerDataSet\":[]}";
        return signed(RemotingCommand.createRequest(RequestCode.HEART_BEAT)
            .setBody(body.getBytes(StandardCharsets.UTF_8)), c);
    }

    @Test
    void unsignedUnknownAndWronglySignedRequestsAreRefused() {
        assertThat(check(CLIENT_IP, sendV2("TopicA", null))).contains("requires an AccessKey and a Signature");
        assertThat(check(CLIENT_IP, sendV2("TopicA", new Credentials("stranger", "producer-secret"))))
            .contains("signature check failed for AccessKey 'stranger'");
        assertThat(check(CLIENT_IP, sendV2("TopicA", new Credentials("producer-a", "guessed-secret"))))
            .contains("signature check failed for AccessKey 'producer-a'");
        assertThat(check(CLIENT_IP, sendV2("TopicA", PRODUCER))).isNull();
        assertThat(guard.deniedCount()).isEqualTo(3);
    }

    @Test
    void topicAndGroupGrantsDecideSendsPullsAndHeartbeats() {
        String b = check(CLIENT_IP, sendV2("TopicB", PRODUCER));
        assertThat(b).contains("'producer-a' lacks PUB on topic 'TopicB'").doesNotContain("TopicA");
        assertThat(check(CLIENT_IP, sendV2("TopicA", CONSUMER))).contains("lacks PUB on topic 'TopicA'");
        RemotingCommand v1 = signed(RemotingCommand.createRequest(RequestCode.SEND_MESSAGE)
            .addExtField("producerGroup", "PG").addExtField("topic", "TopicB"), PRODUCER);
        assertThat(check(CLIENT_IP, v1)).contains("lacks PUB on topic 'TopicB'");

        assertThat(check(CLIENT_IP, pull("GroupG", "TopicA", CONSUMER))).isNull();
        assertThat(check(CLIENT_IP, pull("GroupH", "TopicA", CONSUMER))).contains("lacks SUB on group 'GroupH'");
        assertThat(check(CLIENT_IP, pull("GroupG", "TopicA", PRODUCER))).contains("lacks SUB on group 'GroupG'");
        assertThat(check(CLIENT_IP, pull("GroupG", "%RETRY%GroupG", CONSUMER))).isNull();
        // a retry topic stands for its group: sending back to %RETRY%GroupG needs SUB on GroupG, not PUB
        assertThat(check(CLIENT_IP, sendV2("%RETRY%GroupG", CONSUMER))).isNull();
        assertThat(check(CLIENT_IP, sendV2("%RETRY%GroupG", PRODUCER))).contains("lacks SUB on group 'GroupG'");

        assertThat(check(CLIENT_IP, heartbeat("GroupG", "TopicA", CONSUMER))).isNull();
        assertThat(check(CLIENT_IP, heartbeat("GroupG", "TopicB", CONSUMER))).contains("lacks SUB on topic 'TopicB'");
        assertThat(check(CLIENT_IP, heartbeat(null, null, PRODUCER))).isNull();
        RemotingCommand broken = signed(RemotingCommand.createRequest(RequestCode.HEART_BEAT)
            .setBody("{\"consumerDataSet\":[".getBytes(StandardCharsets.UTF_8)), CONSUMER);
        assertThat(check(CLIENT_IP, broken)).contains("body cannot be read");
    }

    @Test
    void adminCodesNeedAnAdminFromAnAllowedAddress() {
        assertThat(check(CLIENT_IP, createTopic(PRODUCER))).contains("'producer-a' lacks admin permission");
        assertThat(check("127.0.0.1", createTopic(OPERATOR))).isNull();
        assertThat(check(CLIENT_IP, createTopic(OPERATOR))).contains("'operator' may not be used from 10.0.0.9");
        // codes without resources need only a valid signature
        assertThat(check(CLIENT_IP, signed(RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO),
            PRODUCER))).isNull();
        assertThat(check(CLIENT_IP, RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO)))
            .contains("requires an AccessKey");
    }

    private static RemotingCommand createTopic(Credentials c) {
        return signed(RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC).addExtField("topic", "T9")
            .addExtField("readQueueNums", "4"), c);
    }

    @Test
    void theGlobalWhiteListNeedsNoSignature() {
        assertThat(check("10.10.103.5", sendV2("TopicB", null))).isNull();
        assertThat(check("10.10.103.5", createTopic(null))).isNull();
        assertThat(check("10.10.104.5", sendV2("TopicB", null))).contains("requires an AccessKey");
    }

    @Test
    void aVerbatimReplayPassesAndAnyChangeFails() {
        long seed = Seeds.seed("acl.replay.seed", 26L);
        Random rnd = new Random(seed);
        RemotingCommand original = sendV2("TopicA", PRODUCER);
        assertThat(check(CLIENT_IP, copy(original, null))).isNull();
        assertThat(check(CLIENT_IP, copy(original, null))).as("verbatim replay").isNull();
        ExtFields f = original.extFields();
        for (int round = 0; round < 50; round++) {
            int i = rnd.nextInt(f.size());
            String key = f.keyAt(i);
            int what = rnd.nextInt(4);
            RemotingCommand changed = copy(original, what == 3 ? key : null);
            if (what == 0) {
                changed.addExtField(key, f.valueAt(i) + "x");
            } else if (what == 1) {
                changed.addExtField("extra" + round, "1");
            } else if (what == 2) {
                byte[] body = original.bodyBytes();
                body[rnd.nextInt(body.length)] ^= (byte) (1 + rnd.nextInt(255));
                changed.setBody(body);
            }
            assertThat(check(CLIENT_IP, changed)).as("round %d, change %d of field %s", round, what, key).isNotNull();
        }
        original.release();
    }

    @Test
    void theLeadersCheckIgnoresOnlyTheForwardingFields() {
        RemotingCommand original = sendV2("TopicA", PRODUCER);
        RemotingCommand relayed = copy(original, null);
        relayed.addExtField(LeaderForwarder.FORWARDED_FIELD, "1");
        relayed.addExtField(LeaderForwarder.BORN_HOST_FIELD, "10.0.0.9:51000");
        assertThat(check(CLIENT_IP, relayed)).isNull();
        RemotingCommand altered = copy(original, null);
        altered.addExtField("b", "TopicB");
        altered.addExtField(LeaderForwarder.FORWARDED_FIELD, "1");
        assertThat(check(CLIENT_IP, altered)).contains("signature check failed");
        original.release();
    }

    /** A copy of {@code r}'s fields (all but {@code dropKey}, if any) and body. */
    private static RemotingCommand copy(RemotingCommand r, String dropKey) {
        RemotingCommand c = RemotingCommand.createRequest(r.code());
        ExtFields f = r.extFields();
        for (int i = 0; i < f.size(); i++) {
            if (!f.keyAt(i).equals(dropKey)) {
                c.addExtField(f.keyAt(i), f.valueAt(i));
            }
        }
        return c.setBody(r.bodyBytes());
    }
}
