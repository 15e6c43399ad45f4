package io.raftmq.tools.dashboard;

import io.raftmq.client.tls.ClientTls;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/raftmq-dashboard}: runs a {@link Dashboard} until the process is stopped. Prints
 * {@code RESULT dashboard=URL} on stdout once it serves (scripts wait for that line). Exit status: 1 when it cannot
 * start (the port is taken: the reason on stderr), 2 on bad usage.
 */
@Command(name = "raftmq-dashboard", mixinStandardHelpOptions = true,
    description = "Serves the RaftMQ web dashboard (docs/dashboard.md).")
public final class DashboardMain implements Callable<Integer> {
    @Option(names = "--namesrv", defaultValue = "127.0.0.1:9876",
        description = "NameServer address(es), HOST:PORT[;HOST:PORT] (default: ${DEFAULT-VALUE})")
    String namesrv;

    @Option(names = "--host", defaultValue = "127.0.0.1",
        description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080",
        description = "port to listen on, 0 any (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--poll-ms", defaultValue = "1000",
        description = "how often to ask the cluster (default: ${DEFAULT-VALUE})")
    long pollMs;

    @Option(names = "--tls-ca", paramLabel = "FILE", defaultValue = "${env:RAFTMQ_TLS_CA}",
        description = "speak TLS to the cluster, trusting the CA certificates in this PEM file (docs/security.md;"
            + " default: $RAFTMQ_TLS_CA, else plain TCP)")
    String tlsCa;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            System.err.println("--port must be 0..65535, got " + port);
            return 2;
        }
        Dashboard d;
        try {
            d = new Dashboard(namesrv, host, port, pollMs,
                tlsCa == null || tlsCa.isBlank() ? null : ClientTls.trustCa(tlsCa));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println(e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            d.close();
            stop.countDown();
        }, "dashboard-stop"));
        System.out.println("RESULT dashboard=" + d.url());
        System.out.flush();
        stop.await();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DashboardMain()).execute(args));
    }
}
