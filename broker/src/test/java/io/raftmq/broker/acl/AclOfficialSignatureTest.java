package io.raftmq.broker.acl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.raftmq.client.protocol.AclVector;
import io.raftmq.client.protocol.RemotingCommandCodec;
import io.raftmq.client.protocol.ResponseCode;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the official 5.3.3 client's ACL hook and RaftMQ agree on the signature (docs/security.md "ACL"). Method: the
 * official AclClientRPCHook signs golden vector 37's request and must produce the pinned signature; the official
 * encoder's frame of that request is decoded by RaftMQ's codec and passes the {@link AclGuard}, while the same frame
 * with one body byte or one header character changed is refused with NO_PERMISSION.
 */
class AclOfficialSignatureTest {
    @Test
    void officialHookComputesThePinnedSignature() {
        AclVector v = AclVector.load();
        RemotingCommand c = officialSigned(v);
        assertThat(c.getExtFields()).containsEntry("AccessKey", v.accessKey()).containsEntry("Signature",
            v.signature());
    }

    @Test
    void officialFramePassesTheGuardAndTamperedFramesDoNot() {
        AclVector v = AclVector.load();
        AclGuard guard = new AclGuard(new AclRules(List.of(), Map.of(v.accessKey(), new AclAccount(v.accessKey(),
            v.secretKey(), null, false, Permission.DENY, Permission.DENY, Map.of("TopicA", Permission.PUB),
            Map.of()))));
        byte[] frame = frameOf(officialSigned(v));
        assertThat(check(guard, frame)).isNull();

        byte[] body = frame.clone();
        body[body.length - 1] ^= 1;
        assertThat(check(guard, body)).startsWith("[ACL] signature check failed");

        String text = new String(frame, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("TopicA");
        byte[] header = frame.clone();
        header[at + 5] = 'B';
        assertThat(check(guard, header)).startsWith("[ACL] signature check failed");
    }

    private static RemotingCommand officialSigned(AclVector v) {
        RemotingCommand c = RemotingCommand.createRequestCommand(310, null);
        v.ext().forEach(c::addExtField);
        c.setBody(v.body());
        new AclClientRPCHook(new SessionCredentials(v.accessKey(), v.secretKey())).doBeforeRequest("127.0.0.1:1", c);
        return c;
    }

    /** The official encoder's frame (header word, header, body) without the 4-byte length prefix. */
    private static byte[] frameOf(RemotingCommand c) {
        ByteBuffer b = c.encode();
        b.getInt();
        byte[] frame = new byte[b.remaining()];
        b.get(frame);
        return frame;
    }

    /** The guard's remark for the decoded frame, or null when it passes. */
    private static String check(AclGuard guard, byte[] frame) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        io.raftmq.client.protocol.RemotingCommand ours = new RemotingCommandCodec().decode(buf);
        try {
            io.raftmq.client.protocol.RemotingCommand r = guard.check("10.0.0.7", ours);
            if (r == null) {
                return null;
            }
            assertThat(r.code()).isEqualTo(ResponseCode.NO_PERMISSION);
            return r.remark();
        } finally {
            ours.release();
            buf.release();
        }
    }
}
