/**
 * Delay levels and timer messages, one due-message engine (docs/messaging.md "Delay levels and timer messages"):
 * {@link io.raftmq.broker.schedule.DueRoute} parks a sent message in its parking topic, {@link
 * io.raftmq.broker.schedule.DueIndex} indexes parked messages by due time on disk, {@link
 * io.raftmq.broker.schedule.DueState} holds the replicated progress (cursor and done marks, rebuilt by the log replay
 * on every member), {@link io.raftmq.broker.schedule.DueDelivery} is the leader's delivery service, and {@link
 * io.raftmq.broker.schedule.DueMessages} wires them to the broker.
 */
package io.raftmq.broker.schedule;
