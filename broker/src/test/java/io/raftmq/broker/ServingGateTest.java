package io.raftmq.broker;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: behind the gate a bound server answers every reserved code with 14 "starting" until {@code serve()}, then
 * the installed processors answer, and 14 "stopping" after {@code close()}; serving needs a processor for every
 * reserved code. Method: a real RemotingServer on an ephemeral loopback port and a RemotingClient.
 */
class ServingGateTest {
    private static final int[] SENDS = {310, 320};
    private static final int[] ADMIN = {17};
    private static final long TIMEOUT_MS = 5000;
    private final RemotingServer server = new RemotingServer(RemotingServerConfig.defaults("127.0.0.1", 0));
    private final RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
    private final ServingGate gate = new ServingGate(server, "n7");

    @AfterEach
    void stop() {
        client.shutdown();
        server.shutdown();
    }

    private RemotingCommand call(int code) throws Exception {
        String addr = "127.0.0.1:" + server.port();
        return client.invokeSync(addr, RemotingCommand.createRequest(code), TIMEOUT_MS);
    }

    private void assertAnswer(int code, int expectedCode, String expectedRemark) throws Exception {
        RemotingCommand r = call(code);
        try {
            assertThat(r.code()).isEqualTo(expectedCode);
            assertThat(r.remark()).isEqualTo(expectedRemark);
        } finally {
            r.release();
        }
    }

    @Test
    void answersStartingThenServesThenAnswersStopping() throws Exception {
        gate.reserve(SENDS, Runnable::run);
        gate.reserve(ADMIN, Runnable::run);
        server.start();
        client.start();
        assertAnswer(310, ResponseCode.SERVICE_NOT_AVAILABLE, "broker member n7 is starting");
        assertAnswer(17, ResponseCode.SERVICE_NOT_AVAILABLE, "broker member n7 is starting");
        gate.install(SENDS, (ctx, req) -> RemotingCommand.createResponse(ResponseCode.SUCCESS, "sent " + req.code()));
        gate.install(ADMIN, (ctx, req) -> RemotingCommand.createResponse(ResponseCode.SUCCESS, "admin"));
        assertAnswer(320, ResponseCode.SERVICE_NOT_AVAILABLE, "broker member n7 is starting");
        gate.serve();
        assertAnswer(320, ResponseCode.SUCCESS, "sent 320");
        assertAnswer(17, ResponseCode.SUCCESS, "admin");
        gate.close();
        assertAnswer(310, ResponseCode.SERVICE_NOT_AVAILABLE, "broker member n7 is stopping");
    }

    @Test
    void servingNeedsAProcessorForEveryReservedCode() {
        gate.reserve(SENDS, Runnable::run);
        gate.reserve(ADMIN, Runnable::run);
        gate.install(SENDS, (ctx, req) -> null);
        assertThatThrownBy(gate::serve).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no processor");
        assertThatThrownBy(() -> gate.install(new int[] {99}, (ctx, req) -> null))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> gate.reserve(SENDS, Runnable::run)).isInstanceOf(IllegalStateException.class);
    }
}
