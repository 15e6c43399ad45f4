package io.raftmq.client.admin;

import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.KVTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The request plumbing of {@link AdminClient}, all asynchronous on the client instance's event loop: one call to an
 * address with its answer checked and decoded, a NameServer call that moves to the next NameServer when one does not
 * answer, the members of a broker group (from the NameServer's cluster info), who leads it (asking every member for
 * its runtime info), and a call to the leader that finds the leader again and retries when the one asked does not
 * lead any more (14) or does not answer; an action on every broker group, and the publishing of an outcome on the
 * callback executor. Every future fails with {@link AdminException} only.
 */
final class AdminCalls {
    /** Attempts of a call to a group's leader (a leader change in between costs one). */
    static final int LEADER_ATTEMPTS = 4;
    /** Pause before asking again who leads (an election takes a few hundred ms). */
    static final long LEADER_RETRY_MS = 200;

    /** Reads a successful answer (the answer is released by the caller). */
    interface Reader<T> {
        T read(RemotingCommand r) throws RemotingCommandException;
    }

    private final ClientInstance instance;
    private final long callTimeoutMs;

    AdminCalls(ClientInstance instance, long callTimeoutMs) {
        this.instance = instance;
        this.callTimeoutMs = callTimeoutMs;
    }

    long callTimeoutMs() {
        return callTimeoutMs;
    }

    /** The configured NameServers, in order. */
    List<String> nameServerAddrs() {
        return instance.config().namesrvAddrs();
    }

    /** {@code f}'s outcome, completed on the callback executor, failing with an {@link AdminException} only. */
    <T> CompletableFuture<T> publish(CompletableFuture<T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        f.whenComplete((v, e) -> instance.runCallback(() -> {
            if (e != null) {
                out.completeExceptionally(unwrap(e));
            } else {
                out.complete(v);
            }
        }));
        return out;
    }

    /** Sends {@code request} to {@code addr}; a code other than 0 fails with its code and remark. */
    <T> CompletableFuture<T> call(String addr, RemotingCommand request, String what, Reader<T> reader) {
        return instance.remoting().invokeAsync(addr, request, callTimeoutMs).handle((r, e) -> {
            if (e != null) {
                throw new CompletionException(new AdminException(AdminException.CLIENT_SIDE, null, addr, what
                        + ": no answer from " + addr + ": " + root(e).getMessage(), root(e)));
            }
            try {
                if (r.code() != ResponseCode.SUCCESS) {
                    throw new CompletionException(new AdminException(r.code(), r.remark(), addr, what + ": " + addr
                            + " answered " + r.code() + " " + r.remark(), null));
                }
                return reader.read(r);
            } catch (RemotingCommandException | RuntimeException bad) {
                if (bad instanceof CompletionException c) {
                    throw c;
                }
                throw new CompletionException(new AdminException(AdminException.CLIENT_SIDE, null, addr, what
                        + ": unreadable answer from " + addr + ": " + bad.getMessage(), bad));
            } finally {
                r.release();
            }
        });
    }

    /** A NameServer call: the NameServers in order until one answers (an error answer is final). */
    <T> CompletableFuture<T> namesrv(Supplier<RemotingCommand> request, String what, Reader<T> reader) {
        return namesrv(request, what, reader, 0);
    }

    private <T> CompletableFuture<T> namesrv(Supplier<RemotingCommand> request, String what, Reader<T> reader,
                                             int index) {
        List<String> ns = instance.config().namesrvAddrs();
        String addr = ns.get(index);
        return call(addr, request.get(), what, reader).handle((v, e) -> {
            AdminException a = e == null ? null : unwrap(e);
            if (a != null && a.code() == AdminException.CLIENT_SIDE && index + 1 < ns.size()) {
                return namesrv(request, what, reader, index + 1);
            }
            return e == null ? CompletableFuture.completedFuture(v) : CompletableFuture.<T>failedFuture(a);
        }).thenCompose(f -> f);
    }

    /** Every broker group the NameServer knows. */
    CompletableFuture<ClusterInfo> clusterInfo() {
        return namesrv(() -> RemotingCommand.createRequest(RequestCode.GET_BROKER_CLUSTER_INFO), "cluster info",
                r -> ClusterInfo.decode(r.bodyBytes()));
    }

    /** The broker groups of {@code cluster} (every group when null); fails when there is none. */
    CompletableFuture<List<BrokerData>> groups(String cluster) {
        return clusterInfo().thenApply(info -> {
            List<BrokerData> out = new ArrayList<>();
            for (BrokerData bd : info.brokerAddrTable().values()) {
                if (cluster == null || cluster.equals(bd.cluster())) {
                    out.add(bd);
                }
            }
            if (out.isEmpty()) {
                throw new CompletionException(new AdminException(AdminException.CLIENT_SIDE, null, null,
                        cluster == null ? "the NameServer knows no broker group" : "the NameServer knows no broker"
                                + " group of cluster " + cluster, null));
            }
            out.sort((a, b) -> a.brokerName().compareTo(b.brokerName()));
            return out;
        });
    }

