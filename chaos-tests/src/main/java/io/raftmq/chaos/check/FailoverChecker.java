package io.raftmq.chaos.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Failover times over the run's faults (a liveness figure: never a violation).
 *
 * <p><b>Server side</b>, for each fault that hit the leader (the inject event targets the member the last
 * {@code role} observation before it named leader): from the inject event to the first sign of a new leader,
 * whichever comes first: a {@code role} event naming a leader of a higher term (of any other member when terms are
 * not given), or a send OK whose {@code addr=} differs from the {@code addr=} of the last send OK before the fault.
 *
 * <p><b>Client side</b>, for every fault: from the last send OK before the inject event to the first send OK after
 * it (the window in which no send was acknowledged).
 *
 * <p>Faults with no such end are counted as unrecovered. The figures are the median (nearest rank) and the maximum.
 */
public final class FailoverChecker {
    private FailoverChecker() {
    }

    /**
     * Figures.
     *
     * @param faults             inject events
     * @param leaderFaults       of them, faults that hit the leader
     * @param serverMs           server-side failover times, ms, in fault order
     * @param clientMs           client-side gaps, ms, in fault order
     * @param serverUnrecovered  leader faults with no new leader seen afterwards
     * @param clientUnrecovered  faults with no send OK afterwards (or none before)
     * @param examples           one line per fault
     */
    public record Result(long faults, long leaderFaults, List<Double> serverMs, List<Double> clientMs,
                         long serverUnrecovered, long clientUnrecovered, List<String> examples)
        implements CheckResult {
        @Override
        public String name() {
            return "failover";
        }

        @Override
        public boolean valid() {
            return true;
        }

        /** Median server-side failover time, ms; NaN with no sample. */
        public double serverP50Ms() {
            return median(serverMs);
        }

        /** Maximum server-side failover time, ms; NaN with no sample. */
        public double serverMaxMs() {
            return serverMs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        /** Median client-side gap, ms; NaN with no sample. */
        public double clientP50Ms() {
            return median(clientMs);
        }

        /** Maximum client-side gap, ms; NaN with no sample. */
        public double clientMaxMs() {
            return clientMs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("faults", faults);
            m.put("leader_faults", leaderFaults);
            m.put("server_p50_ms", serverP50Ms());
            m.put("server_max_ms", serverMaxMs());
            m.put("client_p50_ms", clientP50Ms());
            m.put("client_max_ms", clientMaxMs());
            m.put("server_unrecovered", serverUnrecovered);
            m.put("client_unrecovered", clientUnrecovered);
            return m;
        }

        private static double median(List<Double> xs) {
            if (xs.isEmpty()) {
                return Double.NaN;
            }
            List<Double> s = new ArrayList<>(xs);
            s.sort(null);
            return s.get((s.size() - 1) / 2);
        }
    }

    public static Result check(History h, CheckInput in) {
        List<History.Event> events = h.events();
        List<Double> server = new ArrayList<>();
        List<Double> client = new ArrayList<>();
        long faults = 0;
        long leaderFaults = 0;
        long serverLost = 0;
        long clientLost = 0;
        Examples ex = new Examples(in.examplesMax());
        for (int i = 0; i < events.size(); i++) {
            History.Event e = events.get(i);
            if (!Conventions.isNemesis(e) || !e.detail().startsWith(Conventions.INJECT)) {
                continue;
            }
            faults++;
            StringBuilder line = new StringBuilder(e.op()).append(" at ")
                .append(HistoryJson.millis(e.nanos() - h.startNanos())).append(" ms:");
            String[] leader = leaderBefore(events, i);
            if (leader != null && targets(e, leader[0])) {
                leaderFaults++;
                long end = newLeaderAfter(events, i, leader);
                if (end < 0) {
                    serverLost++;
                    line.append(" leader ").append(leader[0]).append(" never replaced;");
                } else {
                    server.add(ms(end - e.nanos()));
                    line.append(" leader ").append(leader[0]).append(" replaced after ")
                        .append(ms(end - e.nanos())).append(" ms;");
                }
            }
            long gap = clientGap(events, i);
            if (gap < 0) {
                clientLost++;
                line.append(" no send acknowledged after it");
            } else {
                client.add(ms(gap));
                line.append(" sends unacknowledged for ").append(ms(gap)).append(" ms");
            }
            ex.add(line.toString());
        }
        return new Result(faults, leaderFaults, server, client, serverLost, clientLost, ex.list());
    }

    /** {member, term} of the last role event naming a leader before index {@code at}, or null. */
    private static String[] leaderBefore(List<History.Event> events, int at) {
        for (int i = at - 1; i >= 0; i--) {
            History.Event e = events.get(i);
            if (isLeaderRole(e)) {
                return new String[] {e.value(), Long.toString(Conventions.number(e.detail(), "term", -1))};
            }
        }
        return null;
    }

    private static boolean isLeaderRole(History.Event e) {
        return Conventions.ROLE.equals(e.op()) && e.detail().trim().startsWith(Conventions.LEADER);
    }

    private static boolean targets(History.Event fault, String member) {
        if (Faults.targets(fault.value()).contains(member)) {
            return true;
        }
        for (String w : fault.detail().split("[\\s,]+")) {
            if (w.equals(member)) {
                return true;
            }
        }
        return false;
    }

    /** Time of the first sign of a new leader after the fault at {@code at}, or -1. */
    private static long newLeaderAfter(List<History.Event> events, int at, String[] leader) {
        long term = Long.parseLong(leader[1]);
        String addrBefore = null;
        for (int i = at - 1; i >= 0 && addrBefore == null; i--) {
            if (isSendOk(events.get(i))) {
                addrBefore = Conventions.words(events.get(i).detail()).get("addr");
            }
        }
        for (int i = at + 1; i < events.size(); i++) {
            History.Event e = events.get(i);
            if (isLeaderRole(e)) {
                long t = Conventions.number(e.detail(), "term", -1);
                if (term >= 0 && t > term || (term < 0 || t < 0) && !e.value().equals(leader[0])) {
                    return e.nanos();
                }
            } else if (addrBefore != null && isSendOk(e)) {
                String addr = Conventions.words(e.detail()).get("addr");
                if (addr != null && !addr.equals(addrBefore)) {
                    return e.nanos();
                }
            }
        }
        return -1;
    }

    /** Last send OK before the fault at {@code at} to the first send OK after it, ns; -1 without both. */
    private static long clientGap(List<History.Event> events, int at) {
        long before = -1;
        for (int i = at - 1; i >= 0 && before < 0; i--) {
            if (isSendOk(events.get(i))) {
                before = events.get(i).nanos();
            }
        }
        for (int i = at + 1; i < events.size() && before >= 0; i++) {
            if (isSendOk(events.get(i))) {
                return events.get(i).nanos() - before;
            }
        }
        return -1;
    }

    private static boolean isSendOk(History.Event e) {
        return e.type() == History.Type.OK && Conventions.SEND.equals(e.op());
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e5) / 10.0;
    }
}
