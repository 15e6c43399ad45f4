package io.raftmq.tools.admin;

import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.tools.admin.LeadershipTransfer.Outcome;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The operator CLI behind {@code bin/raftmq-admin}, speaking RaftMQ's own admin requests (docs/protocol.md §2.13)
 * with our remoting client. Commands:
 * <pre>
 *  raft transfer [--to HOST:PORT] (--namesrv HOST:PORT [--group G] | --broker HOST:PORT) [--timeout-ms T]
 *      moves the group's leadership to the member with broker address --to (default: the most caught-up
 *      follower) and returns once that member leads; --broker names any member to ask, --namesrv finds one
 *  raft add-member --node-id N --raft-addr HOST:PORT --broker-addr HOST:PORT (--namesrv ... | --broker ...)
 *                                                                                   new member, as a learner
 *  raft promote --node-id N [--lag-max L] (--namesrv ... | --broker ...)              learner to voter
 *  raft remove-member --node-id N (--namesrv ... | --broker ...)                      voter or learner out
 *      one single-server membership change each ({@link MembershipCommands}); returns once it committed
 * </pre>
 * Prints one human-readable line and one {@code RESULT} line on success, a one-line reason on stderr otherwise.
 * Exit status: 0 done, 1 failed (unreachable, no leader, not done in time), 2 bad usage (unknown option, or the
 * target is not a member of the group).
 */
@Command(name = "raftmq-admin", mixinStandardHelpOptions = true, subcommands = AdminTool.Raft.class,
    description = "RaftMQ administration.")
public final class AdminTool implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private AdminTool() {
    }

    /** No command given: the usage on stderr, bad usage. */
    @Override
    public Integer call() {
        return missingCommand(spec);
    }

    static int missingCommand(CommandSpec spec) {
        System.err.println("missing command");
        spec.commandLine().usage(System.err);
        return LeadershipTransfer.BAD_USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line; returns the exit status. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new AdminTool());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            System.err.println(line.getCommandName() + " failed: " + e.getMessage());
            return e instanceof IllegalArgumentException ? LeadershipTransfer.BAD_USAGE : LeadershipTransfer.FAILED;
        });
        return cl.execute(args);
    }

    @Command(name = "raft", mixinStandardHelpOptions = true, subcommands = {Transfer.class,
        MembershipCommands.AddMember.class, MembershipCommands.Promote.class, MembershipCommands.RemoveMember.class},
        description = "Raft group operations.")
    static final class Raft implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return missingCommand(spec);
        }
    }

    /** Where to send the request: exactly one of a NameServer or a member. */
    static final class Entry {
        @Option(names = "--namesrv", required = true, description = "NameServer HOST:PORT: find the group there")
        String namesrv;
        @Option(names = "--broker", required = true, description = "any member's broker address HOST:PORT")
        String broker;
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Move the broker group's Raft leadership to one member; returns once it leads.")
    static final class Transfer implements Callable<Integer> {
        @Option(names = "--to", paramLabel = "HOST:PORT",
            description = "the target member's broker address (default: the most caught-up follower)")
        String to;
        @ArgGroup(multiplicity = "1")
        Entry entry;
        @Option(names = "--group", description = "with --namesrv and no --to: the broker group (default: the only one)")
        String group;
        @Option(names = "--timeout-ms", defaultValue = "15000",
            description = "deadline of the request (default ${DEFAULT-VALUE})")
        long timeoutMs;

        @Override
        public Integer call() throws InterruptedException {
            if (to != null && !to.matches("[^:\\s]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException("--to must be HOST:PORT, got '" + to + "'");
            }
            RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
            client.start();
            try {
                String ask = entry.broker != null ? entry.broker
                    : LeadershipTransfer.entryBroker(client, entry.namesrv, to, group, timeoutMs);
                Outcome o = LeadershipTransfer.transfer(client, ask, to, timeoutMs);
                if (o.exit() != LeadershipTransfer.OK) {
                    System.err.println("transfer failed: " + o.message());
                    return o.exit();
                }
                System.out.println(o.message());
                System.out.println("RESULT transfer=ok leader=" + o.leaderAddr() + " term=" + o.term());
                return LeadershipTransfer.OK;
            } finally {
                client.shutdown();
            }
        }
    }
}
