package io.raftmq.chaos.fault.net;

/**
 * One directed cut of a partition: packets (iptables) or bytes of the connection {@code from} dials (proxy) from
 * endpoint {@code from} to endpoint {@code to} are dropped. Endpoints are member ids ({@code n0}, {@code n1}, ...)
 * or {@link #NAMESERVER}.
 *
 * @param from the sending endpoint
 * @param to   the receiving endpoint
 */
public record Cut(String from, String to) {
    /** The NameServer as an endpoint. */
    public static final String NAMESERVER = "nameserver";

    public Cut {
        if (from == null || to == null || from.equals(to)) {
            throw new IllegalArgumentException("a cut needs two different endpoints: " + from + " -> " + to);
        }
    }

    @Override
    public String toString() {
        return from + "-x->" + to;
    }
}
