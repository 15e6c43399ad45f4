package io.raftmq.client.protocol;

import java.util.Set;

/**
 * An ACL 1.0 account's credentials on the client side (docs/security.md, "ACL"; docs/sdk.md): {@link #sign} adds
 * {@link AclSignature#ACCESS_KEY}, the optional {@link AclSignature#SECURITY_TOKEN} and the
 * {@link AclSignature#SIGNATURE} of the request as it will be written, as the official client's ACL hook does.
 * Immutable; {@link #toString} never shows the secret.
 *
 * @param accessKey     the account's access key (non-blank)
 * @param secretKey     its secret key (non-blank)
 * @param securityToken optional token sent along and signed (null: none)
 */
public record Credentials(String accessKey, String secretKey, String securityToken) {
    public Credentials {
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("credentials: accessKey and secretKey must both be non-blank");
        }
    }

    /** Credentials without a security token. */
    public Credentials(String accessKey, String secretKey) {
        this(accessKey, secretKey, null);
    }

    /** Signs {@code request} in place: call it once the header and the body are final. */
    public void sign(RemotingCommand request) {
        request.addExtField(AclSignature.ACCESS_KEY, accessKey);
        if (securityToken != null) {
            request.addExtField(AclSignature.SECURITY_TOKEN, securityToken);
        }
        request.addExtField(AclSignature.SIGNATURE,
            AclSignature.sign(request.extFields(), request.body(), secretKey, Set.of()));
    }

    @Override
    public String toString() {
        return "Credentials[accessKey=" + accessKey + ", secretKey=***]";
    }
}
