package io.raftmq.raft.transport.netty;

import io.raftmq.raft.message.RaftMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the start-up warm-up of the raft codec ({@link CodecWarmUp}, docs/raft-driver.md "Faster at start") really
 * round-trips each sample through the real pipeline, covers every kind of message but the snapshot, and reports a
 * broken codec instead of hiding it. Deterministic: fixed samples, no randomness.
 */
class CodecWarmUpTest {

    @Test
    void everySampleComesBackAsTheSameKind() {
        assertThat(CodecWarmUp.run(1 << 20)).isEqualTo(CodecWarmUp.samples().size());
    }

    @Test
    void samplesAreOneOfEachKindButTheSnapshot() {
        List<Class<?>> kinds = CodecWarmUp.samples().stream().<Class<?>>map(RaftMessage::getClass).toList();
        assertThat(kinds).doesNotHaveDuplicates().hasSize(7);
    }

    @Test
    void aCodecThatCannotEncodeFailsTheWarmUp() {
        assertThatThrownBy(() -> CodecWarmUp.run(8)).hasMessageContaining("exceeds frameBytesMax");
    }
}
