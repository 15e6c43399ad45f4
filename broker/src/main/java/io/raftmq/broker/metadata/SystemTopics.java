package io.raftmq.broker.metadata;

import io.raftmq.client.protocol.body.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The topics clients write to without creating them, made by the group's leader (docs/consumer-protocol.md): the
 * message-trace topic {@code RMQ_SYS_TRACE_TOPIC} (the official client's {@code enableMsgTrace}) and the cluster's
 * reply topic {@code <cluster>_REPLY_TOPIC} (request/reply), one queue each, read and write, as RocketMQ's brokers
 * make them. Created through the Raft log like any topic, once a leader is ready (it has applied an entry of its own
 * term, so it knows every topic earlier leaders created): otherwise the first writers race the topic's
 * auto-creation from TBW102, and a client that found no route in that window drops its trace records.
 *
 * <p>{@link #observe} runs as a role watcher (the broker scheduler): it proposes the missing topics at most once at
 * a time; a failed proposal is retried at the next role change or safety poll.
 */
public final class SystemTopics {
    /** The message-trace topic of the official client. */
    public static final String TRACE_TOPIC = "RMQ_SYS_TRACE_TOPIC";
    private static final Logger LOG = LoggerFactory.getLogger(SystemTopics.class);

    private final TopicConfigManager topics;
    private final LongSupplier readyTerm;
    private final List<String> names;
    private final AtomicBoolean proposing = new AtomicBoolean();

    /**
     * @param topics      the replicated topic table
     * @param readyTerm   the term in which this member leads and has applied an entry of its own, or a negative value
     * @param clusterName the broker cluster's name (for the reply topic)
     */
    public SystemTopics(TopicConfigManager topics, LongSupplier readyTerm, String clusterName) {
        this.topics = topics;
        this.readyTerm = readyTerm;
        this.names = List.of(TRACE_TOPIC, clusterName + "_REPLY_TOPIC");
    }

    /** Proposes the system topics this group lacks, when this member is a ready leader. */
    public void observe() {
        if (readyTerm.getAsLong() <= 0 || !proposing.compareAndSet(false, true)) {
            return;
        }
        List<String> missing = names.stream().filter(n -> topics.get(n) == null).toList();
        if (missing.isEmpty()) {
            proposing.set(false);
            return;
        }
        CompletableFuture<?>[] fs = missing.stream().map(n -> topics.createOrUpdate(
            new TopicConfig(n, 1, 1, TopicConfigManager.PERM_RW, TopicConfig.SINGLE_TAG, 0, false, Map.of())))
            .toArray(CompletableFuture<?>[]::new);
        CompletableFuture.allOf(fs).whenComplete((v, e) -> {
            proposing.set(false);
            if (e != null) {
                LOG.info("system topics {} not created yet (retried on the next role change): {}", missing,
                    e.toString());
            } else {
                LOG.info("system topics {} created", missing);
            }
        });
    }
}
