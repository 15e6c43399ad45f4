package io.raftmq.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.HeartbeatResponse;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.message.TimeoutNow;
import io.raftmq.raft.message.VoteResponse;

import java.util.List;

/**
 * A round trip of one message of each kind through the transport's own codec pipeline (encoder, frame decoder,
 * decoder) in an {@link EmbeddedChannel}, run once on an event loop as the transport starts listening
 * ({@link NettyTransport#start}). A starting member's first raft message used to be decoded by a peer that was
 * loading and initialising the codec's classes (protobuf's, Netty's pipeline and allocator, and with them Netty's
 * Flight Recorder events unless {@code io.netty.jfr.enabled=false}) while it recovered its log: on a loaded machine
 * that first decode held the peer's event loop for a second or more, and the election waited for it
 * (docs/benchmarks.md "Start: warm codec, early dial, no Netty JFR"). Done here, that work overlaps the recovery
 * instead. It touches no socket and sends nothing.
 *
 * <p>Ownership: the frames the encoder produced are read out of the channel and fed back in, where the decoder
 * releases them; whatever is left (nothing, normally) is released by {@link EmbeddedChannel#finishAndReleaseAll}.
 */
final class CodecWarmUp {
    private CodecWarmUp() {
    }

    /** The messages of the round trip: every kind the agent exchanges at start and in steady state. */
    static List<RaftMessage> samples() {
        return List.of(
            new RequestVote(1, 2, 1, 0, 0, true, false),
            new VoteResponse(2, 1, 1, true, true),
            new AppendEntries(1, 2, 1, 0, 0, List.of(Entry.noop(1, 1, 0)), 0),
            new AppendEntriesResponse(2, 1, 1, 1, false, 0, 0),
            new Heartbeat(1, 2, 1, 1, 1),
            new HeartbeatResponse(2, 1, 1, 1),
            new TimeoutNow(1, 2, 1));
    }

    /**
     * Encodes each sample and decodes its frame again; returns how many came back as a message of the same kind
     * ({@link #samples}' size unless the codec is broken).
     */
    static int run(int frameBytesMax) {
        EmbeddedChannel ch = new EmbeddedChannel(new RaftMessageEncoder(frameBytesMax),
            RaftFrameCodec.newFrameDecoder(frameBytesMax), new RaftMessageDecoder());
        int matched = 0;
        try {
            for (RaftMessage m : samples()) {
                ch.writeOutbound(m);
                for (ByteBuf frame = ch.readOutbound(); frame != null; frame = ch.readOutbound()) {
                    ch.writeInbound(frame); // the decoders release it
                }
                Object back = ch.readInbound();
                if (back != null && back.getClass() == m.getClass()) {
                    matched++;
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        return matched;
    }
}
