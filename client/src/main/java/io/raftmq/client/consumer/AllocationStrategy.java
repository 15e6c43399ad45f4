package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the consumers of a group divide a topic's queues (docs/protocol.md §5.4). Every consumer computes its own share
 * from the same sorted lists, so the shares are disjoint and cover every queue without any coordination.
 * <ul>
 *   <li>{@link #AVERAGE}: contiguous blocks, the first {@code n mod k} consumers one queue more (the official
 *       client's default, same assignment, so the two can share a group).</li>
 *   <li>{@link #CONSISTENT_HASH}: a ring of {@link #VIRTUAL_NODES} points per consumer ({@code clientId-i}, MD5, the
 *       digest's first 4 bytes little-endian); a queue goes to the first point at or after its own hash
 *       ({@code MessageQueue [topic=.., brokerName=.., queueId=..]}). When a consumer leaves, only its queues move.
 *       </li>
 * </ul>
 */
public enum AllocationStrategy {
    AVERAGE {
        @Override
        List<MessageQueue> share(String self, List<MessageQueue> queues, List<String> consumers) {
            int n = queues.size();
            int k = consumers.size();
            int i = consumers.indexOf(self);
            int extra = n % k;
            int size = n <= k ? 1 : n / k + (i < extra ? 1 : 0);
            int start = i < extra ? i * size : i * size + extra;
            List<MessageQueue> out = new ArrayList<>();
            for (int q = start; q < Math.min(start + size, n); q++) {
                out.add(queues.get(q));
            }
            return out;
        }
    },
    CONSISTENT_HASH {
        @Override
        List<MessageQueue> share(String self, List<MessageQueue> queues, List<String> consumers) {
            TreeMap<Long, String> ring = new TreeMap<>();
            for (String c : consumers) {
                for (int v = 0; v < VIRTUAL_NODES; v++) {
                    ring.put(md5(c + "-" + v), c);
                }
            }
            List<MessageQueue> out = new ArrayList<>();
            for (MessageQueue q : queues) {
                long h = md5("MessageQueue [topic=" + q.topic() + ", brokerName=" + q.brokerName() + ", queueId="
                        + q.queueId() + "]");
                Map.Entry<Long, String> owner = ring.ceilingEntry(h);
                if (owner == null) {
                    owner = ring.firstEntry();
                }
                if (owner.getValue().equals(self)) {
                    out.add(q);
                }
            }
            return out;
        }
    };

    /** Ring points per consumer of {@link #CONSISTENT_HASH}. */
    public static final int VIRTUAL_NODES = 10;

    /**
     * The queues {@code self} takes.
     *
     * @param queues    every queue of the topic, sorted ({@link MessageQueue}'s order)
     * @param consumers every live consumer of the group, sorted
     * @return self's queues in {@code queues}' order; empty when self is not among {@code consumers}
     */
    public List<MessageQueue> allocate(String self, List<MessageQueue> queues, List<String> consumers) {
        if (queues.isEmpty() || !consumers.contains(self)) {
            return List.of();
        }
        return share(self, queues, consumers);
    }

    abstract List<MessageQueue> share(String self, List<MessageQueue> queues, List<String> consumers);

    static long md5(String key) {
        try {
            byte[] d = MessageDigest.getInstance("MD5").digest(key.getBytes(StandardCharsets.UTF_8));
            return ((long) (d[3] & 0xFF) << 24) | ((long) (d[2] & 0xFF) << 16) | ((long) (d[1] & 0xFF) << 8)
                    | (d[0] & 0xFF);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
