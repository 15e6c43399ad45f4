package io.raftmq.broker.transaction;

import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.broker.processor.send.LeaderLocator;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.header.EndTransactionRequestHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiConsumer;

/**
 * END_TRANSACTION (37), docs/protocol.md §2.9: a producer's (or a check-back answer's) decision about a half
 * message. It arrives oneway and is never answered; a refusal is only logged (where RocketMQ's broker would answer
 * an error the producer ignores). 8 commits and 12 rolls back through the {@link TransactionResolver}; 0 (unknown)
 * changes nothing, the check-back asks again later.
 *
 * <p>On a follower: the producer dialled the address its route named as master, which is stale during a failover.
 * The request is forwarded once, oneway, to the leader (marked with {@link LeaderForwarder#FORWARDED_FIELD} so it
 * never travels further); with no leader known it is dropped, and the new leader's check-back asks the producer
 * again. Either way the decision is applied at most once, by the leader.
 *
 * <p>Threads: a control-plane thread (forwarding may wait for a connection); never blocks on the commit.
 */
public final class EndTransactionProcessor implements RequestProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(EndTransactionProcessor.class);
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.END_TRANSACTION};

    private final TransactionResolver resolver;
    private final LeaderLocator leader;
    private final BiConsumer<String, RemotingCommand> forwardOneway;

    /**
     * @param forwardOneway sends a request oneway to a broker address (takes ownership of the request)
     */
    public EndTransactionProcessor(TransactionResolver resolver, LeaderLocator leader,
                                   BiConsumer<String, RemotingCommand> forwardOneway) {
        this.resolver = resolver;
        this.leader = leader;
        this.forwardOneway = forwardOneway;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        if (!leader.isLeader()) {
            forwardToLeader(request);
            return null;
        }
        EndTransactionRequestHeader h = EndTransactionRequestHeader.decode(request.extFields());
        boolean check = Boolean.TRUE.equals(h.fromTransactionCheck());
        TransactionResolver.Outcome o;
        switch (h.commitOrRollback()) {
            case EndTransactionRequestHeader.TRANSACTION_COMMIT_TYPE ->
                o = resolver.commit(h.commitLogOffset(), h.producerGroup());
            case EndTransactionRequestHeader.TRANSACTION_ROLLBACK_TYPE ->
                o = resolver.rollback(h.commitLogOffset(), h.producerGroup());
            case EndTransactionRequestHeader.TRANSACTION_NOT_TYPE -> {
                LOG.debug("producer {} does not know the outcome of half {} yet (check: {})", h.producerGroup(),
                    h.commitLogOffset(), check);
                return null;
            }
            default -> {
                LOG.warn("END_TRANSACTION with unknown commitOrRollback {} for half {}", h.commitOrRollback(),
                    h.commitLogOffset());
                return null;
            }
        }
        log(h, o, check);
        return null;
    }

    private static void log(EndTransactionRequestHeader h, TransactionResolver.Outcome o, boolean check) {
        String what = h.commitOrRollback() == EndTransactionRequestHeader.TRANSACTION_COMMIT_TYPE ? "commit"
            : "rollback";
        switch (o) {
            case STARTED -> LOG.debug("{} of half {} (msgId {}, check: {})", what, h.commitLogOffset(), h.msgId(),
                check);
            case NOT_PENDING, IN_FLIGHT -> LOG.debug("{} of half {} ignored: {}", what, h.commitLogOffset(), o);
            default -> LOG.warn("{} of half {} from group {} refused: {}", what, h.commitLogOffset(),
                h.producerGroup(), o);
        }
    }

    private void forwardToLeader(RemotingCommand request) {
        ExtFields in = request.extFieldsOrEmpty();
        String addr = leader.leaderBrokerAddr();
        if (addr == null || in.get(LeaderForwarder.FORWARDED_FIELD) != null) {
            LOG.info("END_TRANSACTION reached follower with no leader to forward to; the check-back will ask again");
            return;
        }
        ExtFields out = new ExtFields();
        for (int i = 0; i < in.size(); i++) {
            out.put(in.keyAt(i), in.valueAt(i));
        }
        out.put(LeaderForwarder.FORWARDED_FIELD, "true");
        RemotingCommand copy = RemotingCommand.createRequest(RequestCode.END_TRANSACTION).extFields(out)
            .version(request.version()).language(request.language()).markOneway();
        forwardOneway.accept(addr, copy);
    }
}
