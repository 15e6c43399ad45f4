package io.raftmq.broker.processor.clients;

import io.raftmq.broker.filter.SqlFilters;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.CheckClientRequestBody;
import io.raftmq.client.protocol.body.SubscriptionData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: CHECK_CLIENT_CONFIG (46) answers as docs/consumer-protocol.md "SQL92 filters" says: 0 for tag subscriptions
 * and SQL92 expressions that compile, 23 with the compiler's message for one that does not, 1 when SQL92 is switched
 * off or the type is unknown. Method: the processor alone, with request bodies encoded as the official client sends
 * them (CheckClientRequestBody round-trips through its JSON).
 */
class ClientConfigCheckProcessorTest {

    private static RemotingCommand check(SqlFilters filters, String type, String expression) throws Exception {
        SubscriptionData s = new SubscriptionData("T", expression, List.of(), List.of(), 1, type, false);
        RemotingCommand request = RemotingCommand.createRequest(RequestCode.CHECK_CLIENT_CONFIG)
            .setBody(new CheckClientRequestBody("client-1", "CG", s).encode());
        try {
            return new ClientConfigCheckProcessor(filters).process(null, request);
        } finally {
            request.release();
        }
    }

    @Test
    void answersPerTypeAndExpression() throws Exception {
        SqlFilters on = new SqlFilters(true);
        assertThat(check(on, "TAG", "TagA || TagB").code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(check(on, "SQL92", "a BETWEEN 1 AND 3").code()).isEqualTo(ResponseCode.SUCCESS);
        RemotingCommand bad = check(on, "SQL92", "a BETWEEN 3 AND 1");
        assertThat(bad.code()).isEqualTo(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
        assertThat(bad.remark()).contains("group CG").contains("the lower bound is above the upper");
        assertThat(check(on, "SQL92", "a BETWEEN 3 AND 1").remark()).as("remembered refusal, same remark")
            .isEqualTo(bad.remark());
        assertThat(check(on, "CLASS", "x").code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        RemotingCommand off = check(new SqlFilters(false), "SQL92", "a > 1");
        assertThat(off.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(off.remark()).contains("does not support").contains("SQL92");
    }

    @Test
    void theBodyRoundTripsAsTheOfficialClientWritesIt() throws Exception {
        SubscriptionData s = new SubscriptionData("T", "a > 1", List.of(), List.of(), 7, "SQL92", false);
        CheckClientRequestBody body = new CheckClientRequestBody("c", "G", s);
        assertThat(CheckClientRequestBody.decode(body.encode())).isEqualTo(body);
        assertThat(new String(body.encode(), StandardCharsets.UTF_8)).startsWith(
            "{\"clientId\":\"c\",\"group\":\"G\",\"subscriptionData\":{\"classFilterMode\":false,");
    }
}
