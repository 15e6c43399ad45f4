package io.raftmq.broker.it;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.tls.ClientTls;
import io.raftmq.client.tls.TlsConfig;
import io.raftmq.testsupport.SocketTest;
import io.raftmq.testsupport.TestPki;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.netty.TlsSystemConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the official RocketMQ 5.3.3 client's TLS switch works against RaftMQ (docs/security.md "TLS"). An enforcing
 * NameServer and group (raft links with mutual TLS and the group secret) serve an official producer and lite-pull
 * consumer that use TLS (one switch for NameServer and broker connections, as the official client has), and our SDK
 * producer and admin client with a trusted CA; a plain official producer gets no route, and a plain connection to
 * the broker is closed by the broker before any answer. A permissive group serves TLS and plain official producers
 * alike.
 * Method: TestCluster with a CA made in the test ({@link TestPki}); the official client reads its tls.client.*
 * settings into TlsSystemConfig's static fields when that class loads, so the test sets those fields (and the
 * system properties) and restores both afterwards.
 */
@SocketTest
class OfficialClientTlsTest {
    private static final String TOPIC = "TlsTopic";
    @TempDir
    Path dir;
    private Path ca;
    private TestPki.Issued server;
    private final Map<String, String> savedProperties = new LinkedHashMap<>();
    private boolean savedTestMode;
    private boolean savedAuthServer;
    private String savedTrust;

    @BeforeEach
    void officialClientTrustsTheTestCa() {
        TestPki pki = TestPki.newCa("raftmq test CA");
        ca = pki.writeCa(dir.resolve("ca.crt"));
        server = pki.issue("broker", dir, "server");
        savedTestMode = TlsSystemConfig.tlsTestModeEnable;
        savedAuthServer = TlsSystemConfig.tlsClientAuthServer;
        savedTrust = TlsSystemConfig.tlsClientTrustCertPath;
        setProperty(TlsSystemConfig.TLS_TEST_MODE_ENABLE, "false");
        setProperty(TlsSystemConfig.TLS_CLIENT_AUTHSERVER, "true");
        setProperty(TlsSystemConfig.TLS_CLIENT_TRUSTCERTPATH, ca.toString());
        TlsSystemConfig.tlsTestModeEnable = false;
        TlsSystemConfig.tlsClientAuthServer = true;
        TlsSystemConfig.tlsClientTrustCertPath = ca.toString();
    }

    private void setProperty(String key, String value) {
        savedProperties.put(key, System.getProperty(key));
        System.setProperty(key, value);
    }

