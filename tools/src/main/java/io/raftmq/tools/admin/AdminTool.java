package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.json.JsonWriter;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.tools.admin.LeadershipTransfer.Outcome;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The operator CLI behind {@code bin/raftmq-admin} (docs/admin.md): the cluster and its Raft groups, topics,
 * consumer groups and their progress, offset resets, message lookups and the NameServers, on the SDK's
 * {@link io.raftmq.client.admin.AdminClient} (the commands only format), plus the {@code raft} commands speaking
 * RaftMQ's own admin requests (docs/protocol.md §2.13) with the remoting client. Commands:
 * <pre>
 *  cluster                                      groups, members, role, term, commit/apply index, lag, addresses
 *  topic list|create|update|delete|route|stats  topics ({@link TopicCommands})
 *  group list|create|delete|progress            consumer groups ({@link GroupCommands})
 *  offset reset                                 a group's offsets to a time or offset ({@link OffsetCommands})
 *  message get                                  a message by id, key or queue offset ({@link MessageCommands})
 *  naming list                                  each NameServer and what it routes ({@link NamingCommands})
 *  completion bash                              a bash completion script (picocli's AutoComplete)
 *  raft transfer|add-member|promote|remove-member   leadership and membership ({@link MembershipCommands})
 * </pre>
 * Every command but {@code raft ...} takes {@code --namesrv} (default {@code $RAFTMQ_NAMESRV}, else
 * 127.0.0.1:9876), {@code --output table|json} and {@code --timeout-ms}; every command has {@code --help}.
 * Exit status: {@link #OK} 0, {@link #FAILED} 1 (unreachable, refused by the broker: its code and remark on
 * stderr), {@link #BAD_USAGE} 2, {@link #NOT_FOUND} 3 (topic, group or message).
 */
@Command(name = "raftmq-admin", mixinStandardHelpOptions = true,
    subcommands = {ClusterCommand.class, TopicCommands.class, GroupCommands.class, OffsetCommands.class,
        MessageCommands.class, NamingCommands.class, AdminTool.Completion.class, AdminTool.Raft.class},
    description = "RaftMQ administration.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:done", "1:failed (unreachable, refused by the broker: its code and remark on stderr)",
        "2:bad usage", "3:not found (topic, group, message)"})
public final class AdminTool implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_USAGE = 2;
    public static final int NOT_FOUND = 3;

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
        return BAD_USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line; returns the exit status. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new AdminTool());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            System.err.println(line.getCommandName() + " failed: " + describe(e));
            return exitOf(e);
        });
        return cl.execute(args);
    }

    /** The exit status of a command that threw {@code e}. */
    static int exitOf(Exception e) {
        if (e instanceof IllegalArgumentException) {
            return BAD_USAGE;
        }
        if (e instanceof NotFoundException) {
            return NOT_FOUND;
        }
        if (e instanceof AdminException a && (a.code() == ResponseCode.TOPIC_NOT_EXIST
            || a.code() == ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST)) {
            return NOT_FOUND;
        }
        return FAILED;
    }

    private static String describe(Exception e) {
        if (e instanceof AdminException a && a.code() != AdminException.CLIENT_SIDE) {
            return a.getMessage() + " [code " + a.code() + "]"; // the message holds the remark
        }
        return e.getMessage();
    }

    /** A command that does nothing itself: without a subcommand, its usage and bad usage. */
    abstract static class Group implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return missingCommand(spec);
        }
    }

    /** What was asked for does not exist (exit {@link #NOT_FOUND}). */
    static final class NotFoundException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFoundException(String message) {
            super(message);
        }
    }

    @Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a shell completion script: source <(bin/raftmq-admin completion bash).")
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "SHELL", description = "the shell: bash (zsh reads it too, after "
            + "'autoload -U bashcompinit && bashcompinit')")
        String shell;

        @Override
        public Integer call() {
            if (!"bash".equals(shell)) {
                throw new IllegalArgumentException("only bash is supported, got '" + shell + "'");
            }
            System.out.print(AutoComplete.bash("raftmq-admin", spec.root().commandLine()));
            return OK;
        }
    }

    @Command(name = "raft", mixinStandardHelpOptions = true, subcommands = {Transfer.class,
        MembershipCommands.AddMember.class, MembershipCommands.Promote.class, MembershipCommands.RemoveMember.class},
        description = "Raft group operations.")
    static final class Raft extends Group {
    }

    /**
     * Where to send the request: a NameServer or a member, at most one of them; neither: the NameServer of
     * {@code $RAFTMQ_NAMESRV}, else 127.0.0.1:9876, as the other commands.
     */
    static final class Entry {
        @Option(names = "--namesrv", required = true, description = "NameServer HOST:PORT: find the group there "
            + "(default: $RAFTMQ_NAMESRV, else " + CommonOptions.NAMESRV_DEFAULT + ")")
        String namesrv;
        @Option(names = "--broker", required = true, description = "any member's broker address HOST:PORT")
        String broker;

        /** The member to ask directly, or null. */
        static String broker(Entry e) {
            return e == null ? null : e.broker;
        }

        /** The NameServer to find the group at: the one given, else the default. */
        static String namesrv(Entry e) {
            if (e != null && e.namesrv != null) {
                return e.namesrv;
            }
            String env = System.getenv("RAFTMQ_NAMESRV");
            return env != null && !env.isBlank() ? env.split(";")[0].trim() : CommonOptions.NAMESRV_DEFAULT;
        }
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Move the broker group's Raft leadership to one member; returns once it leads.")
    static final class Transfer implements Callable<Integer> {
        @Option(names = "--to", paramLabel = "HOST:PORT",
            description = "the target member's broker address (default: the most caught-up follower)")
        String to;
        @ArgGroup(multiplicity = "0..1")
        Entry entry;
        @Option(names = "--group", description = "with --namesrv and no --to: the broker group (default: the only one)")
        String group;
        @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
            description = "output format (docs/admin.md; default ${DEFAULT-VALUE})")
        CommonOptions.Format output;
        @Option(names = "--timeout-ms", defaultValue = "15000",
            description = "deadline of the request (default ${DEFAULT-VALUE})")
        long timeoutMs;

        @Override
        public Integer call() throws InterruptedException {
            if (to != null && !to.matches("[^:\\s]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException("--to must be HOST:PORT, got '" + to + "'");
            }
            RemotingClient client = AdminCredentials.sign(new RemotingClient(RemotingClientConfig.defaults()));
            client.start();
            try {
                String ask = Entry.broker(entry) != null ? Entry.broker(entry)
                    : LeadershipTransfer.entryBroker(client, Entry.namesrv(entry), to, group, timeoutMs);
                Outcome o = LeadershipTransfer.transfer(client, ask, to, timeoutMs);
                if (o.exit() != LeadershipTransfer.OK) {
                    System.err.println("transfer failed: " + o.message());
                    return o.exit();
                }
                if (output == CommonOptions.Format.json) {
                    JsonWriter w = Output.json().beginObject();
                    Output.str(w, "result", "ok");
                    Output.str(w, "leader", o.leaderAddr());
                    Output.print(w.field("term", o.term()).endObject());
                    return LeadershipTransfer.OK;
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
