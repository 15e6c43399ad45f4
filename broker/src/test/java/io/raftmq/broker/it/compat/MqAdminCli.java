package io.raftmq.broker.it.compat;

import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.tools.command.MQAdminStartup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Test helper: runs the official {@code mqadmin} command line (rocketmq-tools 5.3.3) in-process through
 * {@code MQAdminStartup.main0} and returns what it printed. A no-op RPC hook is passed so the tool does not look
 * for an ACL file under ROCKETMQ_HOME. System.out is swapped while a command runs, so calls are serialized.
 */
final class MqAdminCli {
    private static final Logger LOG = LoggerFactory.getLogger(MqAdminCli.class);
    private static final RPCHook NO_ACL = new RPCHook() {
        @Override
        public void doBeforeRequest(String remoteAddr, RemotingCommand request) {
        }

        @Override
        public void doAfterResponse(String remoteAddr, RemotingCommand request, RemotingCommand response) {
        }
    };

    private MqAdminCli() {
    }

    /** Runs {@code mqadmin <args> -n <namesrv>} and returns what it printed (also logged). */
    static synchronized String run(String namesrv, String... args) {
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "-n";
        full[args.length + 1] = namesrv;
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            MQAdminStartup.main0(full, NO_ACL);
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        LOG.info("mqadmin {}:\n{}", String.join(" ", args), out);
        return out;
    }
}
