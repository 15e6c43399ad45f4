package io.raftmq.client.protocol;

import io.raftmq.testsupport.GoldenVectors;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Golden vector 37 (test-support vectors/README.md): an ACL 1.0 signed SEND_MESSAGE_V2 request — keys, the
 * extFields in file order (without AccessKey and Signature, which the signer adds), the body and the signature the
 * official AclClientRPCHook computes. Shared with the broker's tests through the client test-jar.
 *
 * @param accessKey the account's access key
 * @param secretKey its secret key
 * @param ext       the header fields before signing
 * @param body      the body bytes
 * @param signature the pinned signature
 */
public record AclVector(String accessKey, String secretKey, Map<String, String> ext, byte[] body, String signature) {
    public static final String NAME = "37_acl_signed_send_v2.txt";

    /** Reads the vector. */
    public static AclVector load() {
        Map<String, String> m = new LinkedHashMap<>();
        Map<String, String> ext = new LinkedHashMap<>();
        for (String line : GoldenVectors.text(NAME).split("\n")) {
            String[] p = line.split(" ");
            if (line.startsWith("#") || p.length < 2) {
                continue;
            }
            if (p[0].equals("ext")) {
                ext.put(p[1], new String(HexFormat.of().parseHex(p[2]), StandardCharsets.UTF_8));
            } else {
                m.put(p[0], p[1]);
            }
        }
        return new AclVector(m.get("accessKey"), m.get("secretKey"), ext, HexFormat.of().parseHex(m.get("body")),
            m.get("signature"));
    }

    /** The unsigned request: a SEND_MESSAGE_V2 command with the vector's fields and a copy of its body. */
    public RemotingCommand request() {
        RemotingCommand c = RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2);
        ext.forEach(c::addExtField);
        return c.setBody(body.clone());
    }
}
