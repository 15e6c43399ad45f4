package io.raftmq.commitlog.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.io.FaultyMemoryStorage;
import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.NoSpaceException;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.queue.ConsumeQueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a write of the derived data that fails through the storage port (a ConsumeQueue segment, an index file, the
 * dispatch checkpoint, or any of them on a full device) surfaces as the port's typed error, stops the dispatcher, and
 * corrupts nothing: after a crash the reopened store resumes from its last checkpoint (or rebuilds, when torn unforced
 * bytes fail validation or disagree with the checkpoint) and ends with derived data identical to a store that never
 * failed. Method: the CommitLog lives on a temp dir, the derived data on {@link FaultyMemoryStorage}, which fails the
 * selected files and then drops every unforced byte, keeping a torn prefix (fixed seeds); the reference store is built
 * on disk from the same records.
 */
class DerivedDataFaultTest {
    static final int RECORDS = 120;
    static final List<ByteBuffer> BODIES = StoreFixture.bodies(41, RECORDS, 0);

    @TempDir
    Path dir;

    /** A store over {@code derived} holding every record, dispatched and checkpointed up to index 40. */
    private MessageStore openCheckpointedAt40(MessageStoreConfig config, FaultyMemoryStorage derived)
            throws IOException {
        MessageStore live = MessageStore.open(config, disk(config), derived);
        StoreFixture.appendAll(live, BODIES, 1, null);
        live.dispatchUpToIndex(40);
        live.checkpoint();
        return live;
    }

    @Test
    void aFailedConsumeQueueWriteIsADeviceErrorAndTheStoreRecovers() throws IOException {
        assertRecoversAfterDispatchFailure(s -> s.setFailingPaths(p -> p.toString().contains("/consumequeue/")),
                IOException.class, "/consumequeue/");
    }

    @Test
    void aFailedIndexFileWriteIsADeviceErrorAndTheStoreRecovers() throws IOException {
        assertRecoversAfterDispatchFailure(s -> s.setFailingPaths(p -> p.getParent().endsWith("index")),
                IOException.class, "/index/");
    }

    @Test
    void aFullDeviceIsNoSpaceExceptionAndTheStoreRecovers() throws IOException {
        assertRecoversAfterDispatchFailure(s -> s.setFull(true), NoSpaceException.class, "No space left");
    }

    @Test
    void aFailedCheckpointWriteKeepsThePreviousCheckpoint() throws IOException {
        MessageStoreConfig config = manualCheckpoints(dir.resolve("live"));
        Path checkpoint = config.dispatch().directory().resolve("dispatch.checkpoint");
        FaultyMemoryStorage derived = new FaultyMemoryStorage();
        try (MessageStore reference = referenceStore()) {
            MessageStore live = openCheckpointedAt40(config, derived);
            byte[] before = derived.readAll(checkpoint);
            live.dispatchUpToIndex(80);
            derived.setFailingPaths(p -> p.equals(checkpoint));
            assertThatThrownBy(live::checkpoint).isExactlyInstanceOf(IOException.class)
                    .hasMessageContaining("dispatch.checkpoint");
            assertThat(derived.readAll(checkpoint)).isEqualTo(before);
            live.dispatchUpToIndex(100); // the queues and index are fine: dispatching goes on
            assertThatThrownBy(live::close).isExactlyInstanceOf(IOException.class); // its final checkpoint fails too
            derived.setFailingPaths(p -> false);
            derived.crash(new Random(43), true);
            try (MessageStore reopened = MessageStore.open(config, disk(config), derived)) {
                assertThat(reopened.dispatchedPosition()).isEqualTo(reopened.commitLog().position(41));
                reopened.dispatchUpToIndex(RECORDS);
                assertSameDerivedData(reopened, reference);
            }
        }
    }

