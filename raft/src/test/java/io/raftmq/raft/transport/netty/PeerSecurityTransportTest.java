package io.raftmq.raft.transport.netty;

import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import io.raftmq.testsupport.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: raft peer links authenticate (docs/security.md "Raft peer authentication"). With the group secret, members
 * exchange messages; a process with another secret or none is refused at the handshake and none of its messages
 * reaches the sink; an authenticated member cannot speak for another member. With mutual TLS, members whose
 * certificates the group CA signed exchange messages; a peer with a certificate of another CA, or plain TCP, is
 * refused. Method: real transports on 127.0.0.x, a queue as sink, waits on the refusal counters with deadlines.
 */
@SocketTest
class PeerSecurityTransportTest {
    private static final byte[] SECRET = "group-secret-for-tests".getBytes(StandardCharsets.UTF_8);
    private static final byte[] WRONG = "not-the-group-secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    @TempDir
    static Path dir;
    private static Path groupCa;
    private static PeerSecurity groupTls1;
    private static PeerSecurity groupTls2;
    private static PeerSecurity foreignTls;

    private final List<NettyTransport> transports = new ArrayList<>();

    @BeforeAll
    static void pki() {
        TestPki ca = TestPki.newCa("raft group CA");
        groupCa = ca.writeCa(dir.resolve("group-ca.crt"));
        TestPki.Issued n1 = ca.issue("n1", dir, "n1");
        TestPki.Issued n2 = ca.issue("n2", dir, "n2");
        groupTls1 = PeerSecurity.mutualTls(n1.cert(), n1.key(), groupCa, null);
        groupTls2 = PeerSecurity.mutualTls(n2.cert(), n2.key(), groupCa, null);
        TestPki other = TestPki.newCa("foreign CA");
        Path otherCa = other.writeCa(dir.resolve("foreign-ca.crt"));
        TestPki.Issued x = other.issue("n3", dir, "foreign");
        foreignTls = PeerSecurity.mutualTls(x.cert(), x.key(), otherCa, null);
    }

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport start(long id, PeerSecurity security, LinkedBlockingQueue<RaftMessage> inbox)
        throws Exception {
        NettyTransport t = new NettyTransport(NettyTransportConfig.defaults(id,
            new InetSocketAddress(InetAddress.getByName("127.0.0." + id), 0)));
        transports.add(t);
        t.secure(security);
        t.start(inbox::offer);
        return t;
    }

    /** Sends {@code m} from {@code from} until {@code counter} reaches {@code n}. */
    private static void sendUntil(NettyTransport from, RaftMessage m, LongSupplier counter, long n) {
        Awaits.await("counter reaches " + n).atMost(DEADLINE).until(() -> {
            from.send(m);
            from.flush();
            return counter.getAsLong() >= n;
        });
    }

    private static boolean anyFrom(LinkedBlockingQueue<RaftMessage> inbox, long from) {
        return inbox.stream().anyMatch(m -> m.from() == from);
    }

    @Test
    void groupSecretAdmitsMembersOnly() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t1 = start(1, PeerSecurity.secretOnly(SECRET), new LinkedBlockingQueue<>());
        NettyTransport t2 = start(2, PeerSecurity.secretOnly(SECRET), inbox2);
        t1.addPeer(2, t2.boundAddress());
        assertThat(TestTransports.sendUntilReceived(t1, new Heartbeat(1, 2, 1, 0), inbox2, DEADLINE))
            .isEqualTo(new Heartbeat(1, 2, 1, 0));

        NettyTransport wrong = start(3, PeerSecurity.secretOnly(WRONG), new LinkedBlockingQueue<>());
        wrong.addPeer(2, t2.boundAddress());
        sendUntil(wrong, new Heartbeat(3, 2, 99, 0), t2::authFailures, 1);
        NettyTransport plain = start(4, PeerSecurity.NONE, new LinkedBlockingQueue<>());
        plain.addPeer(2, t2.boundAddress());
        long before = t2.authFailures();
        sendUntil(plain, new Heartbeat(4, 2, 99, 0), t2::authFailures, before + 1);
        assertThat(anyFrom(inbox2, 3) || anyFrom(inbox2, 4)).isFalse();
        assertThat(wrong.authFailures()).isPositive(); // the dialer refused the acceptor's proof as well
    }

    @Test
    void anAuthenticatedMemberCannotSpeakForAnother() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t2 = start(2, PeerSecurity.secretOnly(SECRET), inbox2);
        NettyTransport t3 = start(3, PeerSecurity.secretOnly(SECRET), new LinkedBlockingQueue<>());
        t3.addPeer(2, t2.boundAddress());
        Awaits.await("a message of member 3 arrives").atMost(DEADLINE).until(() -> {
            t3.send(new Heartbeat(1, 2, 99, 0)); // claims to come from member 1: dropped
            t3.send(new Heartbeat(3, 2, 5, 0));
            t3.flush();
            return anyFrom(inbox2, 3);
        });
        assertThat(anyFrom(inbox2, 1)).isFalse();
        assertThat(t2.stats().droppedInbound()).isPositive();
    }

    @Test
    void mutualTlsAdmitsHoldersOfAGroupCertificateOnly() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t1 = start(1, groupTls1, new LinkedBlockingQueue<>());
        NettyTransport t2 = start(2, groupTls2, inbox2);
        t1.addPeer(2, t2.boundAddress());
        assertThat(TestTransports.sendUntilReceived(t1, new Heartbeat(1, 2, 1, 0), inbox2, DEADLINE))
            .isEqualTo(new Heartbeat(1, 2, 1, 0));

        NettyTransport foreign = start(3, foreignTls, new LinkedBlockingQueue<>());
        foreign.addPeer(2, t2.boundAddress());
        long errors = t2.stats().errors();
        sendUntil(foreign, new Heartbeat(3, 2, 99, 0), () -> t2.stats().errors(), errors + 1);
        NettyTransport plain = start(4, PeerSecurity.NONE, new LinkedBlockingQueue<>());
        plain.addPeer(2, t2.boundAddress());
        errors = t2.stats().errors();
        sendUntil(plain, new Heartbeat(4, 2, 99, 0), () -> t2.stats().errors(), errors + 1);
        assertThat(anyFrom(inbox2, 3) || anyFrom(inbox2, 4)).isFalse();
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> PeerSecurity.secret("short")).hasMessageContaining("at least 16 bytes");
        assertThatThrownBy(() -> PeerSecurity.secret("file:" + dir.resolve("missing-secret")))
            .hasMessageContaining("missing-secret");
        assertThatThrownBy(() -> PeerSecurity.mutualTls(dir.resolve("none.crt"), dir.resolve("none.key"), groupCa,
            null)).hasMessageContaining("none.crt");
        assertThat(PeerSecurity.secret("  sixteen-bytes-or-more \n")).asString(StandardCharsets.UTF_8)
            .isEqualTo("sixteen-bytes-or-more");
    }
}
