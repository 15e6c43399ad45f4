package io.raftmq.tools.admin;

import io.raftmq.client.protocol.Credentials;
import io.raftmq.client.remoting.RemotingClient;

import java.util.function.UnaryOperator;

/**
 * The ACL 1.0 account {@code bin/raftmq-admin} signs its requests with (docs/security.md "Clients", docs/admin.md
 * "Global options"): taken from the environment variables {@link #ACCESS_KEY} and {@link #SECRET_KEY}, not from
 * options, so the secret never shows in the process list or the shell history. Neither set: unsigned requests (a
 * broker without ACL, or a white-listed host); only one set: a usage error.
 */
final class AdminCredentials {
    static final String ACCESS_KEY = "RAFTMQ_ACCESS_KEY";
    static final String SECRET_KEY = "RAFTMQ_SECRET_KEY";

    private AdminCredentials() {
    }

    /** The credentials in {@code env}, or null when neither variable is set. */
    static Credentials from(UnaryOperator<String> env) {
        String ak = env.apply(ACCESS_KEY);
        String sk = env.apply(SECRET_KEY);
        boolean hasAk = ak != null && !ak.isEmpty();
        boolean hasSk = sk != null && !sk.isEmpty();
        if (hasAk != hasSk) {
            throw new IllegalArgumentException("set both " + ACCESS_KEY + " and " + SECRET_KEY + " (ACL credentials,"
                + " docs/security.md), or neither");
        }
        return hasAk ? new Credentials(ak, sk) : null;
    }

    /** The credentials of this process's environment, or null. */
    static Credentials fromEnvironment() {
        return from(System::getenv);
    }

    /** Signs every request of {@code client} with the environment's credentials, if any; returns the client. */
    static RemotingClient sign(RemotingClient client) {
        Credentials c = fromEnvironment();
        if (c != null) {
            client.setRequestSigner(c::sign);
        }
        return client;
    }
}