    @Test
    void unitsHeldInMemoryAreReadFromThereAndACrashRebuildsThemFromTheLog() throws IOException {
        MessageStoreConfig config = manualCheckpoints(dir.resolve("live"));
        FaultyMemoryStorage derived = new FaultyMemoryStorage();
        try (MessageStore reference = referenceStore()) {
            MessageStore live = openCheckpointedAt40(config, derived);
            live.dispatchUpToIndex(RECORDS);
            int unwritten = 0;
            for (ConsumeQueue q : live.consumeQueues().queues()) {
                unwritten += q.unwrittenUnits();
            }
            assertThat(unwritten).isPositive();
            assertSameDerivedData(live, reference); // the units only in memory are read from there
            // the writer dies before anything more reaches the files: its last checkpoint cannot write them
            derived.setFailingPaths(p -> p.toString().contains("/consumequeue/"));
            assertThatThrownBy(live::close).isInstanceOf(IOException.class);
            derived.setFailingPaths(p -> false);
            derived.crash(new Random(44), true);
            try (MessageStore reopened = MessageStore.open(config, disk(config), derived)) {
                assertThat(reopened.dispatchedPosition()).isEqualTo(reopened.commitLog().position(41));
                reopened.dispatchUpToIndex(RECORDS);
                assertSameDerivedData(reopened, reference);
            }
        }
    }

    /**
     * Dispatches 40 records and checkpoints, dispatches 20 more, injects the fault, and checks the next dispatch
     * or the checkpoint after it fails with {@code type} and stops the dispatcher; then crashes the derived
     * storage, reopens and compares.
     */
    private void assertRecoversAfterDispatchFailure(Consumer<FaultyMemoryStorage> fault,
                                                    Class<? extends IOException> type, String message)
            throws IOException {
        MessageStoreConfig config = manualCheckpoints(dir.resolve("live"));
        FaultyMemoryStorage derived = new FaultyMemoryStorage();
        try (MessageStore reference = referenceStore()) {
            try (MessageStore live = openCheckpointedAt40(config, derived)) {
                live.dispatchUpToIndex(60);
                fault.accept(derived);
                // consume-queue units are written in pieces, at the latest by the checkpoint that covers them
                assertThatThrownBy(() -> {
                    live.dispatchUpToIndex(RECORDS);
                    live.checkpoint();
                }).isInstanceOf(type).hasMessageContaining(message);
                assertThatThrownBy(() -> live.dispatchUpToIndex(RECORDS)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("failed earlier");
            }
            derived.setFailingPaths(p -> false);
            derived.setFull(false);
            derived.crash(new Random(42), true);
            try (MessageStore reopened = MessageStore.open(config, disk(config), derived)) {
                assertThat(reopened.dispatchedPosition()).isIn(reopened.commitLog().position(41),
                        reopened.commitLog().startPosition());
                reopened.dispatchUpToIndex(RECORDS);
                assertSameDerivedData(reopened, reference);
            }
        }
    }

    /** The fixture's config, but checkpoints only when the test asks. */
    private static MessageStoreConfig manualCheckpoints(Path root) {
        return StoreFixture.withCheckpointInterval(StoreFixture.config(root), 1L << 40);
    }

    private MessageStore referenceStore() throws IOException {
        MessageStore reference = MessageStore.open(StoreFixture.config(dir.resolve("ref")));
        StoreFixture.appendAll(reference, BODIES, 1, null);
        reference.dispatchUpToIndex(RECORDS);
        return reference;
    }

    private static StorageProvider disk(MessageStoreConfig config) {
        return new FileSystemStorage(config.commitLog().ioMode());
    }

    private static void assertSameDerivedData(MessageStore actual, MessageStore expected) throws IOException {
        assertThat(actual.dispatchedPosition()).isEqualTo(expected.dispatchedPosition());
        assertThat(StoreFixture.dumpQueues(actual)).isEqualTo(StoreFixture.dumpQueues(expected));
        for (String topic : StoreFixture.TOPICS) {
            for (String key : new String[] {"shared", "K3", "K50", "K77", "U5_0", "U110_0"}) {
                assertThat(actual.indexFiles().query(topic, key, 1000, 0, Long.MAX_VALUE))
                        .containsExactly(expected.indexFiles().query(topic, key, 1000, 0, Long.MAX_VALUE));
            }
        }
    }
}
