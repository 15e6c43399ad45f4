package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * VIEW_BROKER_STATS_DATA (315) request header: which statistic of which key (docs/protocol.md §2.11).
 * mqadmin's statsAll asks {@code TOPIC_PUT_NUMS} with the topic and {@code GROUP_GET_NUMS} with
 * {@code topic@group}; {@code TOPIC_PUT_SIZE} and {@code GROUP_GET_SIZE} take the same keys.
 *
 * @param statsName <b>required</b>: the statistic, e.g. {@code TOPIC_PUT_NUMS}
 * @param statsKey  <b>required</b>: its key, a topic or {@code topic@group}
 */
public record ViewBrokerStatsDataRequestHeader(
        String statsName,
        String statsKey) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing (answer with its {@code responseCode()})
     */
    public static ViewBrokerStatsDataRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new ViewBrokerStatsDataRequestHeader(
                f.requireString("statsName"),
                f.requireString("statsKey"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("statsName", statsName);
        f.put("statsKey", statsKey);
    }
}
