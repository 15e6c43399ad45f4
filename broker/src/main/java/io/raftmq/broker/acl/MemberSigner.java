package io.raftmq.broker.acl;

import io.raftmq.client.protocol.AclSignature;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;

import java.util.function.Consumer;

/**
 * Signs the requests a member sends on its own behalf to its peers' client ports (e.g. the runtime-info probe of an
 * untargeted leadership transfer) with the account the setting {@code aclBrokerAccount} names (docs/security.md,
 * "Inside the group"). The account's secret is read from the ACL rules in force, so no secret is written in the
 * broker's properties and a reload that changes it applies here too. A request that already carries an
 * {@code AccessKey} — a client's send or end-transaction relayed to the leader — keeps the client's signature, so
 * the leader checks the client; an unsigned one (from a white-listed client) gets this member's signature, made
 * like the guard checks it (without the forwarding fields, {@link AclGuard#UNSIGNED}). An account missing from the
 * rules (after a reload) leaves requests unsigned. Thread-safe.
 */
public final class MemberSigner implements Consumer<RemotingCommand> {
    private final AclGuard guard;
    private final String accessKey;

    public MemberSigner(AclGuard guard, String accessKey) {
        this.guard = guard;
        this.accessKey = accessKey;
    }

    @Override
    public void accept(RemotingCommand request) {
        ExtFields f = request.extFields();
        if (f != null && f.contains(AclSignature.ACCESS_KEY)) {
            return;
        }
        AclAccount a = guard.rules().account(accessKey);
        if (a != null) {
            request.addExtField(AclSignature.ACCESS_KEY, a.accessKey());
            request.addExtField(AclSignature.SIGNATURE, AclSignature.sign(request.extFields(), request.body(),
                a.secretKey(), AclGuard.UNSIGNED));
        }
    }
}
