package io.raftmq.broker.sim;

import io.netty.util.ReferenceCountUtil;
import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.client.protocol.RemotingCommand;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The simulated network between members' client-facing endpoints, over which a follower's
 * {@code LeaderForwarder} relays a send to the leader it knows (its {@code Transport} port, docs/simulation.md
 * "The ports added to main code"). A forwarded request reaches the target 1 to the run's maximum delay later (a
 * stream of its own) and goes to its {@link SimEndpoint} as a client call; the answer comes back as late. A
 * connection does not lose or duplicate (TCP): a request whose link is cut by a partition, or whose target is down,
 * fails when it arrives (connection refused or reset; a real client would wait its timeout); an answer over a link
 * cut meanwhile fails the same way. A member stalled by a pause takes the request (or the answer) when it resumes;
 * a member that died drops what reaches it, released here. Single thread.
 */
final class SimForwarding {
    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final boolean[][] cut;
    private final int delayMaxMs;
    private int forwarded;

    /** A forwarded request on its way to member {@code to}. */
    record Request(SimMember from, int fromIncarnation, int to, RemotingCommand request,
                   CompletableFuture<RemotingCommand> answer) {
        @Override
        public String toString() {
            return "forward(n" + from.id + "->n" + to + ", code " + request.code() + ")";
        }
    }

    /** The target's answer (or failure) on its way back to {@code from}. */
    record Answer(Request call, RemotingCommand response, Throwable failure) {
        @Override
        public String toString() {
            return "answer(n" + call.to + "->n" + call.from.id + ", " + (response != null ? "code " + response.code()
                : failure) + ")";
        }
    }

    SimForwarding(BrokerSimulation sim, SplittableRandom random, boolean[][] cut, int delayMaxMs) {
        this.sim = sim;
        this.random = random;
        this.cut = cut;
        this.delayMaxMs = delayMaxMs;
    }

    int forwarded() {
        return forwarded;
    }

    /** The transport of {@code from}'s forwarder: takes ownership of {@code request}. */
    CompletableFuture<RemotingCommand> invoke(SimMember from, String addr, RemotingCommand request) {
        CompletableFuture<RemotingCommand> answer = new CompletableFuture<>();
        int to = Integer.parseInt(addr.substring(1));
        forwarded++;
        sim.schedule(sim.nowMs() + delay(), Kind.FORWARD, to, new Request(from, from.incarnation, to, request,
            answer));
        return answer;
    }

    /** A forwarded request reaches its target. */
    void onRequest(Request r) {
        SimMember target = sim.member(r.to());
        if (target.up && target.paused() && !cut[r.from().id][r.to()]) {
            sim.schedule(target.pausedUntil, Kind.FORWARD, r.to(), r);
            return;
        }
        if (!target.up || cut[r.from().id][r.to()]) {
            r.request().release();
            reply(r, null, new IOException("connection to " + SimEndpoint.address(r.to()) + " failed"));
            return;
        }
        target.endpoint.call(r.request()).whenComplete((response, e) -> reply(r, response, e));
        sim.driver().drain(target);
    }

    private void reply(Request r, RemotingCommand response, Throwable e) {
        sim.schedule(sim.nowMs() + delay(), Kind.FORWARD_ANSWER, r.from().id, new Answer(r, response, e));
    }

    /** An answer reaches the member that forwarded the request. */
    void onAnswer(Answer a) {
        SimMember from = a.call().from();
        if (!from.up || from.incarnation != a.call().fromIncarnation()) {
            ReferenceCountUtil.release(a.response()); // the process that asked died
            return;
        }
        if (from.paused()) {
            sim.schedule(from.pausedUntil, Kind.FORWARD_ANSWER, from.id, a);
            return;
        }
        if (a.response() != null && cut[a.call().to()][from.id]) {
            a.response().release();
            a.call().answer().completeExceptionally(new IOException("connection to "
                + SimEndpoint.address(a.call().to()) + " reset"));
        } else if (a.failure() != null) {
            a.call().answer().completeExceptionally(a.failure());
        } else {
            a.call().answer().complete(a.response());
        }
        sim.driver().drain(from);
    }

    /** The end of a run: what is still on its way is released. */
    static void release(Object payload) {
        if (payload instanceof Request r) {
            r.request().release();
        } else if (payload instanceof Answer a) {
            ReferenceCountUtil.release(a.response());
        }
    }

    private int delay() {
        return 1 + random.nextInt(delayMaxMs);
    }
}
