package io.raftmq.broker.config;

import io.raftmq.client.tls.TlsConfig;
import io.raftmq.client.tls.TlsMode;
import io.raftmq.raft.transport.netty.PeerSecurity;
import io.raftmq.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the TLS and raft peer settings of broker.properties (docs/security.md) load, round-trip through
 * {@code toProperties} (an inline group secret masked) and fail at load with the file and the key named: unknown
 * mode, unknown tls key, missing or non-PEM file, raftTls without certificates, a short or unreadable group secret.
 * Method: {@link BrokerConfigTest#base()} plus the keys under test; certificates from {@link TestPki}.
 */
class BrokerConfigSecurityTest {
    private static final String SRC = "broker-x.properties";
    @TempDir
    Path dir;

    private static Map<String, String> with(String... kv) {
        Map<String, String> m = BrokerConfigTest.base();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void assertRejected(Map<String, String> m, String... expected) {
        assertThatThrownBy(() -> BrokerConfig.fromProperties(m, SRC)).isInstanceOf(BrokerConfigException.class)
            .hasMessageStartingWith(SRC + ": ").hasMessageContainingAll(expected);
    }

    @Test
    void tlsAndRaftSecurityLoad() throws Exception {
        TestPki ca = TestPki.newCa("test CA");
        Path caPem = ca.writeCa(dir.resolve("ca.crt"));
        TestPki.Issued n = ca.issue("n1", dir, "n1");
        BrokerConfig c = BrokerConfig.fromProperties(with(TlsConfig.MODE, "enforcing", TlsConfig.CERT_PATH,
            n.cert().toString(), TlsConfig.KEY_PATH, n.key().toString(), TlsConfig.TRUST_CERT_PATH, caPem.toString(),
            "raftTls", "true", "raftGroupSecret", "sixteen-bytes-secret"), SRC);
        assertThat(c.tls().mode()).isEqualTo(TlsMode.ENFORCING);
        assertThat(RaftGroupSecurity.of(c).describe()).isEqualTo("mutual TLS + group secret");
        assertThat(c.toProperties()).containsEntry(TlsConfig.MODE, "enforcing").containsEntry("raftGroupSecret", "***")
            .doesNotContainKey("tls");
        assertThat(BrokerConfig.fromProperties(BrokerConfigTest.base(), SRC).tls().enabled()).isFalse();
        assertThat(RaftGroupSecurity.of(BrokerConfig.fromProperties(BrokerConfigTest.base(), SRC)))
            .isSameAs(PeerSecurity.NONE);
    }

    @Test
    void badSettingsNameTheirKeyOrFile() throws Exception {
        assertRejected(with(TlsConfig.MODE, "strict"), "unknown TLS mode 'strict'");
        assertRejected(with("tls.server.keypath", "x"), "unknown TLS key(s) [tls.server.keypath]");
        assertRejected(with(TlsConfig.MODE, "enforcing", TlsConfig.CERT_PATH, dir.resolve("none.crt").toString(),
            TlsConfig.KEY_PATH, dir.resolve("none.key").toString()), TlsConfig.CERT_PATH, "none.crt");
        Path junk = Files.writeString(dir.resolve("junk.pem"), "junk\n");
        assertRejected(with(TlsConfig.MODE, "permissive", TlsConfig.CERT_PATH, junk.toString(), TlsConfig.KEY_PATH,
            junk.toString()), "junk.pem");
        assertRejected(with("raftTls", "true"), "raftTls=true needs " + TlsConfig.CERT_PATH);
        assertRejected(with("raftGroupSecret", "short"), "raftGroupSecret", "at least 16 bytes");
        assertRejected(with("raftGroupSecret", "file:" + dir.resolve("no-secret")), "raftGroupSecret", "no-secret");
        assertRejected(with(TlsConfig.CLIENT_ENABLE, "true"), TlsConfig.CLIENT_TRUST_CERT_PATH);
    }
}