    /** {@code action} on every broker group of {@code cluster} (every group when null); done once all are. */
    CompletableFuture<Void> eachGroup(String cluster, Function<BrokerData, CompletableFuture<?>> action) {
        return groups(cluster).thenCompose(gs -> {
            List<CompletableFuture<?>> fs = new ArrayList<>();
            for (BrokerData g : gs) {
                fs.add(action.apply(g));
            }
            return CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0]));
        });
    }

    /** The broker group named {@code name}. */
    CompletableFuture<BrokerData> group(String name) {
        return clusterInfo().thenApply(info -> {
            BrokerData bd = info.brokerAddrTable().get(name);
            if (bd == null) {
                throw new CompletionException(new AdminException(AdminException.CLIENT_SIDE, null, null,
                        "the NameServer knows no broker group " + name + " (known: "
                                + info.brokerAddrTable().keySet() + ")", null));
            }
            return bd;
        });
    }

    /** What {@code addr} says of itself (never fails: an unreachable member is reported as such). */
    CompletableFuture<ClusterStatus.Member> member(String addr, long brokerId) {
        return call(addr, RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), "runtime info",
                r -> KVTable.decode(r.bodyBytes()).table()).handle((t, e) -> e != null
                ? new ClusterStatus.Member(addr, brokerId, false, null, null, -1, -1, -1, -1, null,
                        unwrap(e).getMessage())
                : new ClusterStatus.Member(addr, brokerId, true, t.get("raftRole"), t.get("raftSelfId"),
                        number(t, "raftTerm"), number(t, "raftCommitIndex"), number(t, "raftAppliedIndex"),
                        number(t, "raftLastIndex"), t.get("raftLeaderAddr"), null));
    }

    /** Every registered member of {@code bd}, asked in parallel, sorted by address. */
    CompletableFuture<List<ClusterStatus.Member>> members(BrokerData bd) {
        List<CompletableFuture<ClusterStatus.Member>> asks = new ArrayList<>();
        for (Map.Entry<Long, String> m : bd.brokerAddrs().entrySet()) {
            asks.add(member(m.getValue(), m.getKey()));
        }
        return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            List<ClusterStatus.Member> out = new ArrayList<>();
            for (CompletableFuture<ClusterStatus.Member> f : asks) {
                out.add(f.join());
            }
            out.sort((a, b) -> a.address().compareTo(b.address()));
            return out;
        });
    }

    /** The member that says it leads (highest term), else the one registered as brokerId 0, else null. */
    static String leaderOf(BrokerData bd, List<ClusterStatus.Member> members) {
        ClusterStatus.Member best = null;
        for (ClusterStatus.Member m : members) {
            if ("LEADER".equals(m.role()) && (best == null || m.term() > best.term())) {
                best = m;
            }
        }
        return best != null ? best.address() : bd.brokerAddrs().get(BrokerData.MASTER_ID);
    }

    /**
     * Sends the request {@code request} makes to the leader of group {@code group}, asking the members who leads
     * first; when the answer is 14 (not the leader) or none comes, asks again after {@link #LEADER_RETRY_MS}, at most
     * {@link #LEADER_ATTEMPTS} times.
     */
    <T> CompletableFuture<T> onLeader(String group, Supplier<RemotingCommand> request, String what,
                                      Reader<T> reader) {
        return onLeader(group, request, what, reader, 1);
    }

    private <T> CompletableFuture<T> onLeader(String group, Supplier<RemotingCommand> request, String what,
                                              Reader<T> reader, int attempt) {
        return group(group).thenCompose(bd -> members(bd).thenApply(ms -> leaderOf(bd, ms))).thenCompose(leader -> {
            if (leader == null) {
                return CompletableFuture.<T>failedFuture(new AdminException(AdminException.CLIENT_SIDE, null, null,
                        what + ": no member of " + group + " leads and none is registered as brokerId 0", null));
            }
            return call(leader, request.get(), what + " on " + group, reader);
        }).handle((v, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(v);
            }
            AdminException a = unwrap(e);
            boolean retry = a.code() == ResponseCode.SERVICE_NOT_AVAILABLE || (a.code() == AdminException.CLIENT_SIDE
                    && a.address() != null);
            if (!retry || attempt >= LEADER_ATTEMPTS) {
                return CompletableFuture.<T>failedFuture(a);
            }
            return later(LEADER_RETRY_MS).thenCompose(x -> onLeader(group, request, what, reader, attempt + 1));
        }).thenCompose(f -> f);
    }

    /** Completes after {@code ms} on the event loop (fails when the instance is shut down). */
    CompletableFuture<Void> later(long ms) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            instance.timers().schedule(() -> f.complete(null), ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | IllegalStateException stopped) {
            f.completeExceptionally(new AdminException(AdminException.CLIENT_SIDE, null, null, "admin client shut"
                    + " down", stopped));
        }
        return f;
    }

    private static long number(Map<String, String> t, String key) {
        String v = t.get(key);
        try {
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The AdminException inside {@code e} (wrapping any other failure as a client-side one). */
    static AdminException unwrap(Throwable e) {
        Throwable t = root(e);
        return t instanceof AdminException a ? a : new AdminException(AdminException.CLIENT_SIDE, null, null,
                String.valueOf(t.getMessage()), t);
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
