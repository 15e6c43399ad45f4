package io.raftmq.tools.bench.client;

import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The consume phase of {@link ClientBench}: an official {@link DefaultLitePullConsumer} of a fresh consumer group
 * (so no committed offsets) is assigned every queue of the topic from its first offset and polls until it has seen
 * every acknowledged send of the run, then drains until a poll comes back empty. Messages are told apart by the id
 * in their body ({@link BenchBody}); messages of other runs in a reused topic are counted in {@code msgs} only.
 * The rate is messages received over the time from the first poll to the last non-empty one. Gives up when no new
 * message arrived for {@link #STALL_MAX_MS} or after {@link #DEADLINE_BASE_MS} plus 0.1 ms per expected message.
 */
final class ConsumePhase {
    private static final long STALL_MAX_MS = 15_000;
    private static final long DEADLINE_BASE_MS = 60_000;
    private static final long POLL_TIMEOUT_MS = 1000;

    private final ClientBenchConfig config;
    private final String topic;
    private final long runId;

    /** msgs: every message received (duplicates and other runs' too); missing: acknowledged but never seen. */
    record Result(long msgs, long elapsedNs, long missing, long duplicates) {
    }

    ConsumePhase(ClientBenchConfig config, String topic, long runId) {
        this.config = config;
        this.topic = topic;
        this.runId = runId;
    }

    Result run(SendPhase.Result sent) throws MQClientException {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer("ClientBenchCG_" + Long.toHexString(runId));
        c.setNamesrvAddr(config.namesrv());
        c.setInstanceName("clientbench-c-" + Long.toHexString(runId));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setAutoCommit(false);
        c.setPullBatchSize(config.pullBatchMax());
        c.setPollTimeoutMillis(POLL_TIMEOUT_MS);
        c.start();
        try {
            Collection<MessageQueue> queues = c.fetchMessageQueues(topic);
            c.assign(queues);
            return pollAll(c, sent);
        } finally {
            c.shutdown();
        }
    }

    private Result pollAll(DefaultLitePullConsumer c, SendPhase.Result sent) {
        SeqBits[] seen = new SeqBits[sent.ackedByThread().length];
        for (int i = 0; i < seen.length; i++) {
            seen[i] = new SeqBits();
        }
        long pending = sent.acknowledged();
        long msgs = 0;
        long duplicates = 0;
        long start = System.nanoTime();
        long last = start;
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(DEADLINE_BASE_MS + sent.acknowledged() / 10);
        boolean drained = false;
        while (!drained) {
            List<MessageExt> batch = c.poll();
            long now = System.nanoTime();
            if (batch.isEmpty()) {
                drained = pending == 0 || now - last > TimeUnit.MILLISECONDS.toNanos(STALL_MAX_MS)
                    || now - deadline > 0;
                continue;
            }
            last = now;
            msgs += batch.size();
            for (int i = 0; i < batch.size(); i++) {
                long id = BenchBody.idOf(batch.get(i).getBody(), runId);
                if (id < 0) {
                    continue;
                }
                int t = BenchBody.thread(id);
                long seq = BenchBody.seq(id);
                if (t >= seen.length || !seen[t].add(seq)) {
                    duplicates += t < seen.length ? 1 : 0;
                    continue;
                }
                pending -= sent.ackedByThread()[t].contains(seq) ? 1 : 0;
            }
            drained = now - deadline > 0;
        }
        long missing = 0;
        for (int i = 0; i < seen.length; i++) {
            missing += sent.ackedByThread()[i].countNotIn(seen[i]);
        }
        return new Result(msgs, last - start, missing, duplicates);
    }
}
