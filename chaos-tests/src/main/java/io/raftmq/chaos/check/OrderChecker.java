package io.raftmq.chaos.check;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Order of consumption. <b>Per queue</b>: within one consumer session (a process's consume events between two of its
 * {@code session} events), the offsets it consumes from one queue strictly increase; a redelivery after a restart
 * or rebalance starts a new session and may go back. A consume whose detail says {@code listener=concurrent} is not
 * checked per queue: a concurrent listener hands one queue's messages to several threads, so they may complete in
 * any order (RocketMQ promises queue order only to orderly listeners). <b>Per key</b> (the ordered workload): within
 * one session, the {@code seq} of the messages of one {@code key} strictly increase in consume order. Key and seq
 * come from the consume's detail, else from the send OK of the same message. Gaps are not order violations
 * ({@link LostChecker} judges what is missing); going back or repeating is. Only messages whose send was
 * acknowledged take part in the per-key check: a send whose outcome the client did not learn (a timeout) may take
 * effect at any later moment (Jepsen's indeterminate operation: concurrent with everything after its invocation),
 * e.g. when a paused leader resumes, reads the request from its socket and forwards it, seconds after the workload
 * sent the same number again; such consumes are counted ({@code key_not_acknowledged}), not ordered.
 */
public final class OrderChecker {
    private OrderChecker() {
    }

    /**
     * Verdict.
     *
     * @param consumes       consume events checked
     * @param queueReorders  consumes whose offset did not exceed the previous one of the same queue and session
     * @param keyed          consumes with a key and seq
     * @param keyReorders    consumes whose seq did not exceed the previous one of the same key and session
     * @param keyNotAcknowledged consumes with a key and seq whose send was not acknowledged (not ordered)
     * @param examples       the reorders
     */
    public record Result(long consumes, long queueReorders, long keyed, long keyReorders, long keyNotAcknowledged,
                         List<String> examples) implements CheckResult {
        @Override
        public String name() {
            return "order";
        }

        @Override
        public boolean valid() {
            return queueReorders == 0 && keyReorders == 0;
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("consumes", consumes);
            m.put("queue_reorders", queueReorders);
            m.put("keyed", keyed);
            m.put("key_reorders", keyReorders);
            m.put("key_not_acknowledged", keyNotAcknowledged);
            return m;
        }
    }

    public static Result check(History h, CheckInput in) {
        Map<String, String> sendDetail = new HashMap<>();
        for (History.Event e : h.select(History.Type.OK, Conventions.SEND)) {
            sendDetail.putIfAbsent(e.value(), e.detail());
        }
        Map<String, Integer> session = new HashMap<>();
        Map<String, long[]> lastByQueue = new HashMap<>();
        Map<String, long[]> lastByKey = new HashMap<>();
        long consumes = 0;
        long queueReorders = 0;
        long keyed = 0;
        long keyReorders = 0;
        long keyNotAcked = 0;
        Examples ex = new Examples(in.examplesMax());
        for (History.Event e : h.events()) {
            if (Conventions.SESSION.equals(e.op())) {
                session.merge(e.process(), 1, Integer::sum);
                continue;
            }
            if (e.type() != History.Type.OK || !Conventions.CONSUME.equals(e.op())) {
                continue;
            }
            consumes++;
            String who = e.process() + " session " + session.getOrDefault(e.process(), 0);
            Map<String, String> w = Conventions.words(e.detail());
            long offset = Conventions.number(e.detail(), "offset", -1);
            boolean queueOrdered = !Conventions.CONCURRENT.equals(w.get(Conventions.LISTENER));
            if (queueOrdered && w.containsKey("queue") && offset >= 0
                && !advance(lastByQueue, who + " queue " + w.get("queue"), offset, e.value(), ex)) {
                queueReorders++;
            }
            String d = w.containsKey("seq") ? e.detail() : sendDetail.getOrDefault(e.value(), "");
            String key = Conventions.words(d).get("key");
            long seq = Conventions.number(d, "seq", -1);
            if (key != null && seq >= 0) {
                keyed++;
                if (!sendDetail.containsKey(e.value())) {
                    keyNotAcked++;
                } else if (!advance(lastByKey, who + " key " + key, seq, e.value(), ex)) {
                    keyReorders++;
                }
            }
        }
        return new Result(consumes, queueReorders, keyed, keyReorders, keyNotAcked, ex.list());
    }

    /** Moves {@code scope}'s last number to {@code n}; false (and an example) if n does not exceed it. */
    private static boolean advance(Map<String, long[]> last, String scope, long n, String value, Examples ex) {
        long[] prev = last.get(scope);
        if (prev == null) {
            last.put(scope, new long[] {n});
            return true;
        }
        boolean ok = n > prev[0];
        if (!ok) {
            ex.add(scope + ": " + n + " (" + value + ") after " + prev[0]);
        }
        prev[0] = Math.max(prev[0], n);
        return ok;
    }
}
