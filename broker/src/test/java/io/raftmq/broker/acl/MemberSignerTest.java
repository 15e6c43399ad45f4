package io.raftmq.broker.acl;

import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.client.protocol.AclSignature;
import io.raftmq.client.protocol.Credentials;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a member signs its own requests to its peers with the aclBrokerAccount account so that the peers' guards
 * pass them, and never replaces a relayed client's signature (docs/security.md "Inside the group"). Method: the
 * rules of {@link AclFileTest#EXAMPLE} with "operator" as the member account; requests checked from the account's
 * allowed address.
 */
class MemberSignerTest {
    @Test
    void ownRequestsAreSignedAndRelayedOnesKeepTheirSignature() throws AclFileException {
        AclGuard guard = new AclGuard(AclFileTest.parse(AclFileTest.EXAMPLE));
        MemberSigner signer = new MemberSigner(guard, "operator");

        RemotingCommand probe = RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO);
        assertThat(guard.check("127.0.0.1", probe)).isNotNull();
        signer.accept(probe);
        assertThat(probe.extFields().get(AclSignature.ACCESS_KEY)).isEqualTo("operator");
        assertThat(guard.check("127.0.0.1", probe)).isNull();

        RemotingCommand relayed = send("TopicA");
        new Credentials("producer-a", "producer-secret").sign(relayed);
        String clientSignature = relayed.extFields().get(AclSignature.SIGNATURE);
        relayed.addExtField(LeaderForwarder.FORWARDED_FIELD, "1");
        signer.accept(relayed);
        assertThat(relayed.extFields().get(AclSignature.ACCESS_KEY)).isEqualTo("producer-a");
        assertThat(relayed.extFields().get(AclSignature.SIGNATURE)).isEqualTo(clientSignature);
        assertThat(guard.check("10.0.0.9", relayed)).isNull();

        RemotingCommand whiteListed = send("TopicZ"); // a white-listed client's unsigned send, relayed
        whiteListed.addExtField(LeaderForwarder.FORWARDED_FIELD, "1");
        whiteListed.addExtField(LeaderForwarder.BORN_HOST_FIELD, "10.10.103.5:40000");
        signer.accept(whiteListed);
        assertThat(guard.check("127.0.0.1", whiteListed)).isNull();
        relayed.release();
        whiteListed.release();
    }

    @Test
    void anAccountGoneFromTheRulesLeavesRequestsUnsigned() throws AclFileException {
        AclGuard guard = new AclGuard(AclFileTest.parse(AclFileTest.EXAMPLE));
        MemberSigner signer = new MemberSigner(guard, "retired-member");
        RemotingCommand probe = RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO);
        signer.accept(probe);
        assertThat(probe.extFields()).isNull();
    }

    private static RemotingCommand send(String topic) {
        return RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2).addExtField("a", "PG").addExtField("b", topic)
            .setBody("relayed".getBytes(StandardCharsets.UTF_8));
    }
}
