package io.raftmq.broker.processor.clients;

import io.raftmq.broker.filter.SqlFilterException;
import io.raftmq.broker.filter.SqlFilters;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.CheckClientRequestBody;
import io.raftmq.client.protocol.body.SubscriptionData;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;

/**
 * CHECK_CLIENT_CONFIG (46), docs/consumer-protocol.md "SQL92 filters": before a consumer with a subscription that is
 * not a tag expression starts, it asks every broker of its topics whether the subscription is accepted, and refuses to
 * start with the remark it gets. Answers: 0 for tag subscriptions (or no subscription in the body) and for a SQL92
 * expression that compiles; 23 SUBSCRIPTION_PARSE_FAILED with the compiler's message (what is wrong and where) when
 * it does not; 1 SYSTEM_ERROR when SQL92 is switched off ({@code enablePropertyFilter=false}) or the type is unknown.
 * Stateless: the compiled expression is cached for the pulls that follow ({@link SqlFilters}).
 */
public final class ClientConfigCheckProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.CHECK_CLIENT_CONFIG};

    private final SqlFilters sqlFilters;

    public ClientConfigCheckProcessor(SqlFilters sqlFilters) {
        this.sqlFilters = sqlFilters;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        byte[] body = request.bodyBytes();
        CheckClientRequestBody check = body == null ? null : CheckClientRequestBody.decode(body);
        SubscriptionData s = check == null ? null : check.subscriptionData();
        if (s == null) {
            return Replies.ok();
        }
        String type = s.expressionType();
        if (type == null || type.isEmpty() || SubscriptionData.TYPE_TAG.equals(type)) {
            return Replies.ok();
        }
        if (!SubscriptionData.TYPE_SQL92.equals(type) || !sqlFilters.enabled()) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "The broker does not support consumer to filter message"
                + " by " + type);
        }
        try {
            sqlFilters.compile(s.subString());
            return Replies.ok();
        } catch (SqlFilterException e) {
            return Replies.error(ResponseCode.SUBSCRIPTION_PARSE_FAILED, "the SQL92 subscription [" + s.subString()
                + "] of group " + check.group() + " does not compile: "
                + e.getMessage());
        }
    }
}
