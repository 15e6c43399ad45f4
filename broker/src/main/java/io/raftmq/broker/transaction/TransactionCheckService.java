package io.raftmq.broker.transaction;

import io.raftmq.broker.produce.Redraft;
import io.raftmq.client.protocol.header.CheckTransactionStateRequestHeader;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageFormatException;
import io.raftmq.commitlog.message.MessageIds;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The leader's check-back of unresolved half messages (docs/messaging.md "Transactions"), driven by {@link #tick}
 * with the time passed in (the broker calls it about every second on its scheduler; tests call it with a fake
 * clock). On each tick, while this member is ready to lead ({@link HalfStore#readyTerm} &gt; 0), every pending half
 * with no resolution in flight is due when
 * <ul>
 *   <li>it was stored at least {@code max(transactionTimeoutMs, CHECK_IMMUNITY_TIME_IN_SECONDS)} ago, and</li>
 *   <li>it was not checked in the last {@code transactionCheckIntervalMs}.</li>
 * </ul>
 * A due half with fewer than {@code transactionCheckMax} checks gets TRANSACTION_OP CHECKED(P, n + 1); once that is
 * committed, CHECK_TRANSACTION_STATE goes to one live producer of its PGROUP. A check with no live producer of the
 * group is not made (nor counted) during the first {@link #PRODUCER_GRACE_MS} of a leader's term: producers
 * heartbeat only the group's leader, every 30 s by default, so a new leader knows none at first, and counting
 * those checks would discard halves nobody could be asked about; after that grace such checks count, as in
 * RocketMQ, so a producer group that is gone cannot keep a half pending forever. A due half with
 * {@code transactionCheckMax} checks is copied to TRANS_CHECK_MAX_TIME_TOPIC, which resolves it.
 *
 * <p>The check counts are replicated; the times of the last checks are this leader's soft state. A new leader
 * treats every half already checked as checked at the moment it became ready, so it asks again one interval after
 * a failover (never sooner), and halves never checked as soon as they are old enough.
 *
 * <p>Threads: {@link #tick} on one thread (the broker's scheduler), never on the raft agent thread; the send after
 * a CHECKED commit runs on {@code followUp}.
 */
public final class TransactionCheckService {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCheckService.class);
    /** A new leader's time for producers to find it (the official client heartbeats every 30 s), plus a margin. */
    static final long PRODUCER_GRACE_MS = 40_000;

    private final PendingHalves pending;
    private final TransactionResolver resolver;
    private final HalfStore store;
    private final CheckBackSender sender;
    private final Settings settings;
    private final Runnable ensureCheckMaxTopic;
    private final Executor followUp;
    /** Half offset -> when this leader last checked it (ms). Soft state of the current term. */
    private final Map<Long, Long> lastCheck = new ConcurrentHashMap<>();
    /** Halves whose CHECKED entry is proposed and not yet committed (or failed): not asked again meanwhile. */
    private final Set<Long> checking = ConcurrentHashMap.newKeySet();
    private long term;
    private long readySinceMs;

    /**
     * The check-back settings (BrokerConfig: transactionTimeoutMs, transactionCheckIntervalMs, transactionCheckMax).
     *
     * @param brokerName the group's broker name, sent as {@code bname}
     */
    public record Settings(long timeoutMs, long checkIntervalMs, int checkMax, String brokerName) {
        public Settings {
            if (timeoutMs < 0 || checkIntervalMs <= 0 || checkMax < 0) {
                throw new IllegalArgumentException("bad transaction check settings");
            }
        }
    }

    /**
     * @param ensureCheckMaxTopic creates TRANS_CHECK_MAX_TIME_TOPIC (readable) if absent; called before a discard
     * @param followUp            runs the check-back send after its CHECKED entry committed
     */
    public TransactionCheckService(PendingHalves pending, TransactionResolver resolver, HalfStore store,
                                   CheckBackSender sender, Settings settings, Runnable ensureCheckMaxTopic,
                                   Executor followUp) {
        this.pending = pending;
        this.resolver = resolver;
        this.store = store;
        this.sender = sender;
        this.settings = settings;
        this.ensureCheckMaxTopic = ensureCheckMaxTopic;
        this.followUp = followUp;
    }

    /** One round at time {@code nowMs} (the leader's wall clock, the clock of the halves' store times). */
    public void tick(long nowMs) {
        long t = store.readyTerm();
        if (t == 0) {
            term = 0;
            lastCheck.clear();
            checking.clear();
            return;
        }
        if (t != term) {
            term = t;
            readySinceMs = nowMs;
            lastCheck.clear();
            checking.clear();
            LOG.info("transaction check-back active in term {} with {} pending halves", t, pending.size());
        }
        for (PendingHalves.Half h : pending.snapshot()) {
            if (resolver.inFlight(h.offset()) || checking.contains(h.offset()) || !due(h, nowMs)) {
                continue;
            }
            if (h.checks() >= settings.checkMax()) {
                discard(h, nowMs);
            } else {
                check(h, nowMs);
            }
        }
        lastCheck.keySet().removeIf(offset -> !pending.isPending(offset));
    }

    /** Whether {@code h} is old enough and was not checked within the interval. */
    boolean due(PendingHalves.Half h, long nowMs) {
        long immunityMs = h.immunitySec() > 0 ? h.immunitySec() * 1000 : 0;
        if (nowMs - h.storeTimestamp() < Math.max(settings.timeoutMs(), immunityMs)) {
            return false;
        }
        Long last = lastCheck.get(h.offset());
        if (last == null && h.checks() > 0) {
            last = readySinceMs;
        }
        return last == null || nowMs - last >= settings.checkIntervalMs();
    }

    private void discard(PendingHalves.Half h, long nowMs) {
        lastCheck.put(h.offset(), nowMs);
        ensureCheckMaxTopic.run();
        TransactionResolver.Outcome o = resolver.discard(h.offset());
        LOG.warn("half {} of group {} unresolved after {} checks: copied to {} ({})", h.offset(), h.producerGroup(),
            h.checks(), TransactionNames.CHECK_MAX_TOPIC, o);
    }

    private void check(PendingHalves.Half h, long nowMs) {
        if (nowMs - readySinceMs < PRODUCER_GRACE_MS && !sender.hasLiveProducer(h.producerGroup())) {
            return; // asked again next tick, once a producer of the group has heartbeated this leader
        }
        lastCheck.put(h.offset(), nowMs);
        byte[] stored = store.read(h.offset());
        if (stored == null) {
            LOG.warn("pending half {} cannot be read; not checked", h.offset());
            return;
        }
        int n = h.checks() + 1;
        checking.add(h.offset());
        store.propose(TransactionOp.checked(h.offset(), n)).whenCompleteAsync((v, e) -> {
            checking.remove(h.offset());
            if (e != null) {
                LOG.info("check {} of half {} not recorded: {}", n, h.offset(), e.toString());
            } else {
                send(h, stored, n);
            }
        }, followUp);
    }

    private void send(PendingHalves.Half h, byte[] stored, int n) {
        if (!pending.isPending(h.offset()) || store.readyTerm() == 0) {
            return; // resolved meanwhile, or no longer leading: nothing to ask
        }
        StoredMessage half = new StoredMessage().wrap(ByteBuffer.wrap(stored), 0);
        String props = half.properties();
        String uniq = MessageProperties.get(props, MessageProperties.UNIQ_KEY);
        String realTopic = MessageProperties.get(props, TransactionNames.REAL_TOPIC);
        CheckTransactionStateRequestHeader header = new CheckTransactionStateRequestHeader(realTopic,
            half.queueOffset(), h.offset(), uniq, uniq, offsetMsgId(half.storeHost(), h.offset()),
            settings.brokerName());
        byte[] body;
        try {
            body = checkBody(half, h.offset());
        } catch (IllegalArgumentException | IllegalStateException | MessageFormatException e) {
            LOG.warn("half {} cannot be encoded for its check-back: {}", h.offset(), e.toString());
            return;
        }
        if (sender.send(h.producerGroup(), header, body)) {
            LOG.debug("check {} of half {} sent to a producer of {}", n, h.offset(), h.producerGroup());
        } else {
            LOG.info("check {} of half {}: no live producer of group {}", n, h.offset(), h.producerGroup());
        }
    }

    private static String offsetMsgId(HostAddress storeHost, long offset) {
        return MessageIds.offsetMsgId(storeHost, offset);
    }

    /**
     * The half in stored form with its real topic and queue, its queue offset in the half topic and its own
     * physical offset (from which the client computes the offset msgId), as docs/protocol.md §2.9 describes.
     */
    static byte[] checkBody(StoredMessage half, long offset) {
        String props = half.properties();
        String topic = MessageProperties.get(props, TransactionNames.REAL_TOPIC);
        String qid = MessageProperties.get(props, TransactionNames.REAL_QID);
        MessageDraft d = Redraft.from(half);
        if (topic != null && qid != null) {
            d.topic(topic).queueId(Integer.parseInt(qid));
        }
        byte[] out = new StoredMessageEncoder().encode(d);
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putLong(StoredMessage.QUEUE_OFFSET_OFFSET, half.queueOffset());
        b.putLong(StoredMessage.PHYSICAL_OFFSET_OFFSET, offset);
        return out;
    }
}
