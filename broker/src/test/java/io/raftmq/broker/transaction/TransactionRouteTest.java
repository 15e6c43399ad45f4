package io.raftmq.broker.transaction;

import io.raftmq.broker.processor.send.Placement;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.SysFlag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a prepared single message is parked in the half topic, queue 0, with REAL_TOPIC / REAL_QID and its
 * transaction bits cleared (docs/protocol.md §5.8), its other properties and SYSFLAG bits kept; anything else
 * passes through unchanged.
 */
class TransactionRouteTest {
    private final TransactionRoute route = new TransactionRoute();

    @Test
    void preparedMessageGoesToTheHalfTopic() {
        String props = "TAGS\u0001a\u0002TRAN_MSG\u0001true\u0002PGROUP\u0001pg\u0002";
        int sysFlag = SysFlag.TRANSACTION_PREPARED | SysFlag.COMPRESSED;
        Placement p = route.route(null, new Placement("Orders", 5, props, sysFlag));
        assertThat(p.topic()).isEqualTo(TransactionNames.HALF_TOPIC);
        assertThat(p.queueId()).isZero();
        assertThat(p.sysFlag()).isEqualTo(SysFlag.COMPRESSED);
        assertThat(MessageProperties.decode(p.properties())).containsEntry("REAL_TOPIC", "Orders")
            .containsEntry("REAL_QID", "5").containsEntry("TRAN_MSG", "true").containsEntry("PGROUP", "pg")
            .containsEntry("TAGS", "a");
    }

    @Test
    void propertiesWithoutFinalSeparatorStayWellFormed() {
        Placement p = route.route(null, new Placement("T", 0, "TAGS\u0001a", SysFlag.TRANSACTION_PREPARED));
        assertThat(MessageProperties.decode(p.properties())).containsEntry("TAGS", "a")
            .containsEntry("REAL_TOPIC", "T").containsEntry("REAL_QID", "0");
    }

    @Test
    void otherMessagesPassUnchanged() {
        for (int type : new int[] {SysFlag.TRANSACTION_NOT, SysFlag.TRANSACTION_COMMIT,
            SysFlag.TRANSACTION_ROLLBACK}) {
            Placement in = new Placement("T", 2, "TAGS\u0001a\u0002", type);
            assertThat(route.route(null, in)).isSameAs(in);
        }
    }
}
