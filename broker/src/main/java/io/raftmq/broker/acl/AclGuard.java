package io.raftmq.broker.acl;

import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.client.protocol.AclSignature;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.remoting.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ACL 1.0 check of the client port (docs/security.md, "ACL"), run by the broker's serving gate before any
 * processor: a request from a globally white-listed address passes; any other needs an {@code AccessKey} of a known
 * account, used from an address the account allows, and a {@code Signature} that matches the request's fields and
 * body under the account's secret key; then the account must be an admin for admin codes and hold every grant
 * {@link AclResources} finds. A refused request is answered NO_PERMISSION (16) with a remark that names what is
 * missing, and only resources the request itself named.
 *
 * <p>The forwarding fields a follower adds when it relays a send or an end-transaction to the leader
 * ({@link LeaderForwarder#FORWARDED_FIELD}, {@link LeaderForwarder#BORN_HOST_FIELD}) are left out of the signed
 * content, so the leader checks the producer's own signature on the relayed copy. Thread-safe: the rules are one
 * immutable object, replaced whole on reload ({@link #replace}).
 */
public final class AclGuard {
    private static final Logger LOG = LoggerFactory.getLogger(AclGuard.class);
    /** Fields the broker itself adds to relayed requests: not covered by the client's signature. */
    static final Set<String> UNSIGNED = Set.of(LeaderForwarder.FORWARDED_FIELD, LeaderForwarder.BORN_HOST_FIELD);

    private volatile AclRules rules;
    private final LongAdder denied = new LongAdder();

    public AclGuard(AclRules rules) {
        this.rules = rules;
    }

    /** Uses {@code next} for every request from now on. */
    public void replace(AclRules next) {
        rules = next;
    }

    /** The rules in force. */
    public AclRules rules() {
        return rules;
    }

    /** Requests refused since start. */
    public long deniedCount() {
        return denied.sum();
    }

    /** Null when {@code request} may be served, else the NO_PERMISSION answer to send (owned by the caller). */
    public RemotingCommand check(RequestContext ctx, RemotingCommand request) {
        return check(hostOf(ctx.remoteAddress()), request);
    }

    /** As {@link #check(RequestContext, RemotingCommand)} for a request from IP {@code address}. */
    public RemotingCommand check(String address, RemotingCommand request) {
        String why = refusal(rules, address, request);
        if (why == null) {
            return null;
        }
        denied.increment();
        LOG.debug("refused request code {} from {}: {}", request.code(), address, why);
        return RemotingCommand.createResponse(ResponseCode.NO_PERMISSION, why);
    }

    /** Why {@code request} from {@code address} is refused under {@code r}, or null. */
    static String refusal(AclRules r, String address, RemotingCommand request) {
        if (r.whiteListed(address)) {
            return null;
        }
        String ak = request.extFieldsOrEmpty().get(AclSignature.ACCESS_KEY);
        String signature = request.extFieldsOrEmpty().get(AclSignature.SIGNATURE);
        if (ak == null || signature == null) {
            return "[ACL] request code " + request.code() + " refused: this broker requires an AccessKey and a"
                + " Signature (ACL is enabled)";
        }
        AclAccount a = r.account(ak);
        if (a == null || !AclSignature.matches(
                AclSignature.sign(request.extFields(), request.body(), a.secretKey(), UNSIGNED), signature)) {
            return "[ACL] signature check failed for AccessKey '" + ak + "' (unknown key, wrong secret, or the"
                + " request was changed after it was signed)";
        }
        if (a.whiteRemote() != null && !a.whiteRemote().matches(address)) {
            return "[ACL] AccessKey '" + ak + "' may not be used from " + address;
        }
        return permissionRefusal(a, request);
    }

    private static String permissionRefusal(AclAccount a, RemotingCommand request) {
        AclResources.Requirements req;
        try {
            req = AclResources.of(request);
        } catch (RuntimeException e) {
            return "[ACL] request code " + request.code() + " refused: its body cannot be read to check"
                + " permissions (" + e.getMessage() + ")";
        }
        if (req.admin() && !a.admin()) {
            return "[ACL] AccessKey '" + a.accessKey() + "' lacks admin permission, needed by request code "
                + request.code();
        }
        for (AclResources.Need n : req.needs()) {
            Permission granted = n.topic() ? a.topicPerm(n.name()) : a.groupPerm(n.name());
            if (!granted.allows(n.action())) {
                return "[ACL] AccessKey '" + a.accessKey() + "' lacks " + n + " (request code " + request.code()
                    + ")";
            }
        }
        return null;
    }

    private static String hostOf(SocketAddress a) {
        return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : null;
    }
}