    @AfterEach
    void restore() {
        TlsSystemConfig.tlsTestModeEnable = savedTestMode;
        TlsSystemConfig.tlsClientAuthServer = savedAuthServer;
        TlsSystemConfig.tlsClientTrustCertPath = savedTrust;
        savedProperties.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    private Map<String, String> tls(String mode) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TlsConfig.MODE, mode);
        m.put(TlsConfig.CERT_PATH, server.cert().toString());
        m.put(TlsConfig.KEY_PATH, server.key().toString());
        m.put(TlsConfig.TRUST_CERT_PATH, ca.toString());
        m.put(TlsConfig.CLIENT_ENABLE, "true");
        m.put(TlsConfig.CLIENT_TRUST_CERT_PATH, ca.toString());
        return m;
    }

    private static DefaultMQProducer producer(TestCluster c, String group, boolean tls) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(group);
        p.setNamesrvAddr(c.namesrv());
        p.setInstanceName(group + "-" + System.nanoTime());
        p.setUseTLS(tls);
        p.setSendMsgTimeout(5000);
        p.start();
        return p;
    }

    private static Message msg(String body) {
        return new Message(TOPIC, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void enforcingGroupServesTlsClientsOnly() throws Exception {
        Map<String, String> settings = tls("enforcing");
        settings.put("raftTls", "true");
        settings.put("raftGroupSecret", "a-group-secret-for-this-test");
        try (TestCluster c = new TestCluster(dir.resolve("enforcing"), 3, settings).startAll()) {
            c.awaitLeaderRegistered(15_000);
            DefaultMQProducer p = producer(c, "TlsPG", true);
            try {
                for (int i = 0; i < 10; i++) {
                    assertThat(p.send(msg("tls-" + i)).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                }
            } finally {
                p.shutdown();
            }
            assertThat(consumeAll(c, 10)).hasSize(10);
            try (Producer ours = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("OurTlsPG")
                .tls(ClientTls.trustCa(ca.toString())).build())) {
                ours.start();
                assertThat(ours.send(io.raftmq.client.producer.Message.of(TOPIC, "ours")).status().name())
                    .isEqualTo("SEND_OK");
            }
            try (AdminClient admin = new AdminClient(ClientConfig.defaults(List.of(c.namesrv()))
                .withTls(ClientTls.trustCa(ca.toString())))) {
                admin.start();
                assertThat(admin.topicStats(TOPIC).offsetTable()).isNotEmpty(); // the NameServer, then the broker
            }
            DefaultMQProducer plain = producer(c, "PlainPG", false);
            try {
                // the enforcing NameServer closes the plain connection: the client reports no route, or the failed
                // route request itself, depending on when the close reaches it
                assertThatThrownBy(() -> plain.send(msg("plain")))
                    .hasMessageMatching("(?s).*(route|send request to \\S+ failed).*");
            } finally {
                plain.shutdown();
            }
            assertPlainConnectionClosed(c.leader().localAddress());
        }
    }

    private static Set<String> consumeAll(TestCluster c, int n) throws Exception {
        DefaultLitePullConsumer consumer = new DefaultLitePullConsumer("TlsCG");
        consumer.setNamesrvAddr(c.namesrv());
        consumer.setInstanceName("TlsCG-" + System.nanoTime());
        consumer.setUseTLS(true);
        consumer.setConsumeFromWhere(org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(TOPIC, "*");
        consumer.start();
        Set<String> bodies = new HashSet<>();
        try {
            TestCluster.await(20_000, n + " messages consumed over TLS", () -> {
                for (MessageExt m : consumer.poll(200)) {
                    bodies.add(new String(m.getBody(), StandardCharsets.UTF_8));
                }
                return bodies.size() >= n;
            });
        } finally {
            consumer.shutdown();
        }
        return bodies;
    }

    /** A plain remoting frame to an enforcing port: the broker closes the connection without answering. */
    private static void assertPlainConnectionClosed(InetSocketAddress broker) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(broker, 3_000);
            s.setSoTimeout(10_000);
            byte[] header = ("{\"code\":105,\"flag\":0,\"language\":\"JAVA\",\"opaque\":1,"
                + "\"serializeTypeCurrentRPC\":\"JSON\",\"version\":0}").getBytes(StandardCharsets.UTF_8);
            var out = new java.io.DataOutputStream(s.getOutputStream());
            out.writeInt(4 + header.length);
            out.writeInt(header.length);
            out.write(header);
            out.flush();
            // readAllBytes returns at the broker's close; a connection left open fails with SocketTimeoutException
            byte[] got = s.getInputStream().readAllBytes();
            assertThat(got.length == 0 || got[0] == 0x15).as("nothing, or a TLS alert record, came back").isTrue();
        }
    }

    @Test
    void permissiveGroupServesTlsAndPlainClients() throws Exception {
        try (TestCluster c = new TestCluster(dir.resolve("permissive"), 1, tls("permissive")).startAll()) {
            c.awaitLeaderRegistered(15_000);
            for (boolean useTls : new boolean[] {true, false}) {
                DefaultMQProducer p = producer(c, useTls ? "PermTlsPG" : "PermPlainPG", useTls);
                try {
                    assertThat(p.send(msg("permissive-" + useTls)).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                } finally {
                    p.shutdown();
                }
            }
        }
    }
}
