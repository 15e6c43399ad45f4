package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.tls.ClientTls;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The options every command of {@code bin/raftmq-admin} shares (a picocli mixin; the {@code raft} commands keep
 * their own entry options): where the NameServer is, the output format and the deadline (docs/admin.md "Global
 * options"). {@link #open()} starts the SDK's {@link AdminClient} on them (with TLS when {@code --tls-ca} names a
 * CA).
 */
final class CommonOptions {
    /** The output formats: aligned columns for people, one JSON document (docs/admin.md) for scripts. */
    enum Format { table, json }

    static final String NAMESRV_DEFAULT = "127.0.0.1:9876";

    @Option(names = "--namesrv", paramLabel = "HOST:PORT[;HOST:PORT...]",
        defaultValue = "${env:RAFTMQ_NAMESRV:-" + NAMESRV_DEFAULT + "}",
        description = "NameServer address(es) (default: $RAFTMQ_NAMESRV, else " + NAMESRV_DEFAULT
            + "; now ${DEFAULT-VALUE})")
    String namesrv;

    @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
        description = "output format: table or json (one stable shape per command, docs/admin.md; "
            + "default ${DEFAULT-VALUE})")
    Format output;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "10000",
        description = "deadline of the whole command (default ${DEFAULT-VALUE})")
    long timeoutMs;

    @Option(names = "--tls-ca", paramLabel = "FILE", defaultValue = "${env:RAFTMQ_TLS_CA}",
        description = "speak TLS, trusting the CA certificates in this PEM file (docs/security.md; default:"
            + " $RAFTMQ_TLS_CA, else plain TCP)")
    String tlsCa;

    /**
     * A started remoting client (the {@code raft} commands' own), speaking TLS trusting the CA in {@code tlsCa}
     * when it is set (their {@code --tls-ca}, default {@code $RAFTMQ_TLS_CA}).
     */
    static RemotingClient remotingClient(String tlsCa) {
        RemotingClient client = AdminCredentials.sign(new RemotingClient(RemotingClientConfig.defaults()));
        if (tlsCa != null && !tlsCa.isBlank()) {
            client.useTls(ClientTls.trustCa(tlsCa));
        }
        client.start();
        return client;
    }

    boolean json() {
        return output == Format.json;
    }

    /** The NameServers named by {@code --namesrv}. */
    List<String> namesrvs() {
        List<String> out = new ArrayList<>();
        for (String a : namesrv.split(";")) {
            String t = a.trim();
            if (!t.matches("[^:\\s]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException("--namesrv must be HOST:PORT[;HOST:PORT...], got '" + namesrv
                    + "'");
            }
            out.add(t);
        }
        return out;
    }

    /**
     * A started admin client on these options: the command's deadline is {@code --timeout-ms}, one request's a third
     * of it (at least 1 s), so a member that does not answer leaves time for the others.
     */
    AdminClient open() {
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("--timeout-ms must be positive, got " + timeoutMs);
        }
        long call = Math.min(timeoutMs, Math.max(1000, timeoutMs / 3));
        ClientTls tls = tlsCa == null || tlsCa.isBlank() ? null : ClientTls.trustCa(tlsCa);
        ClientConfig config = ClientConfig.defaults(namesrvs()).withTls(tls)
                .withCredentials(AdminCredentials.fromEnvironment());
        AdminClient a = new AdminClient(config, call, timeoutMs);
        a.start();
        return a;
    }
}
