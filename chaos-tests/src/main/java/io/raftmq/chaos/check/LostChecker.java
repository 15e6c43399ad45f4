package io.raftmq.chaos.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Acknowledged messages that were never consumed, split by where they fall in the run (after Jepsen's queue
 * checkers). Order the acknowledged sends by the time of their {@code OK} (the first, if a value has several). Let
 * F be the first and L the last acknowledged message in that order that was consumed at least once. A lost message
 * (acknowledged, never consumed) acknowledged before F is <b>prefix</b>, after L is <b>postfix</b>, otherwise
 * <b>middle</b>; when no acknowledged message was consumed at all, every lost one is postfix. Middle losses are holes
 * in the log; prefix and postfix losses are a head or a tail cut off (or a consumer that did not start at the head
 * or did not read to the end). Every loss is a violation.
 *
 * <p>Sends of unknown outcome ({@code INFO}, no {@code OK}) are not required: consumed they count as
 * <b>recovered</b>, absent as <b>unknown_absent</b>; neither is a violation.
 */
public final class LostChecker {
    private LostChecker() {
    }

    /**
     * Verdict.
     *
     * @param acknowledged  distinct acknowledged messages
     * @param lostPrefix    lost before the first consumed acknowledged message
     * @param lostMiddle    lost between the first and the last consumed acknowledged message
     * @param lostPostfix   lost after the last consumed acknowledged message
     * @param recovered     unknown-outcome sends that were consumed
     * @param unknownAbsent unknown-outcome sends never consumed
     * @param examples      lost messages, first ones in acknowledgement order
     */
    public record Result(long acknowledged, long lostPrefix, long lostMiddle, long lostPostfix, long recovered,
                         long unknownAbsent, List<String> examples) implements CheckResult {
        /** All lost messages. */
        public long lost() {
            return lostPrefix + lostMiddle + lostPostfix;
        }

        @Override
        public String name() {
            return "lost";
        }

        @Override
        public boolean valid() {
            return lost() == 0;
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("acknowledged", acknowledged);
            m.put("lost", lost());
            m.put("lost_prefix", lostPrefix);
            m.put("lost_middle", lostMiddle);
            m.put("lost_postfix", lostPostfix);
            m.put("recovered", recovered);
            m.put("unknown_absent", unknownAbsent);
            return m;
        }
    }

    public static Result check(History h, CheckInput in) {
        List<History.Event> acks = new ArrayList<>();
        Set<String> acked = new HashSet<>();
        Set<String> unknown = new HashSet<>();
        Set<String> consumed = new HashSet<>();
        for (History.Event e : h.events()) {
            if (e.type() == History.Type.OK && Conventions.SEND.equals(e.op()) && acked.add(e.value())) {
                acks.add(e);
            } else if (e.type() == History.Type.INFO && Conventions.SEND.equals(e.op())) {
                unknown.add(e.value());
            } else if (e.type() == History.Type.OK && Conventions.CONSUME.equals(e.op())) {
                consumed.add(e.value());
            }
        }
        unknown.removeAll(acked);
        int first = -1;
        int last = -1;
        for (int i = 0; i < acks.size(); i++) {
            if (consumed.contains(acks.get(i).value())) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        long[] lost = new long[3];
        Examples ex = new Examples(in.examplesMax());
        for (int i = 0; i < acks.size(); i++) {
            History.Event e = acks.get(i);
            if (!consumed.contains(e.value())) {
                int where = first < 0 || i > last ? 2 : i < first ? 0 : 1;
                lost[where]++;
                ex.add(new String[] {"prefix", "middle", "postfix"}[where] + ": " + e.value() + " acknowledged at "
                    + HistoryJson.millis(e.nanos() - h.startNanos()) + " ms (" + e.detail() + ")");
            }
        }
        long recovered = unknown.stream().filter(consumed::contains).count();
        return new Result(acks.size(), lost[0], lost[1], lost[2], recovered, unknown.size() - recovered, ex.list());
    }
}
