package io.raftmq.broker.transaction;

import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.broker.processor.send.LeaderLocator;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.header.EndTransactionRequestHeader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: END_TRANSACTION is never answered; on the leader 8 commits, 12 rolls back, 0 and unknown values change
 * nothing; a follower forwards it once, oneway, to the leader (never a request already forwarded) and drops it
 * when no leader is known. The request context is not used by the processor.
 */
class EndTransactionProcessorTest {
    private final TxnLog log = new TxnLog();
    private final TransactionResolver resolver = new TransactionResolver(log.pending, log, () -> 5);
    private final List<String> forwardedTo = new ArrayList<>();
    private final List<RemotingCommand> forwarded = new ArrayList<>();
    private boolean leader = true;
    private String leaderAddr = "127.0.0.1:10911";
    private final EndTransactionProcessor processor = new EndTransactionProcessor(resolver, new LeaderLocator() {
        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public String leaderBrokerAddr() {
            return leaderAddr;
        }
    }, (addr, req) -> {
        forwardedTo.add(addr);
        forwarded.add(req);
    });

    private static RemotingCommand request(long offset, int decision) {
        return RemotingCommand.createRequest(RequestCode.END_TRANSACTION, new EndTransactionRequestHeader("pg", 0,
            offset, decision, false, "U1", "U1", "RealTopic", "broker-a")).markOneway();
    }

    @Test
    void leaderAppliesCommitAndRollbackAndIgnoresTheRest() throws Exception {
        long p = log.half("pg", 0, null, "U1");
        long q = log.half("pg", 0, null, "U2");
        assertThat(processor.process(null, request(p, 0))).isNull();
        assertThat(processor.process(null, request(p, 4))).isNull();
        assertThat(log.queued()).isZero();
        assertThat(processor.process(null, request(p, EndTransactionRequestHeader.TRANSACTION_COMMIT_TYPE)))
            .isNull();
        assertThat(processor.process(null, request(q, EndTransactionRequestHeader.TRANSACTION_ROLLBACK_TYPE)))
            .isNull();
        assertThat(processor.process(null, request(q, EndTransactionRequestHeader.TRANSACTION_COMMIT_TYPE)))
            .isNull();
        log.commitAll();
        assertThat(log.pending.size()).isZero();
        assertThat(log.committedOps).containsExactly(TransactionOp.rollback(q));
        assertThat(forwarded).isEmpty();
    }

    @Test
    void followerForwardsOnceToTheLeader() throws Exception {
        leader = false;
        long p = log.half("pg", 0, null, "U1");
        assertThat(processor.process(null, request(p, EndTransactionRequestHeader.TRANSACTION_COMMIT_TYPE)))
            .isNull();
        assertThat(forwardedTo).containsExactly("127.0.0.1:10911");
        RemotingCommand copy = forwarded.get(0);
        assertThat(copy.isOneway()).isTrue();
        assertThat(copy.extFields().get(LeaderForwarder.FORWARDED_FIELD)).isEqualTo("true");
        assertThat(EndTransactionRequestHeader.decode(copy.extFields()).commitLogOffset()).isEqualTo(p);
        assertThat(processor.process(null, copy)).isNull();
        assertThat(forwarded).hasSize(1);
        leaderAddr = null;
        assertThat(processor.process(null, request(p, EndTransactionRequestHeader.TRANSACTION_COMMIT_TYPE)))
            .isNull();
        assertThat(forwarded).hasSize(1);
        assertThat(log.queued()).isZero();
        assertThat(log.pending.isPending(p)).isTrue();
    }
}
