package io.raftmq.raft.driver;

import io.raftmq.raft.core.membership.ConfigHistory;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the membership file's format is exact, a torn last record is dropped while other damage stops the node,
 * and recovery agrees with the log (records of entries the log no longer holds do not count, truncations void
 * stale records below the log's first index). Method: golden bytes, hand-made logs and files in a temp dir.
 */
class MembershipFileTest {
    private static final Membership A = Membership.ofVoters(1, 2, 3);
    private static final Membership B = A.apply(new MembershipChange.AddLearner(new Member(4, "h:4")));
    private static final Membership C = B.apply(new MembershipChange.Promote(4, 0));

    @TempDir
    Path dir;

    @Test
    void goldenRecord() {
        ByteBuffer b = MembershipFile.encode(MembershipFile.KIND_TRUNCATE, 7, 0, new byte[0], 0x01020304);
        String hex = HexFormat.of().formatHex(b.array());
        assertThat(hex).isEqualTo("524d4346" + "01" + "03" + "0000" + "0000000000000007" + "0000000000000000"
            + "00000000" + "01020304" + hex.substring(64));
        assertThat(hex.substring(64)).isEqualTo("808d82d9") /* CRC32C of the 32 bytes before it */;
        // A first record must chain to 0.
        assertThatThrownBy(() -> MembershipFile.decodeAll(b, dir)).isInstanceOf(MembershipFileException.class)
            .hasMessageContaining("broken chain");
        ByteBuffer first = MembershipFile.encode(MembershipFile.KIND_CONFIG, 7, 2, B.encode(), 0);
        List<MembershipFile.Rec> back = MembershipFile.decodeAll(first, dir);
        assertThat(back).hasSize(1);
        assertThat(back.get(0).index()).isEqualTo(7);
        assertThat(back.get(0).term()).isEqualTo(2);
        assertThat(Membership.decode(back.get(0).membership())).isEqualTo(B);
    }

    private static MemoryRaftLog log(Entry... entries) {
        MemoryRaftLog log = new MemoryRaftLog();
        log.append(List.of(entries));
        log.sync();
        return log;
    }

    private static Entry app(long term, long index) {
        return new Entry(term, index, Entry.TYPE_APPLICATION_MIN, new byte[0]);
    }

    private static Entry config(long term, long index, Membership m) {
        return new Entry(term, index, Entry.TYPE_CONFIG, m.encode());
    }

    @Test
    void recordsWrittenBeforeTheLogAreRecovered() {
        MemoryRaftLog log = log(app(1, 1), config(1, 2, B), app(1, 3), config(1, 4, C));
        MembershipFile f = new MembershipFile(dir);
        assertThat(f.recover(new MemoryRaftLog(), 0, A).current()).isEqualTo(A);
        f.beforeWrite(log.entries(1, 5, Long.MAX_VALUE), 0);
        f.sync();
        f.close();
        ConfigHistory h = new MembershipFile(dir).recover(log, 0, A);
        assertThat(h.current()).isEqualTo(C);
        assertThat(h.at(3)).isEqualTo(B);
        assertThat(h.at(1)).isEqualTo(A);
        // Applied past both: the base is the newest record at or below it.
        ConfigHistory h2 = new MembershipFile(dir).recover(log, 4, A);
        assertThat(h2.records()).containsExactly(new ConfigHistory.Record(4, C));
    }

    @Test
    void aRecordWhoseEntryNeverReachedTheLogDoesNotCount() {
        MembershipFile f = new MembershipFile(dir);
        f.recover(new MemoryRaftLog(), 0, A);
        f.beforeWrite(List.of(config(1, 2, B)), 1);
        f.sync(); // crash here: the log never got entry 2
        f.close();
        assertThat(new MembershipFile(dir).recover(log(app(1, 1)), 0, A).current()).isEqualTo(A);
        // Entry 2 of another term in the log: the record (2, term 1) does not match it.
        assertThat(new MembershipFile(dir).recover(log(app(1, 1), app(2, 2)), 0, A).current()).isEqualTo(A);
    }

    @Test
    void aTruncationVoidsAStaleRecordOnceTheLogMovedPastIt() {
        MembershipFile f = new MembershipFile(dir);
        f.recover(new MemoryRaftLog(), 0, A);
        f.beforeWrite(List.of(config(1, 2, B)), 1);
        f.beforeWrite(List.of(app(2, 2)), 2); // a new leader overwrote entry 2
        f.sync();
        f.close();
        MemoryRaftLog compacted = log(app(1, 1), app(2, 2), app(2, 3));
        compacted.compact(2);
        ConfigHistory h = new MembershipFile(dir).recover(compacted, 2, A);
        assertThat(h.current()).isEqualTo(A);
    }

    @Test
    void aTruncationInsideTheLogLeavesTheDecisionToTheLog() {
        for (Path d : List.of(dir.resolve("a"), dir.resolve("b"))) {
            MembershipFile f = new MembershipFile(d);
            f.recover(new MemoryRaftLog(), 0, A);
            f.beforeWrite(List.of(config(1, 2, B)), 1);
            f.beforeWrite(List.of(config(2, 2, C)), 2); // entry 2 replaced by another CONFIG entry
            f.sync();
            f.close();
        }
        MemoryRaftLog replaced = log(app(1, 1), config(2, 2, C));
        assertThat(new MembershipFile(dir.resolve("a")).recover(replaced, 0, A).current()).isEqualTo(C);
        // The records were written but the crash came before the log changed: the old entry counts.
        MemoryRaftLog unchanged = log(app(1, 1), config(1, 2, B));
        assertThat(new MembershipFile(dir.resolve("b")).recover(unchanged, 0, A).current()).isEqualTo(B);
    }

    @Test
    void tornLastRecordIsDroppedOtherDamageStops() throws Exception {
        MembershipFile f = new MembershipFile(dir);
        f.recover(new MemoryRaftLog(), 0, A);
        f.beforeWrite(List.of(config(1, 1, B), config(1, 2, C)), 0);
        f.sync();
        f.close();
        Path file = dir.resolve(MembershipFile.FILE_NAME);
        byte[] whole = Files.readAllBytes(file);
        MemoryRaftLog log = log(config(1, 1, B));

        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 3)); // torn in the second record
        assertThat(new MembershipFile(dir).recover(log, 0, A).current()).isEqualTo(B);

        Files.write(file, whole);
        byte[] bad = whole.clone();
        bad[40] ^= 1; // inside the first record's membership: not the last record
        Files.write(file, bad);
        assertThatThrownBy(() -> new MembershipFile(dir).recover(log, 0, A))
            .isInstanceOf(MembershipFileException.class).hasMessageContaining("corrupt membership file")
            .hasMessageContaining(file.toString());
    }

    @Test
    void snapshotRecordIsTheBaseAfterAnInstall() {
        MembershipFile f = new MembershipFile(dir);
        f.recover(new MemoryRaftLog(), 0, A);
        f.beforeSnapshot(50, 3, C.encode());
        f.sync();
        f.close();
        MemoryRaftLog log = new MemoryRaftLog();
        log.resetToSnapshot(50, 3);
        ConfigHistory h = new MembershipFile(dir).recover(log, 50, A);
        assertThat(h.records()).containsExactly(new ConfigHistory.Record(50, C));
    }
}
