package io.raftmq.chaos.fault.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@link LinkProxy} of every directed raft link of a group, keyed {@code "nI->nJ"}: member {@code nI} dials
 * {@link #dialAddress(String, String)} instead of {@code nJ}'s raft address (its own {@code raftPeers} says so;
 * the initial configuration is not stored with addresses in the log, so each member dials what its own settings
 * list). A proxy listens on the target's loopback host and dials the target from the source's host. Thread-safe
 * once built.
 */
public final class LinkProxies implements AutoCloseable {
    private final Map<String, LinkProxy> links = new TreeMap<>();
    /** Member id to its real raft address, in id order. */
    private final Map<String, String> raftAddrs = new TreeMap<>();

    /**
     * Starts a proxy for every ordered pair of members.
     *
     * @param raftAddrs member id to its real raft address {@code host:port} (at least two members)
     */
    public static LinkProxies start(Map<String, String> raftAddrs) throws IOException {
        LinkProxies p = new LinkProxies();
        p.raftAddrs.putAll(raftAddrs);
        try {
            for (Map.Entry<String, String> from : raftAddrs.entrySet()) {
                for (Map.Entry<String, String> to : raftAddrs.entrySet()) {
                    if (!from.getKey().equals(to.getKey())) {
                        String name = key(from.getKey(), to.getKey());
                        p.links.put(name, new LinkProxy(name, host(to.getValue()), host(from.getValue()),
                            socketAddress(to.getValue())));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** {@code "from->to"}. */
    public static String key(String from, String to) {
        return from + "->" + to;
    }

    /** The proxy that carries {@code from}'s connection to {@code to}. */
    public LinkProxy link(String from, String to) {
        LinkProxy l = links.get(key(from, to));
        if (l == null) {
            throw new IllegalArgumentException("no proxy for " + key(from, to) + "; links: " + links.keySet());
        }
        return l;
    }

    /** The address {@code from} dials to reach {@code to}. */
    public String dialAddress(String from, String to) {
        return link(from, to).listenAddress();
    }

    /**
     * The {@code raftPeers} setting of member {@code self}: itself at its real raft address, every peer at the
     * address {@code self} dials it by.
     */
    public String raftPeersOf(String self) {
        List<String> peers = new ArrayList<>();
        raftAddrs.forEach((id, addr) -> peers.add(id + "-" + (id.equals(self) ? addr : dialAddress(self, id))));
        return String.join(";", peers);
    }

    /** Every proxy, in key order. */
    public List<LinkProxy> all() {
        return new ArrayList<>(links.values());
    }

    /** Every link back to pass with no delay. */
    public void healAll() {
        links.values().forEach(LinkProxy::heal);
    }

    @Override
    public void close() {
        links.values().forEach(LinkProxy::close);
    }

    private static String host(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not host:port: " + hostPort);
        }
        return hostPort.substring(0, colon);
    }

    private static InetSocketAddress socketAddress(String hostPort) {
        return new InetSocketAddress(host(hostPort), Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':')
            + 1)));
    }
}
