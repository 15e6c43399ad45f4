package io.raftmq.raft.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the repair state file has the layout drawn in {@link FileRepairStateStore}, survives a round trip, exists
 * exactly while a member is repairing, and a damaged file still means "repairing" (the safe side). Method: golden
 * bytes computed independently of the encoder, a temp directory, bytes damaged by hand.
 */
class FileRepairStateStoreTest {
    /** RepairState(LOG_DAMAGED, ackedIndexMin 1234, firstLostIndex 1000). */
    private static final String GOLDEN_DAMAGED = "524652500101000000000000000004d200000000000003e8e9600eaa";
    /** RepairState(STATE_MISSING, 0, -1). */
    private static final String GOLDEN_MISSING = "52465250010200000000000000000000ffffffffffffffff72dd0c2c";

    @TempDir
    Path dir;

    private static String hex(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return HexFormat.of().formatHex(out);
    }

    @Test
    void goldenBytes() {
        RepairState damaged = new RepairState(RepairState.Reason.LOG_DAMAGED, 1234, 1000);
        RepairState missing = new RepairState(RepairState.Reason.STATE_MISSING, 0, -1);
        assertThat(hex(FileRepairStateStore.encode(damaged))).isEqualTo(GOLDEN_DAMAGED);
        assertThat(hex(FileRepairStateStore.encode(missing))).isEqualTo(GOLDEN_MISSING);
        assertThat(FileRepairStateStore.decode(ByteBuffer.wrap(HexFormat.of().parseHex(GOLDEN_DAMAGED))))
            .isEqualTo(damaged);
        assertThat(FileRepairStateStore.decode(ByteBuffer.wrap(HexFormat.of().parseHex(GOLDEN_MISSING))))
            .isEqualTo(missing);
    }

    @Test
    void existsExactlyWhileRepairing() throws IOException {
        FileRepairStateStore store = new FileRepairStateStore(dir);
        assertThat(store.load()).isNull();
        RepairState s = new RepairState(RepairState.Reason.LOG_BEHIND_COMMIT, 77, 50);
        store.save(s);
        assertThat(Files.readAllBytes(store.file())).hasSize(FileRepairStateStore.LENGTH);
        assertThat(new FileRepairStateStore(dir).load()).isEqualTo(s);
        store.clear();
        assertThat(Files.exists(store.file())).isFalse();
        assertThat(new FileRepairStateStore(dir).load()).isNull();
        store.clear();
    }

    @Test
    void damagedOrTornFileStillMeansRepairing() throws IOException {
        FileRepairStateStore store = new FileRepairStateStore(dir);
        store.save(new RepairState(RepairState.Reason.LOG_DAMAGED, 1234, 1000));
        byte[] bytes = Files.readAllBytes(store.file());
        bytes[10] ^= 0x01;
        Files.write(store.file(), bytes);
        assertThat(store.load()).isEqualTo(new RepairState(RepairState.Reason.UNREADABLE, 0, -1));
        Files.write(store.file(), new byte[5]);
        assertThat(store.load().reason()).isEqualTo(RepairState.Reason.UNREADABLE);
    }

    @Test
    void mergeAndDetect() {
        RepairState a = new RepairState(RepairState.Reason.LOG_DAMAGED, 10, 8);
        RepairState b = new RepairState(RepairState.Reason.LOG_BEHIND_COMMIT, 20, -1);
        assertThat(b.merge(a)).isEqualTo(new RepairState(RepairState.Reason.LOG_BEHIND_COMMIT, 20, 8));
        assertThat(b.merge(null)).isEqualTo(b);
        assertThat(RepairState.detect(new HardState(3, 1, 9), 9)).isNull();
        assertThat(RepairState.detect(new HardState(3, 1, 9), 4))
            .isEqualTo(new RepairState(RepairState.Reason.LOG_BEHIND_COMMIT, 9, 5));
        assertThat(RepairState.startingHardState(new HardState(3, 1, 9), 4, 2)).isEqualTo(new HardState(3, 1, 4));
        assertThat(RepairState.startingHardState(HardState.EMPTY, 4, 2)).as("state file lost: term from the log")
            .isEqualTo(new HardState(2, 0, 0));
    }
}
