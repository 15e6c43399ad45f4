package io.raftmq.client.protocol;

import io.netty.buffer.ByteBuf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Set;
import java.util.TreeMap;

/**
 * The request signature of RocketMQ ACL 1.0 (docs/security.md, "ACL"), computed by clients and checked by brokers:
 * the request's extFields other than {@link #SIGNATURE} (and any field named in {@code unsigned}), sorted by key in
 * Java {@code String} order, their values concatenated and encoded as UTF-8, then the body bytes appended; the
 * signature is the standard Base64 of HmacSHA1 over that content keyed with the UTF-8 bytes of the secret key. The
 * client adds {@link #ACCESS_KEY} (and {@link #SECURITY_TOKEN} if it has one) before signing, so both are covered.
 * Stateless and thread-safe.
 */
public final class AclSignature {
    /** extField: the account's access key. */
    public static final String ACCESS_KEY = "AccessKey";
    /** extField: the Base64 HmacSHA1 signature. */
    public static final String SIGNATURE = "Signature";
    /** extField: optional security token (signed like any other field; not checked by RaftMQ). */
    public static final String SECURITY_TOKEN = "SecurityToken";
    private static final String ALGORITHM = "HmacSHA1";

    private AclSignature() {
    }

    /**
     * The signature of {@code fields} and {@code body} under {@code secretKey}.
     *
     * @param fields    the request's extFields (may be null: none)
     * @param body      the request body (may be null); its reader index is left unchanged
     * @param unsigned  further keys left out of the content besides {@link #SIGNATURE}
     */
    public static String sign(ExtFields fields, ByteBuf body, String secretKey, Set<String> unsigned) {
        TreeMap<String, String> sorted = new TreeMap<>();
        if (fields != null) {
            for (int i = 0; i < fields.size(); i++) {
                String k = fields.keyAt(i);
                if (!SIGNATURE.equals(k) && !unsigned.contains(k)) {
                    sorted.put(k, fields.valueAt(i));
                }
            }
        }
        StringBuilder text = new StringBuilder();
        for (String v : sorted.values()) {
            text.append(v);
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            mac.update(text.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null && body.isReadable()) {
                mac.update(body.nioBuffer(body.readerIndex(), body.readableBytes()));
            }
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable in this JVM", e);
        }
    }

    /** Compares two signatures in time independent of where they first differ (null never matches). */
    public static boolean matches(String expected, String actual) {
        if (expected == null || actual == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
            actual.getBytes(StandardCharsets.UTF_8));
    }
}
