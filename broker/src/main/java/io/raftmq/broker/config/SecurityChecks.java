package io.raftmq.broker.config;

import io.raftmq.client.tls.TlsConfig;

import java.util.Map;

/**
 * The security settings of {@link BrokerConfig} (docs/security.md): parsing the {@code tls.*} keys, and checking
 * that the TLS files are readable and well-formed, the raft TLS settings complete and the raft group secret usable
 * ("Raft peer authentication"). Failures read {@code "<file>: <problem>"}, the problem naming the key.
 */
final class SecurityChecks {
    private SecurityChecks() {
    }

    /** The tls.* keys, parsed by {@link TlsConfig} (docs/security.md "TLS"). */
    static TlsConfig parseTls(String source, Map<String, String> props) throws BrokerConfigException {
        try {
            return TlsConfig.fromSettings(props);
        } catch (IllegalArgumentException e) {
            throw new BrokerConfigException(source + ": " + e.getMessage(), e);
        }
    }

    /** TLS files readable and well-formed, the raft TLS settings complete, the group secret usable. */
    static void checkSecurity(BrokerConfig c, String source) throws BrokerConfigException {
        try {
            c.tls().serverContext();
            c.tls().clientTls();
            RaftGroupSecurity.of(c);
        } catch (IllegalArgumentException e) {
            throw new BrokerConfigException(source + ": " + e.getMessage(), e);
        }
    }
}
