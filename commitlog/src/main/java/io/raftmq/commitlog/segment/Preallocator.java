package io.raftmq.commitlog.segment;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.NoSpaceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background agent that writes real zero blocks (then forces them) ahead of the log's write position, up to
 * {@code windowBytes} ahead, creating the next segment file early when the window reaches into it. Why: segment
 * files are sparse, and an fdatasync after writing into a hole must also commit the block allocation (a journal
 * commit on ext4); overwriting blocks that are already allocated is ~2x cheaper (docs/benchmarks.md, CommitLog).
 * With a window of one segment, the whole next segment is ready by the time the writer reaches it, so in steady
 * state the zero-fill goes to another file than the one group commit forces.
 *
 * <p><b>Never over data.</b> Zeros go only to a range that is claimed under the log's append lock while the
 * writer is at least a guard distance (2 MiB, at most a quarter of the window) before it; an appender about to
 * write into a claimed range waits in {@link #awaitUnclaimed} (a volatile check on the append path, a wait only if
 * the writer catches up with the fill). If the writer is closer than the guard, the preallocator skips ahead
 * instead of racing it (the skipped bytes get allocated by the appends, as without preallocation). Zeros beyond
 * the tail are what recovery expects after the last record.
 *
 * <p><b>Errors.</b> No space or a device error while zero-filling (or creating the next segment) is logged and
 * counted, nothing is damaged (the bytes were beyond the tail), and the agent retries after a back-off; appends
 * fail only when their own writes fail. Thread-safety: one agent thread; {@link #awaitUnclaimed} from the
 * thread holding the append lock.
 */
public final class Preallocator implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Preallocator.class);
    /** Size of one zero write (and one claim). */
    static final int CHUNK_BYTES = 1 << 20;
    /** The agent never claims bytes closer than this ahead of the writer (nor than a quarter of the window). */
    static final long GUARD_BYTES_MAX = 2L * CHUNK_BYTES;
    private static final long FORCE_EVERY_BYTES = 16L << 20;
    /** Safety net only: the writer wakes the agent once it has written a chunk past the last pass. */
    private static final long IDLE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long PAGE = 4096;

    /** What the agent needs from the log. */
    public interface Host {
        /** End of the last record; exact while the append lock is held. */
        long writePosition();

        /** The log's append lock (claims and segment creation happen under it). */
        ReentrantLock appendLock();

        /** False once the log is closed or fenced: the agent stops. */
        boolean usable();
    }

    private final Host host;
    private final SegmentList segments;
    private final long windowBytes;
    private final long guardBytes;
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(CHUNK_BYTES);
    // The claimed range [claimFrom, claimTo); empty when claimFrom == Long.MAX_VALUE.
    private volatile long claimFrom = Long.MAX_VALUE;
    private volatile long claimTo = Long.MIN_VALUE;
    /** Once the writer reaches this position, the window has shrunk by a chunk: it wakes the agent. */
    private volatile long wakeAt = Long.MAX_VALUE;
    private volatile boolean running;
    private volatile long zeroedBytes;
    private volatile long errors;
    private volatile Thread thread;
    private long unforcedBytes;

    public Preallocator(Host host, SegmentList segments, long windowBytes) {
        Verify.argument(windowBytes > 0, "preallocation window must be > 0");
        this.host = host;
        this.segments = segments;
        this.windowBytes = windowBytes;
        this.guardBytes = Math.max(PAGE, Math.min(GUARD_BYTES_MAX, windowBytes / 4));
    }

    /**
     * Append path, caller holds the append lock: returns once no zero-fill is in flight over [from, to). Two
     * volatile reads when there is no overlap (the normal case).
     */
    public void awaitUnclaimed(long from, long to) {
        while (claimFrom < to && from < claimTo) {
            LockSupport.parkNanos(this, 20_000);
        }
    }

    /**
     * Append path, after a write that ended at {@code end}: wakes the agent when the writer has used up a chunk of
     * the window since its last pass (one volatile read otherwise). Instead of the agent polling, so an idle log
     * costs no wake-ups and a busy one one per chunk written.
     */
    public void written(long end) {
        if (end >= wakeAt) {
            wakeAt = Long.MAX_VALUE;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Total bytes zero-filled so far (diagnostics, tests). */
    public long zeroedBytes() {
        return zeroedBytes;
    }

    /** Failed zero-fill attempts so far (diagnostics, tests). */
    public long errors() {
        return errors;
    }

    public void start(String name) {
        running = true;
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the agent and waits for it (before the log closes its files). */
    public void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            LockSupport.unpark(thread);
            thread.join();
        }
    }

    @Override
    public void run() {
        try {
            while (running && host.usable()) {
                long work;
                try {
                    work = doWork();
                } catch (IOException e) {
                    errors++;
                    if (e instanceof NoSpaceException) {
                        LOG.debug("preallocation of {} stopped by a full disk: {}", segments.dir(), e.getMessage());
                    } else {
                        LOG.warn("preallocation of {} failed; retrying later", segments.dir(), e);
                    }
                    LockSupport.parkNanos(this, BACKOFF_NS);
                    continue;
                }
                if (work == 0) {
                    long next = host.writePosition() + CHUNK_BYTES;
                    wakeAt = next;
                    if (host.writePosition() < next) { // else the writer passed it already: go again
                        LockSupport.parkNanos(this, IDLE_NS);
                    }
                }
            }
        } catch (RuntimeException e) {
            errors++;
            LOG.error("preallocator of {} died; appends continue into sparse blocks", segments.dir(), e);
        }
    }

    /**
     * One pass: zero-fills what is missing in [writePosition + guard, writePosition + window), segment by segment,
     * creating segments as needed. Returns the bytes zero-filled. Can be driven by hand (tests).
     */
    public long doWork() throws IOException {
        long wp = host.writePosition();
        long target = wp + windowBytes;
        long done = 0;
        for (long base = segments.baseOf(wp); base < target && running(); base += segments.segmentSize()) {
            Segment seg = ensureSegment(base);
            if (seg == null) {
                break;
            }
            long from = Math.max(seg.base() + seg.zeroedTo(), alignUp(host.writePosition() + guardBytes));
            long to = Math.min(seg.end(), target);
            if (from < to) {
                done += fill(seg, from, to);
            }
        }
        return done;
    }

    private boolean running() {
        return thread == null || running;
    }

    /** The segment with {@code base}, created under the append lock if the log still needs it; else null. */
    private Segment ensureSegment(long base) throws IOException {
        Segment seg = segments.find(base);
        if (seg != null) {
            return seg;
        }
        ReentrantLock lock = host.appendLock();
        lock.lock();
        try {
            long wp = host.writePosition();
            boolean contiguous = base == segments.baseOf(wp) || segments.find(base - segments.segmentSize()) != null;
            if (!host.usable() || !contiguous || base >= wp + windowBytes) {
                return null;
            }
            return segments.getOrCreate(base);
        } finally {
            lock.unlock();
        }
    }

    /** Zero-fills [from, to) of {@code seg} chunk by chunk; stops early if the writer comes within the guard. */
    private long fill(Segment seg, long from, long to) throws IOException {
        if (!seg.retain()) {
            return 0;
        }
        long at = from;
        try {
            while (at < to && running()) {
                long end = Math.min(to, at + CHUNK_BYTES);
                if (!claim(seg, at, end)) {
                    break;
                }
                try {
                    zeros.clear().limit((int) (end - at));
                    seg.file().write(at - seg.base(), zeros);
                } finally {
                    claimFrom = Long.MAX_VALUE;
                    claimTo = Long.MIN_VALUE;
                }
                unforcedBytes += end - at;
                zeroedBytes += end - at;
                at = end;
                if (unforcedBytes >= FORCE_EVERY_BYTES) {
                    forceZeros(seg, at);
                }
            }
            if (unforcedBytes > 0) {
                forceZeros(seg, at);
            }
        } finally {
            seg.release();
        }
        return at - from;
    }

    private void forceZeros(Segment seg, long upTo) throws IOException {
        seg.file().force();
        unforcedBytes = 0;
        seg.markZeroedTo(upTo - seg.base());
    }

    /** Claims [from, to) if the segment is still in the list and the writer is at least the guard before it. */
    private boolean claim(Segment seg, long from, long to) {
        ReentrantLock lock = host.appendLock();
        lock.lock();
        try {
            if (!host.usable() || segments.find(from) != seg || from < host.writePosition() + guardBytes) {
                return false;
            }
            claimTo = to;
            claimFrom = from;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private long alignUp(long position) {
        return (position + PAGE - 1) & -PAGE;
    }
}
