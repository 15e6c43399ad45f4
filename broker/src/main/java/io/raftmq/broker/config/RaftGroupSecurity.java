package io.raftmq.broker.config;

import io.raftmq.client.tls.TlsConfig;
import io.raftmq.raft.transport.netty.PeerSecurity;

import java.nio.file.Path;

/**
 * How a member protects its raft links (docs/security.md "Raft peer authentication"), from its configuration:
 * {@code raftTls=true} turns on mutual TLS with the member certificate, key and group CA of the {@code tls.server.*}
 * keys; a non-empty {@code raftGroupSecret} (the secret, or {@code file:PATH}) turns on the peer handshake. Neither:
 * {@link PeerSecurity#NONE}, links as before.
 */
public final class RaftGroupSecurity {
    private RaftGroupSecurity() {
    }

    /**
     * The raft link protection {@code c} asks for; the files are read and checked now.
     *
     * @throws IllegalArgumentException naming the key or file of the first problem
     */
    public static PeerSecurity of(BrokerConfig c) {
        byte[] secret;
        try {
            secret = c.raftGroupSecret().isBlank() ? null : PeerSecurity.secret(c.raftGroupSecret().trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("raftGroupSecret: " + e.getMessage(), e);
        }
        if (!c.raftTls()) {
            return secret == null ? PeerSecurity.NONE : PeerSecurity.secretOnly(secret);
        }
        TlsConfig t = c.tls();
        require(TlsConfig.CERT_PATH, t.certPath());
        require(TlsConfig.KEY_PATH, t.keyPath());
        require(TlsConfig.TRUST_CERT_PATH, t.trustCertPath());
        return PeerSecurity.mutualTls(Path.of(t.certPath()), Path.of(t.keyPath()), Path.of(t.trustCertPath()), secret);
    }

    private static void require(String key, String value) {
        if (value == null) {
            throw new IllegalArgumentException("raftTls=true needs " + key + " (the member's certificate and key, and"
                + " the group CA)");
        }
    }
}
