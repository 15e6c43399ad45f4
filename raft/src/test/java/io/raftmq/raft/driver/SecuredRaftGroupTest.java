package io.raftmq.raft.driver;

import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.state.FileHardStateStore;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.StateMachine;
import io.raftmq.raft.transport.netty.NettyTransport;
import io.raftmq.raft.transport.netty.NettyTransportConfig;
import io.raftmq.raft.transport.netty.PeerSecurity;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.Seeds;
import io.raftmq.testsupport.SocketTest;
import io.raftmq.testsupport.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a raft group whose links use mutual TLS and the group secret (docs/security.md "Raft peer authentication")
 * elects and replicates, and foreign processes cannot disturb it: one holding a group certificate but the wrong
 * secret, one holding the secret but a certificate of another CA. Both flood every member with RequestVotes and
 * AppendEntries of a far higher term; afterwards every member's term, leader and log end are what they were, the
 * foreigners received no answer (no vote), and the group still commits. Method: three agents with NettyTransports
 * on 127.0.0.1..3, the foreigners on 127.0.0.8/9; waits on the members' refusal counters with deadlines.
 */
@SocketTest
class SecuredRaftGroupTest {
    private static final long SEED = Seeds.seed("secured.seed", 11);
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final byte[] SECRET = "secured-group-secret".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private final NettyTransport[] transports = new NettyTransport[4];
    private final RaftAgent[] agents = new RaftAgent[4];
    private final List<NettyTransport> foreign = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int id = 1; id <= 3; id++) {
            if (agents[id] != null) {
                agents[id].halt();
                transports[id].close();
            }
        }
        foreign.forEach(NettyTransport::close);
    }

    private static final class NullStateMachine implements StateMachine {
        public void apply(Entry e) {
        }

        public Snapshot takeSnapshot() {
            throw new UnsupportedOperationException();
        }

        public void restore(Snapshot s) {
            throw new UnsupportedOperationException();
        }
    }

    private static NettyTransport transport(long id, PeerSecurity security) throws Exception {
        NettyTransport t = new NettyTransport(NettyTransportConfig.defaults(id,
            new InetSocketAddress(InetAddress.getByName("127.0.0." + id), 0)));
        t.secure(security);
        return t;
    }

    private void startGroup(TestPki ca, Path caPem) throws Exception {
        SplittableRandom seeds = new SplittableRandom(SEED);
        for (int id = 1; id <= 3; id++) {
            TestPki.Issued cert = ca.issue("n" + id, dir, "n" + id);
            transports[id] = transport(id, PeerSecurity.mutualTls(cert.cert(), cert.key(), caPem, SECRET));
            SplittableRandom r = seeds.split();
            agents[id] = new RaftAgent(RaftAgentConfig.defaults(id), MajorityConfig.of(1, 2, 3), new MemoryRaftLog(),
                new FileHardStateStore(dir.resolve("node" + id)), new NullStateMachine(), 0, transports[id],
                NanoClock.SYSTEM, r::nextInt);
            transports[id].start(agents[id]);
        }
        for (int id = 1; id <= 3; id++) {
            for (int peer = 1; peer <= 3; peer++) {
                if (peer != id) {
                    transports[id].addPeer(peer, transports[peer].boundAddress());
                }
            }
            agents[id].start();
        }
    }

    private static void await(String what, BooleanSupplier cond) {
        Awaits.await(what + " (seed " + SEED + ")").atMost(DEADLINE).until(cond::getAsBoolean);
    }

    private RaftAgent leader() {
        for (int id = 1; id <= 3; id++) {
            if (agents[id].status().role() == Role.LEADER) {
                return agents[id];
            }
        }
        return null;
    }

    private NettyTransport foreigner(long id, PeerSecurity security, LinkedBlockingQueue<RaftMessage> inbox)
        throws Exception {
        NettyTransport t = transport(id, security);
        foreign.add(t);
        t.start(inbox::offer);
        for (int member = 1; member <= 3; member++) {
            t.addPeer(member, transports[member].boundAddress());
        }
        return t;
    }

    /** Vote requests and appends of term {@code term} from {@code t} (posing as member 3) to every member. */
    private static void flood(NettyTransport t, long term, long lastIndex) {
        for (long to = 1; to <= 3; to++) {
            t.send(new RequestVote(3, to, term, lastIndex + 1000, term, false, false));
            t.send(new AppendEntries(3, to, term, lastIndex, term - 1,
                List.of(new Entry(term, lastIndex + 1, 16, new byte[] {6, 6, 6})), lastIndex + 1));
        }
        t.flush();
    }

    /** Whether every member's {@code counter} passed its value in {@code before}. */
    private boolean everyMemberPast(long[] before, java.util.function.ToLongFunction<NettyTransport> counter) {
        for (int id = 1; id <= 3; id++) {
            if (counter.applyAsLong(transports[id]) <= before[id]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void electsReplicatesAndIgnoresForeigners() throws Exception {
        TestPki ca = TestPki.newCa("raft group CA");
        Path caPem = ca.writeCa(dir.resolve("group-ca.crt"));
        startGroup(ca, caPem);
        await("leader", () -> leader() != null);
        List<CompletableFuture<Long>> acked = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            acked.add(leader().propose(16, ("entry-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        await("entries committed", () -> acked.stream().allMatch(CompletableFuture::isDone));
        long last = acked.get(19).join();
        await("entries replicated to all", () -> java.util.Arrays.stream(agents, 1, 4)
            .allMatch(a -> a.status().commitIndex() >= last && a.status().lastIndex() >= last));
        RaftStatus[] before = new RaftStatus[4];
        long[] auth = new long[4];
        long[] errors = new long[4];
        for (int id = 1; id <= 3; id++) {
            before[id] = agents[id].status();
            auth[id] = transports[id].authFailures();
            errors[id] = transports[id].stats().errors();
        }

        long term = before[1].term() + 100;
        TestPki.Issued groupCert = ca.issue("n9", dir, "n9");
        LinkedBlockingQueue<RaftMessage> inbox = new LinkedBlockingQueue<>();
        NettyTransport wrongSecret = foreigner(9, PeerSecurity.mutualTls(groupCert.cert(), groupCert.key(), caPem,
            "not-the-group-secret".getBytes(StandardCharsets.UTF_8)), inbox);
        await("every member refused the group certificate without the secret", () -> {
            flood(wrongSecret, term, last);
            return everyMemberPast(auth, NettyTransport::authFailures);
        });
        TestPki other = TestPki.newCa("foreign CA");
        TestPki.Issued otherCert = other.issue("n8", dir, "n8");
        NettyTransport wrongCa = foreigner(8, PeerSecurity.mutualTls(otherCert.cert(), otherCert.key(),
            other.writeCa(dir.resolve("foreign-ca.crt")), SECRET), inbox);
        await("every member refused the secret with a foreign certificate", () -> {
            flood(wrongCa, term, last);
            return everyMemberPast(errors, t -> t.stats().errors());
        });

        for (int id = 1; id <= 3; id++) {
            RaftStatus now = agents[id].status();
            assertThat(now.term()).as("term of member " + id).isEqualTo(before[id].term());
            assertThat(now.leaderId()).as("leader seen by member " + id).isEqualTo(before[id].leaderId());
            assertThat(now.lastIndex()).as("log end of member " + id).isEqualTo(before[id].lastIndex());
            assertThat(now.commitIndex()).as("commit of member " + id).isEqualTo(before[id].commitIndex());
        }
        assertThat(inbox).as("answers to the foreigners (votes, append results)").isEmpty();
        CompletableFuture<Long> after = leader().propose(16, new byte[] {1});
        await("the group still commits", after::isDone);
        assertThat(after.join()).isEqualTo(last + 1);
    }
}
