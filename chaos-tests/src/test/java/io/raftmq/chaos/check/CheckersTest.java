package io.raftmq.chaos.check;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Goal: each checker flags exactly the fault planted in a hand-made history, and a clean history of the same shape
 * passes every checker. Method: {@link Hand} histories (deterministic: explicit times, no randomness), each with one
 * planted fault, run through {@link Checkers#checkAll}; the violations list names the checkers that fired.
 */
class CheckersTest {
    private static final CheckInput IN = CheckInput.defaults();

    /** Two queues, a leader kill healed by a new leader, an ordered key, committed offsets: all fine. */
    static Hand clean() {
        Hand x = new Hand().role("n1", "leader", 1).role("n2", "follower", 1).role("n3", "follower", 1);
        x.sent("a", "b:0", 0, "key=k seq=0").sent("b", "b:1", 0, "key=k seq=1").sent("c", "b:0", 1, "key=j seq=0");
        x.at(200).nemesis("kill-leader", "n1", "inject: kill -9 n1");
        x.sentUnknown("d");
        x.at(1200).role("n2", "leader", 2).role("n1", "down", 1).role("n3", "follower", 2);
        x.at(1500).sent("e", "b:1", 1, "key=k seq=2");
        x.at(2000).nemesis("kill-leader", "n1", "heal: restart n1").role("n1", "follower", 2);
        x.at(2100).session("c1").consumed("c1", "a", "b:0", 0).consumed("c1", "b", "b:1", 0)
            .consumed("c1", "c", "b:0", 1).consumed("c1", "e", "b:1", 1).consumed("c1", "d", "b:1", 2);
        x.committed("g:b:0", 1).committed("g:b:0", 2).committed("g:b:1", 3);
        x.session("c1").consumed("c1", "b", "b:1", 0);
        return x;
    }

    @Test
    void aCleanHistoryPassesEveryChecker() {
        CheckReport r = Checkers.checkAll(clean().h, IN);

        assertThat(r.valid()).as(r.toString()).isTrue();
        LostChecker.Result lost = (LostChecker.Result) r.get("lost");
        assertThat(lost.acknowledged()).isEqualTo(4);
        assertThat(lost.recovered()).isEqualTo(1);
        DuplicateChecker.Result dup = (DuplicateChecker.Result) r.get("duplicates");
        assertThat(dup.duplicates()).isEqualTo(1);
        assertThat(((OrderChecker.Result) r.get("order")).keyed()).isEqualTo(5);
        assertThat(((DivergenceChecker.Result) r.get("divergence")).skipped()).isTrue();
        assertThat(r.results()).extracting(CheckResult::name).containsExactly("lost", "duplicates", "unexpected",
            "offsets", "order", "committed-offsets", "divergence", "failover", "members");
    }

    @Test
    void aMemberThatNeverFollowedTheLastLeaderIsStale() {
        Hand x = new Hand().role("n1", "leader", 1).role("n2", "follower", 1).role("n3", "follower", 1);
        x.at(1000).role("n2", "leader", 2).role("n1", "follower", 2); // n3 stays in term 1: its raft stopped
        x.at(4000).sent("a", "b:0", 0, "").consumed("c1", "a", "b:0", 0);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).containsExactly("members");
        assertThat(r.get("members").examples()).containsExactly("n3: last reported follower term=1 at 2.000 ms,"
            + " but n2 led term 2 from 1000.000 ms on");
        x.at(4100).role("n3", "down", 1);
        assertThat(Checkers.checkAll(x.h, IN).violations()).as("down at the end: the runner's business").isEmpty();
    }

    @Test
    void aLeaderElectedJustBeforeTheEndIsNotYetExpectedEverywhere() {
        Hand x = new Hand().role("n1", "leader", 1).role("n2", "follower", 1).role("n3", "follower", 1);
        x.at(1000).role("n2", "leader", 2);
        x.at(1500).sent("a", "b:0", 0, "").consumed("c1", "a", "b:0", 0);

        assertThat(Checkers.checkAll(x.h, IN).valid()).isTrue();
    }

    @Test
    void lostMessagesAreSplitIntoPrefixMiddleAndPostfix() {
        Hand x = new Hand();
        for (String v : new String[] {"a", "b", "c", "d", "e"}) {
            x.sent(v, "b:0", v.charAt(0) - 'a', "");
        }
        x.sentUnknown("f").sentUnknown("g");
        x.consumed("c1", "b", "b:0", 1).consumed("c1", "d", "b:0", 3).consumed("c1", "g", "b:0", 5);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).containsExactly("lost");
        LostChecker.Result lost = (LostChecker.Result) r.get("lost");
        assertThat(new long[] {lost.lostPrefix(), lost.lostMiddle(), lost.lostPostfix()}).containsExactly(1, 1, 1);
        assertThat(lost.recovered()).isEqualTo(1);
        assertThat(lost.unknownAbsent()).isEqualTo(1);
        assertThat(lost.examples()).hasSize(3);
        assertThat(lost.examples().get(0)).startsWith("prefix: a acknowledged at 1.000 ms");
        assertThat(lost.examples().get(1)).startsWith("middle: c");
        assertThat(lost.examples().get(2)).startsWith("postfix: e");
    }

    @Test
    void nothingConsumedMakesEveryLossPostfix() {
        Hand x = new Hand().sent("a", "b:0", 0, "").sent("b", "b:0", 1, "");

        LostChecker.Result lost = LostChecker.check(x.h, IN);

        assertThat(lost.lostPostfix()).isEqualTo(2);
        assertThat(lost.lost()).isEqualTo(2);
    }

    @Test
    void aDuplicateAtTheSameOffsetIsCountedNotAViolationUnlessBounded() {
        Hand x = new Hand().sent("a", "b:0", 0, "").consumed("c1", "a", "b:0", 0).session("c1")
            .consumed("c1", "a", "b:0", 0);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).isEmpty();
        assertThat(((DuplicateChecker.Result) r.get("duplicates")).duplicates()).isEqualTo(1);
        assertThat(Checkers.checkAll(x.h, IN.withDuplicatesMax(0)).violations()).containsExactly("duplicates");
        assertThat(Checkers.checkAll(x.h, IN.withDuplicatesMax(1)).violations()).isEmpty();
    }

    @Test
    void aMessageDeliveredAtTwoOffsetsIsADuplicateViolationAndAnOffsetInconsistency() {
        Hand x = new Hand().sent("a", "b:0", 0, "").sent("b", "b:0", 1, "").consumed("c1", "a", "b:0", 0)
            .consumed("c1", "b", "b:0", 1).consumed("c1", "a", "b:0", 2);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).containsExactly("duplicates", "offsets");
        DuplicateChecker.Result dup = (DuplicateChecker.Result) r.get("duplicates");
        assertThat(dup.atTwoPositions()).isEqualTo(1);
        assertThat(dup.examples()).containsExactly("at two positions: a consumed 2 times at [b:0@0, b:0@2]");
    }

    @Test
    void twoMessagesAtOnePositionAreInconsistentOffsets() {
        Hand x = new Hand().sent("a", "b:0", 0, "").sent("c", "b:0", 0, "").consumed("c1", "a", "b:0", 0)
            .consumed("c1", "c", "b:0", 1);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).containsExactly("offsets");
        OffsetChecker.Result off = (OffsetChecker.Result) r.get("offsets");
        assertThat(off.positionsTwoValues()).isEqualTo(1);
        assertThat(off.valuesTwoPositions()).isEqualTo(1);
        assertThat(off.examples()).containsExactly("position b:0@0 holds [a, c]", "message c at [b:0@0, b:0@1]");
    }

    @Test
    void anOffsetGoingBackInOneSessionIsReordered() {
        Hand x = new Hand().sent("a", "b:0", 0, "").sent("b", "b:0", 1, "").session("c1")
            .consumed("c1", "b", "b:0", 1).consumed("c1", "a", "b:0", 0);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).containsExactly("order");
        OrderChecker.Result o = (OrderChecker.Result) r.get("order");
        assertThat(o.queueReorders()).isEqualTo(1);
        assertThat(o.examples()).containsExactly("c1 session 1 queue b:0: 0 (a) after 1");
    }

    @Test
    void aConcurrentListenerMayCompleteOneQueuesMessagesInAnyOrder() {
        Hand x = new Hand().sent("a", "b:0", 0, "").sent("b", "b:0", 1, "").session("c1")
            .event("c1", History.Type.OK, "consume", "b", "queue=b:0 offset=1 group=g listener=concurrent")
            .event("c1", History.Type.OK, "consume", "a", "queue=b:0 offset=0 group=g listener=concurrent");

        assertThat(Checkers.checkAll(x.h, IN).violations()).isEmpty();
    }

    @Test
    void aKeysSequenceGoingBackIsReorderedEvenAcrossQueues() {
        Hand x = new Hand().sent("a", "b:0", 0, "key=k seq=0").sent("b", "b:1", 0, "key=k seq=1")
            .consumed("c1", "b", "b:1", 0).consumed("c1", "a", "b:0", 0);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).containsExactly("order");
        OrderChecker.Result o = (OrderChecker.Result) r.get("order");
        assertThat(o.queueReorders()).isZero();
        assertThat(o.keyReorders()).isEqualTo(1);
    }

    @Test
    void aSendWithAnUnknownOutcomeIsNotOrderedButTwoAcknowledgedOnesWithOneSeqAre() {
        // seq 1 timed out (u), was sent again (r) and acknowledged, seq 2 too; u landed late, after seq 2
        Hand x = new Hand().sent("a", "b:0", 0, "key=k seq=0").sentUnknown("u").sent("r", "b:0", 1, "key=k seq=1")
            .sent("s", "b:0", 2, "key=k seq=2")
            .event("c1", History.Type.OK, "consume", "a", "queue=b:0 offset=0 group=g key=k seq=0")
            .event("c1", History.Type.OK, "consume", "r", "queue=b:0 offset=1 group=g key=k seq=1")
            .event("c1", History.Type.OK, "consume", "s", "queue=b:0 offset=2 group=g key=k seq=2")
            .event("c1", History.Type.OK, "consume", "u", "queue=b:0 offset=3 group=g key=k seq=1");

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.get("order").valid()).isTrue();
        assertThat(((OrderChecker.Result) r.get("order")).keyNotAcknowledged()).isEqualTo(1);

        Hand y = new Hand().sent("a", "b:0", 0, "key=k seq=1").sent("b", "b:0", 1, "key=k seq=1")
            .consumed("c1", "a", "b:0", 0).consumed("c1", "b", "b:0", 1);
        OrderChecker.Result o = (OrderChecker.Result) Checkers.checkAll(y.h, IN).get("order");
        assertThat(o.valid()).as("two acknowledged messages with one seq").isFalse();
        assertThat(o.keyReorders()).isEqualTo(1);
    }

    @Test
    void aRewoundCommittedOffsetIsFlaggedUnlessExplicitlyReset() {
        Hand x = new Hand().committed("g:b:0", 5).committed("g:b:1", 2).committed("g:b:0", 3);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).containsExactly("committed-offsets");
        assertThat(r.get("committed-offsets").examples()).containsExactly("g:b:0: offset 3 after 5 at 2.000 ms");

        Hand reset = new Hand().committed("g:b:0", 5)
            .event("admin", History.Type.OK, "reset-offset", "g:b:0", "offset=0").committed("g:b:0", 3);
        assertThat(Checkers.checkAll(reset.h, IN).violations()).isEmpty();
    }

    @Test
    void aMessageNeverSentOrOnlyFailedIsUnexpected() {
        Hand x = new Hand().sent("a", "b:0", 0, "").sentFailed("f").consumed("c1", "a", "b:0", 0)
            .consumed("c1", "z", "b:0", 1).consumed("c1", "f", "b:0", 2);

        CheckReport r = Checkers.checkAll(x.h, IN);

        assertThat(r.violations()).containsExactly("unexpected");
        UnexpectedChecker.Result u = (UnexpectedChecker.Result) r.get("unexpected");
        assertThat(u.neverSent()).isEqualTo(1);
        assertThat(u.failedButConsumed()).isEqualTo(1);
        assertThat(u.examples()).containsExactly("never sent: z", "send failed, yet consumed: f");
    }

    @Test
    void failoverTimesServerAndClientSide() {
        Hand x = new Hand().role("n1", "leader", 1);
        x.at(100).sent("a", "b:0", 0, "");
        x.at(200).nemesis("kill", "n1", "inject: kill -9");
        x.at(1200).role("n2", "leader", 2);
        x.at(1500).sent("b", "b:0", 1, "");
        x.at(2900).sent("c", "b:0", 2, "");
        x.at(3000).nemesis("pause", "n3", "inject: SIGSTOP n3");
        x.at(3100).sent("d", "b:0", 3, "");
        x.at(4000).nemesis("pause", "n3", "heal: SIGCONT n3").nemesis("kill", "n1", "heal: restart");

        FailoverChecker.Result f = FailoverChecker.check(x.h, IN);

        assertThat(f.faults()).isEqualTo(2);
        assertThat(f.leaderFaults()).isEqualTo(1);
        assertThat(f.serverMs()).containsExactly(1000.0);
        assertThat(f.clientMs()).containsExactly(1400.0, 200.0);
        assertThat(f.clientP50Ms()).isEqualTo(200.0);
        assertThat(f.clientMaxMs()).isEqualTo(1400.0);
        assertThat(f.serverP50Ms()).isEqualTo(1000.0);
        assertThat(f.valid()).isTrue();
        assertThat(Faults.of(x.h)).extracting(Faults.Window::nemesis, Faults.Window::healed)
            .containsExactly(tuple("kill", true), tuple("pause", true));
    }

    @Test
    void aSendAcknowledgedByAnotherBrokerEndsAServerFailoverWithoutRoleEvents() {
        Hand x = new Hand().role("n1", "leader", 1);
        x.at(100).sent("a", "b:0", 0, "addr=127.0.0.2:10911");
        x.at(200).nemesis("partition", "n1", "inject: isolate n1");
        x.at(700).sent("b", "b:0", 1, "addr=127.0.0.2:10911");
        x.at(900).sent("c", "b:0", 2, "addr=127.0.0.3:10911");

        FailoverChecker.Result f = FailoverChecker.check(x.h, IN);

        assertThat(f.serverMs()).containsExactly(701.0);
        assertThat(f.clientMs()).containsExactly(600.0);
    }

    @Test
    void aLeaderNeverReplacedIsUnrecovered() {
        Hand x = new Hand().role("n1", "leader", 1).sent("a", "b:0", 0, "").nemesis("kill", "n1", "inject: kill");

        FailoverChecker.Result f = FailoverChecker.check(x.h, IN);

        assertThat(f.serverUnrecovered()).isEqualTo(1);
        assertThat(f.clientUnrecovered()).isEqualTo(1);
        assertThat(Double.isNaN(f.serverP50Ms())).isTrue();
    }
}
