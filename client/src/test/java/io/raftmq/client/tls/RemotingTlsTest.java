package io.raftmq.client.tls;

import io.netty.handler.ssl.ClientAuth;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RemotingException;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import io.raftmq.testsupport.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: TLS on the remoting port (docs/security.md "TLS"). An enforcing server answers TLS clients and refuses a
 * plain one (its call fails, the server keeps no connection); a permissive server answers both; a server requiring
 * client certificates refuses a TLS client without one; a client refuses a server its CA did not sign; bad settings
 * fail at startup naming the key or file. Method: our RemotingServer with an echo processor and our RemotingClient
 * on 127.0.0.1, certificates from a CA made in the test ({@link TestPki}).
 */
@SocketTest
class RemotingTlsTest {
    private static final int ECHO = 1000;
    @TempDir
    static Path dir;
    private static TestPki ca;
    private static Path caPem;
    private static TestPki.Issued server;
    private static TestPki.Issued client;

    private final List<RemotingClient> clients = new ArrayList<>();
    private final ExecutorService exec = Executors.newSingleThreadExecutor();
    private RemotingServer remoting;

    @BeforeAll
    static void pki() {
        ca = TestPki.newCa("raftmq test CA");
        caPem = ca.writeCa(dir.resolve("ca.crt"));
        server = ca.issue("broker", dir, "server");
        client = ca.issue("client", dir, "client");
    }

    @AfterEach
    void stop() {
        clients.forEach(RemotingClient::shutdown);
        if (remoting != null) {
            remoting.shutdown();
        }
        exec.shutdownNow();
    }

    private String startServer(TlsMode mode, ClientAuth auth) throws Exception {
        remoting = new RemotingServer(RemotingServerConfig.defaults("127.0.0.1", 0));
        remoting.registerProcessor(ECHO, (ctx, req) -> RemotingCommand.createResponse(0, "echo"), exec);
        remoting.enableTls(new TlsConfig(mode, server.cert().toString(), server.key().toString(), null,
                caPem.toString(), auth, false, null));
        remoting.start();
        return "127.0.0.1:" + remoting.port();
    }

    private RemotingClient client(ClientTls tls) {
        RemotingClient c = new RemotingClient(new RemotingClientConfig("127.0.0.1", 1, 1 << 20, 3000, 0, 64));
        if (tls != null) {
            c.useTls(tls);
        }
        c.start();
        clients.add(c);
        return c;
    }

    private static String echo(RemotingClient c, String addr) throws Exception {
        RemotingCommand r = c.invokeSync(addr, RemotingCommand.createRequest(ECHO), 5_000);
        try {
            return r.remark();
        } finally {
            r.release();
        }
    }

    @Test
    void enforcingAnswersTlsAndRefusesPlain() throws Exception {
        String addr = startServer(TlsMode.ENFORCING, ClientAuth.NONE);
        assertThat(echo(client(ClientTls.trustCa(caPem.toString())), addr)).isEqualTo("echo");
        RemotingClient plain = client(null);
        assertThatThrownBy(() -> echo(plain, addr)).isInstanceOf(RemotingException.class);
        Awaits.await("the plain connection closed on both sides")
                .until(() -> remoting.channelCount() == 1 && plain.channelCount() == 0);
    }

    @Test
    void permissiveAnswersBoth() throws Exception {
        String addr = startServer(TlsMode.PERMISSIVE, ClientAuth.NONE);
        RemotingClient tls = client(ClientTls.insecureTrustAllForTests());
        assertThat(echo(tls, addr)).isEqualTo("echo");
        assertThat(echo(client(null), addr)).isEqualTo("echo");
        assertThat(echo(tls, addr)).isEqualTo("echo");
        assertThat(remoting.channelCount()).isEqualTo(2);
    }

    @Test
    void requiredClientCertificateIsChecked() throws Exception {
        String addr = startServer(TlsMode.ENFORCING, ClientAuth.REQUIRE);
        RemotingClient anonymous = client(ClientTls.trustCa(caPem.toString()));
        assertThatThrownBy(() -> echo(anonymous, addr)).isInstanceOf(RemotingException.class);
        ClientTls withCert = ClientTls.trustCa(caPem.toString())
                .withClientCertificate(client.cert().toString(), client.key().toString());
        assertThat(echo(client(withCert), addr)).isEqualTo("echo");
    }

    @Test
    void clientRefusesServerOfAnotherCa() throws Exception {
        String addr = startServer(TlsMode.ENFORCING, ClientAuth.NONE);
        Path otherCa = TestPki.newCa("other CA").writeCa(dir.resolve("other-ca.crt"));
        RemotingClient c = client(ClientTls.trustCa(otherCa.toString()));
        assertThatThrownBy(() -> echo(c, addr)).isInstanceOf(RemotingException.class);
    }

    @Test
    void badSettingsFailAtStartupWithTheirName() throws Exception {
        assertThatThrownBy(() -> TlsConfig.fromSettings(Map.of(TlsConfig.MODE, "strict")))
                .hasMessageContaining("unknown TLS mode 'strict'");
        assertThatThrownBy(() -> TlsConfig.fromSettings(Map.of("tls.server.certpath", "x")))
                .hasMessageContaining("unknown TLS key(s) [tls.server.certpath]");
        TlsConfig missing = TlsConfig.fromSettings(Map.of(TlsConfig.MODE, "enforcing", TlsConfig.CERT_PATH,
                dir.resolve("nope.crt").toString(), TlsConfig.KEY_PATH, server.key().toString()));
        assertThatThrownBy(missing::serverContext).hasMessageContaining(TlsConfig.CERT_PATH)
                .hasMessageContaining("nope.crt");
        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate\n");
        TlsConfig bad = TlsConfig.fromSettings(Map.of(TlsConfig.MODE, "permissive", TlsConfig.CERT_PATH,
                garbage.toString(), TlsConfig.KEY_PATH, server.key().toString()));
        assertThatThrownBy(bad::serverContext).hasMessageContaining("garbage.crt");
        TlsConfig noTrust = TlsConfig.fromSettings(Map.of(TlsConfig.MODE, "enforcing", TlsConfig.CERT_PATH,
                server.cert().toString(), TlsConfig.KEY_PATH, server.key().toString(), TlsConfig.NEED_CLIENT_AUTH,
                "require"));
        assertThatThrownBy(noTrust::serverContext).hasMessageContaining(TlsConfig.TRUST_CERT_PATH);
        assertThat(TlsConfig.fromSettings(Map.of()).serverContext()).isNull();
        assertThatThrownBy(() -> TlsConfig.fromSettings(Map.of(TlsConfig.CLIENT_ENABLE, "true")).clientTls())
                .hasMessageContaining(TlsConfig.CLIENT_TRUST_CERT_PATH);
    }
}
