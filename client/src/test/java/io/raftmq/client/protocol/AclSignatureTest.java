package io.raftmq.client.protocol;

import io.netty.buffer.Unpooled;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: RaftMQ's ACL 1.0 signer (docs/security.md "ACL") produces the official client's signature byte for byte, and
 * any change to a signed field or the body changes it. Method: golden vector 37 (a SEND_MESSAGE_V2 request whose
 * signature the official AclClientRPCHook computes, checked in the broker's AclOfficialSignatureTest) signed with
 * {@link Credentials}; then seeded single-character changes of every field and of the body.
 */
class AclSignatureTest {
    @Test
    void signsTheGoldenRequestLikeTheOfficialHook() {
        AclVector v = AclVector.load();
        RemotingCommand c = v.request();
        new Credentials(v.accessKey(), v.secretKey()).sign(c);
        assertThat(c.extFields().get(AclSignature.ACCESS_KEY)).isEqualTo(v.accessKey());
        assertThat(c.extFields().get(AclSignature.SIGNATURE)).isEqualTo(v.signature());
        assertThat(c.bodyBytes()).isEqualTo(v.body()); // signing leaves the body as it was
        c.release();
    }

    @Test
    void everyChangedFieldOrBodyByteChangesTheSignature() {
        long seed = Seeds.seed("acl.signature.seed", 0x5eed_ac1L); // printed by Seeds
        Random rnd = new Random(seed);
        AclVector v = AclVector.load();
        for (String key : v.ext().keySet()) {
            RemotingCommand c = v.request();
            String old = c.extFields().get(key);
            int at = rnd.nextInt(old.length());
            c.addExtField(key, old.substring(0, at) + (char) (old.charAt(at) ^ 1) + old.substring(at + 1));
            c.addExtField(AclSignature.ACCESS_KEY, v.accessKey());
            assertThat(AclSignature.sign(c.extFields(), c.body(), v.secretKey(), Set.of()))
                .as("field %s changed", key).isNotEqualTo(v.signature());
            c.release();
        }
        byte[] body = v.body().clone();
        body[rnd.nextInt(body.length)] ^= 1;
        RemotingCommand c = v.request().setBody(body);
        c.addExtField(AclSignature.ACCESS_KEY, v.accessKey());
        assertThat(AclSignature.sign(c.extFields(), c.body(), v.secretKey(), Set.of())).isNotEqualTo(v.signature());
        assertThat(AclSignature.sign(c.extFields(), Unpooled.wrappedBuffer(v.body()), v.secretKey(), Set.of()))
            .isEqualTo(v.signature());
        c.release();
    }

    @Test
    void signaturesCompareOnlyWhenEqual() {
        assertThat(AclSignature.matches("abc=", "abc=")).isTrue();
        assertThat(AclSignature.matches("abc=", "abd=")).isFalse();
        assertThat(AclSignature.matches(null, "abc=")).isFalse();
        assertThatThrownBy(() -> new Credentials("ak", " ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Credentials("ak", "secret").toString()).doesNotContain("secret=secret").contains("***");
    }
}
