package io.raftmq.broker.metrics;

import io.raftmq.broker.longpoll.HeldPullRequests;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.broker.processor.send.SendHold;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.retention.DiskUsage;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.raft.driver.RaftAgent;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Where {@link BrokerMetrics} reads a member's figures at scrape time: each supplier answers the part as it is now,
 * or null while the member has not created it yet (a scrape during start) or after it closed it. Every part read
 * through here publishes its counters for any thread (volatile fields, adders, the raft agent's published status),
 * so a scrape never calls into the raft core or takes a lock of the send path.
 *
 * @param agent     the raft agent
 * @param store     the message store (commit log positions, group-commit counters)
 * @param disk      the store's file system usage
 * @param batcher   the leader's send batcher
 * @param hold      where sends wait while leadership moves
 * @param forwarder a follower's forwarding of sends to the leader
 * @param heldPulls long-polling pulls
 * @param retention retention (deleted segments and bytes)
 * @param topics    the topic table
 * @param groups    the subscription groups
 * @param offsets   the consumer offsets (applied state, readable from any thread)
 * @param recoveryNanos how long the member took to open its store and raft at start (store recovery, snapshot
 *                  restore, log replay); negative until done
 */
public record MetricSources(Supplier<RaftAgent> agent, Supplier<MessageStore> store, DiskUsage disk,
                            Supplier<SendBatcher> batcher, Supplier<SendHold> hold,
                            Supplier<LeaderForwarder> forwarder, Supplier<HeldPullRequests> heldPulls,
                            Supplier<RetentionService> retention, Supplier<TopicConfigManager> topics,
                            Supplier<SubscriptionGroupManager> groups, Supplier<ConsumerOffsetManager> offsets,
                            LongSupplier recoveryNanos) {
}
