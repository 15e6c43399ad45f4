package io.raftmq.client.producer;

import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.SerializeType;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.client.route.TopicRoute;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One send (single message or batch) and its retries, run entirely on the caller's thread for the first request and
 * on the event loop afterwards: no thread waits inside, so sync and async sends share it (a sync send just waits on
 * {@link #result}).
 *
 * <p>Each attempt: take the topic's cached route (fetch it first if none), pick the queue (the selector's, fixed for
 * all attempts; else round robin, preferring a group other than the last failed one whose target is not faulty),
 * resolve the group's target ({@code RouteCache.leaderFor}), send. Then by outcome (docs/sdk.md "Failover"):
 * <ul>
 *   <li>0, 10, 11, 12: done (the address is marked healthy);</li>
 *   <li>connection failure, timeout, closed channel, 14 SERVICE_NOT_AVAILABLE (not the leader), 1 SYSTEM_ERROR:
 *       mark the address faulty, refresh the route at once, ask the group's members who leads, and retry once one
 *       is confirmed (after at least the backoff; see {@link #failover});</li>
 *   <li>2, 16, 17, 204, 205, 1500 (the other codes the official client retries): retry after the backoff (17 also
 *       refreshes the route);</li>
 *   <li>any other code: fail at once.</li>
 * </ul>
 * An attempt still unanswered after {@code slowSendProbeMs} makes the send ask the group's members who leads, again
 * each {@code slowSendProbeMs} while it stays unanswered; when another member leads now (the target is paused, or cut
 * off from its group and deposed), the attempt is abandoned (its late answer is ignored) and the message is sent
 * again to the new leader: a paused leader costs about an election, not the send timeout ({@link #probeSlow}).
 * Retries stop after {@code retriesMax} or at the send's deadline ({@code sendTimeoutMs} from the start), whichever
 * comes first; the last error is reported. A retry may duplicate a message whose first request was stored but not
 * answered (at-least-once, as with the official client). Send headers go in the binary ROCKETMQ serialization,
 * which every 5.x server decodes (docs/protocol.md §1.4): cheaper than JSON for both sides.
 */
final class SendCall {
    /** How often a send waiting for a RaftMQ group to elect a leader asks its members again. */
    static final long LEADER_POLL_MS = 20;
    private final ClientInstance instance;
    private final ProducerConfig config;
    private final Producer.Shared shared;
    private final Message message;
    private final String topic;
    private final int requestCode;
    private final byte[] body;
    private final int sysFlag;
    private final String properties;
    private final String msgId;
    private final MessageQueueSelector selector;
    private final Object arg;
    private final boolean completeOnCallbackExecutor;
    private final long deadlineNs;
    final CompletableFuture<SendResult> result = new CompletableFuture<>();
    private int attempts;
    private String lastGroup;
    private MessageQueue fixedQueue;
    /**
     * The attempt in flight (a fresh token per attempt), cleared by whichever comes first: its answer, or a slow-send
     * resend. The loser backs off, so an attempt is acted on once.
     */
    private final AtomicReference<Object> live = new AtomicReference<>();

    /** What a send carries on the wire besides its queue. */
    record Payload(Message message, int requestCode, byte[] body, int sysFlag, String properties, String msgId) {
    }

    SendCall(ClientInstance instance, ProducerConfig config, Producer.Shared shared, Payload p,
             MessageQueueSelector selector, Object arg, boolean completeOnCallbackExecutor) {
        this.instance = instance;
        this.config = config;
        this.shared = shared;
        this.message = p.message();
        this.topic = p.message().topic();
        this.requestCode = p.requestCode();
        this.body = p.body();
        this.sysFlag = p.sysFlag();
        this.properties = p.properties();
        this.msgId = p.msgId();
        this.selector = selector;
        this.arg = arg;
        this.completeOnCallbackExecutor = completeOnCallbackExecutor;
        this.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.sendTimeoutMs());
    }

    /** Starts the first attempt; returns {@link #result}. */
    CompletableFuture<SendResult> start() {
        withRoute();
        return result;
    }

    private void withRoute() {
        TopicRoute cached = instance.routes().route(topic);
        if (cached != null) {
            attempt(cached);
            return;
        }
        instance.route(topic).whenComplete((route, e) -> {
            if (e != null) {
                retryOrFail(null, clientSide("no route for topic " + topic + ": " + rootMessage(e), e), false);
            } else {
                attempt(route);
            }
        });
    }

    private void attempt(TopicRoute route) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
        if (remainingMs <= 0) {
            fail(clientSide("send to " + topic + " timed out after " + attempts + " attempts", null));
            return;
        }
        if (route.writeQueues().isEmpty()) {
            instance.refreshRoute(topic);
            retryOrFail(null, clientSide("topic " + topic + " has no writable queue", null), false);
            return;
        }
        MessageQueue mq;
        try {
            mq = choose(route);
        } catch (RuntimeException e) { // the user's selector failed: nothing was sent
            fail(new SendException(SendException.CLIENT_SIDE, "queue selector failed: " + e, e));
            return;
        }
        String addr = instance.routes().leaderFor(mq.brokerName(), instance.faults());
        if (addr == null) {
            retryOrFail(mq.brokerName(), clientSide("no address known for broker group " + mq.brokerName(), null),
                    true);
            return;
        }
        attempts++;
        RemotingCommand request = request(mq, route.provisional());
        Object token = new Object();
        live.set(token);
        String group = mq.brokerName();
        // the first probe rides on the call's own deadline scan (no timer per send); later ones use armSlowProbe
        instance.remoting().invokeAsync(addr, request, remainingMs, slowProbeMs(),
                () -> probeSlow(token, group, addr)).whenComplete((r, e) -> {
                    if (live.compareAndSet(token, null)) {
                        onAnswer(mq, addr, r, e);
                    } else if (r != null) {
                        r.release(); // the answer of an attempt abandoned for a new leader
                    }
                });
    }

    /** When an attempt made now gets its slow-send probe: 0 (never) if the probe is off or the deadline is near. */
    private long slowProbeMs() {
        long probeMs = config.slowSendProbeMs();
        if (probeMs <= 0 || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(probeMs) - deadlineNs >= 0
                || !instance.isRunning()) {
            return 0;
        }
        return probeMs;
    }

    /** Schedules another {@link #probeSlow} for the attempt {@code token} unless the probe is off or time is short. */
    private void armSlowProbe(Object token, String group, String addr) {
        long probeMs = slowProbeMs();
        if (probeMs == 0) {
            return;
        }
        try {
            instance.timers().schedule(() -> probeSlow(token, group, addr), probeMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shutDown) {
            // the instance is stopping: the attempt ends with its own answer or timeout
        }
    }

    /**
     * The attempt {@code token} to {@code addr} is still unanswered: ask the group's members who leads (each within
     * slowSendProbeMs, so a paused member cannot hold the answer). If another member leads, abandon the attempt and
     * send again at once (at-least-once: the abandoned request may still be stored); else ask again later.
     */
    private void probeSlow(Object token, String group, String addr) {
        if (live.get() != token) {
            return;
        }
        instance.locateLeader(group, config.slowSendProbeMs()).whenComplete((probe, e) -> {
            if (live.get() != token) {
                return;
            }
            String leader = probe == null ? null : probe.leader();
            if (leader != null && !leader.equals(addr) && canRetry() && live.compareAndSet(token, null)) {
                instance.faults().markFailed(addr);
                instance.refreshRoute(topic);
                schedule(clientSide("send to " + addr + " unanswered; " + leader + " leads " + group + " now", null),
                        0, this::withRoute);
            } else {
                armSlowProbe(token, group, addr);
            }
        });
    }

    private MessageQueue choose(TopicRoute route) {
        List<MessageQueue> queues = route.writeQueues();
        if (selector != null) {
            if (fixedQueue == null) {
                MessageQueue q = selector.select(queues, message, arg);
                if (q == null || !queues.contains(q)) {
                    throw new IllegalArgumentException("the selector chose " + q + ", not a writable queue of "
                            + topic);
                }
                fixedQueue = q;
            }
            return fixedQueue;
        }
        int n = queues.size();
        int start = shared.nextQueue();
        MessageQueue fallback = null;
        for (int i = 0; i < n; i++) {
            MessageQueue q = queues.get(Math.floorMod(start + i, n));
            if (instance.routes().hasAvailableTarget(q.brokerName(), instance.faults())) {
                if (lastGroup == null || !lastGroup.equals(q.brokerName())) {
                    return q;
                }
                if (fallback == null) {
                    fallback = q;
                }
            }
        }
        return fallback != null ? fallback : queues.get(Math.floorMod(start, n));
    }

    private RemotingCommand request(MessageQueue mq, boolean provisional) {
        SendMessageRequestHeader h = new SendMessageRequestHeader(config.group(), topic, TopicRoute.DEFAULT_TOPIC,
                Producer.DEFAULT_TOPIC_QUEUES, mq.queueId(), sysFlag, System.currentTimeMillis(), message.flag(),
                properties, 0, false, requestCode == RequestCode.SEND_BATCH_MESSAGE, null, mq.brokerName());
        return RemotingCommand.createRequest(requestCode, h.asV2()).serializeType(SerializeType.ROCKETMQ)
                .setBody(body);
    }

    private void onAnswer(MessageQueue mq, String addr, RemotingCommand r, Throwable e) {
        if (e != null) {
            failover(mq.brokerName(), addr, clientSide("send to " + addr + " failed: " + rootMessage(e), e));
            return;
        }
        try {
            int code = r.code();
            switch (code) {
                case ResponseCode.SUCCESS -> succeed(mq, addr, r, SendStatus.SEND_OK);
                case ResponseCode.FLUSH_DISK_TIMEOUT -> succeed(mq, addr, r, SendStatus.FLUSH_DISK_TIMEOUT);
                case ResponseCode.FLUSH_SLAVE_TIMEOUT -> succeed(mq, addr, r, SendStatus.FLUSH_SLAVE_TIMEOUT);
                case ResponseCode.SLAVE_NOT_AVAILABLE -> succeed(mq, addr, r, SendStatus.SLAVE_NOT_AVAILABLE);
                case ResponseCode.SERVICE_NOT_AVAILABLE, ResponseCode.SYSTEM_ERROR ->
                        failover(mq.brokerName(), addr, refused(addr, r));
                case ResponseCode.SYSTEM_BUSY, ResponseCode.NO_PERMISSION, ResponseCode.NO_BUYER_ID,
                     ResponseCode.NOT_IN_CURRENT_UNIT, ResponseCode.GO_AWAY ->
                        retryOrFail(mq.brokerName(), refused(addr, r), true);
                case ResponseCode.TOPIC_NOT_EXIST -> {
                    instance.refreshRoute(topic);
                    retryOrFail(mq.brokerName(), refused(addr, r), true);
                }
                default -> fail(refused(addr, r));
            }
        } finally {
            r.release();
        }
    }

    private void succeed(MessageQueue mq, String addr, RemotingCommand r, SendStatus status) {
        instance.faults().markOk(addr);
        SendMessageResponseHeader h;
        try {
            h = SendMessageResponseHeader.decode(r.extFields());
        } catch (RemotingCommandException bad) {
            fail(new SendException(r.code(), "unreadable send answer from " + addr + ": " + bad.getMessage(), bad));
            return;
        }
        complete(new SendResult(status, msgId, h.msgId(), new MessageQueue(topic, mq.brokerName(), h.queueId()),
                h.queueOffset(), attempts));
    }

    /**
     * Leader gone or not leading: avoid the address, refresh the route, and ask the group's members who leads; retry
     * once a leader is confirmed (after at least the backoff). While a RaftMQ group has no confirmed leader (an
     * election is running) ask again every {@link #LEADER_POLL_MS} ms until the send's deadline, without using up
     * attempts; a group that does not answer as RaftMQ gets a plain retry after the backoff.
     */
    private void failover(String group, String addr, SendException cause) {
        instance.faults().markFailed(addr);
        lastGroup = group;
        if (!canRetry()) {
            fail(cause);
            return;
        }
        instance.refreshRoute(topic);
        awaitLeader(group, cause, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs()));
    }

    private void awaitLeader(String group, SendException cause, long earliestNs) {
        instance.locateLeader(group).whenComplete((probe, e) -> {
            long now = System.nanoTime();
            if (e != null || probe.leader() != null || !probe.raftAware()) {
                schedule(cause, Math.max(0, earliestNs - now), this::withRoute);
            } else if (now - deadlineNs >= 0) {
                fail(new SendException(cause.responseCode(), "no leader of " + group + " confirmed before the"
                        + " send timed out; last error: " + cause.getMessage(), cause));
            } else {
                schedule(cause, TimeUnit.MILLISECONDS.toNanos(LEADER_POLL_MS),
                        () -> awaitLeader(group, cause, earliestNs));
            }
        });
    }

    private void retryOrFail(String group, SendException cause, boolean counted) {
        lastGroup = group == null ? lastGroup : group;
        if (!canRetry() || (!counted && System.nanoTime() - deadlineNs >= 0)) {
            fail(cause);
            return;
        }
        if (!counted) {
            attempts++; // a send that never left still uses up an attempt, so a missing route cannot loop
        }
        schedule(cause, TimeUnit.MILLISECONDS.toNanos(backoffMs()), this::withRoute);
    }

    private void schedule(SendException cause, long delayNs, Runnable next) {
        if (!instance.isRunning()) {
            fail(new SendException(SendException.CLIENT_SIDE, "producer shut down during the send", cause));
            return;
        }
        try {
            instance.timers().schedule(next, delayNs, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            fail(new SendException(SendException.CLIENT_SIDE, "producer shut down during the send", cause));
        }
    }

    private boolean canRetry() {
        return attempts <= config.retriesMax() && System.nanoTime() - deadlineNs < 0 && instance.isRunning();
    }

    /** Pause before the next attempt: the minimum doubled per attempt made, at most the maximum. */
    private long backoffMs() {
        long b = config.retryBackoffMsMin() << Math.min(Math.max(attempts - 1, 0), 16);
        return Math.min(b, config.retryBackoffMsMax());
    }

    private void complete(SendResult r) {
        if (completeOnCallbackExecutor) {
            instance.runCallback(() -> result.complete(r));
        } else {
            result.complete(r);
        }
    }

    private void fail(SendException e) {
        if (completeOnCallbackExecutor) {
            instance.runCallback(() -> result.completeExceptionally(e));
        } else {
            result.completeExceptionally(e);
        }
    }

    private SendException refused(String addr, RemotingCommand r) {
        return new SendException(r.code(), "broker " + addr + " refused the send to " + topic + ": code " + r.code()
                + " " + r.remark(), null);
    }

    private static SendException clientSide(String message, Throwable cause) {
        return new SendException(SendException.CLIENT_SIDE, message, cause);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null
                || t instanceof java.util.concurrent.CompletionException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
