package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.instance.ClientConfig;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The options every command of {@code bin/raftmq-admin} shares (a picocli mixin; the {@code raft} commands keep
 * their own entry options): where the NameServer is, the output format and the deadline (docs/admin.md "Global
 * options"). {@link #open()} starts the SDK's {@link AdminClient} on them.
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
        ClientConfig config = ClientConfig.defaults(namesrvs()).withCredentials(AdminCredentials.fromEnvironment());
        AdminClient a = new AdminClient(config, call, timeoutMs);
        a.start();
        return a;
    }
}
