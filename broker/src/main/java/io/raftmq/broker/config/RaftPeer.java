package io.raftmq.broker.config;

/**
 * One member of the broker group's Raft configuration, written {@code nX-host:port} in {@code raftPeers}.
 * The numeric part X gives the Raft node id ({@code X + 1}, since Raft node ids are positive) and the brokerId a
 * follower registers with at the NameServer (also {@code X + 1}, docs/protocol.md §3.10); the leader registers as 0.
 *
 * @param id     the peer id, {@code n} followed by decimal digits (e.g. {@code n0})
 * @param host   the address its Raft transport listens on (a literal IP or a host name)
 * @param port   its Raft port, 1..65535
 */
public record RaftPeer(String id, String host, int port) {
    public RaftPeer {
        if (id == null || !id.matches("n[0-9]{1,9}")) {
            throw new IllegalArgumentException("raft peer id must be 'n' followed by digits, got " + id);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("raft peer " + id + " has no host");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("raft peer " + id + " port must be in [1, 65535], got " + port);
        }
    }

    /** The Raft node id: numeric part of {@link #id()} plus one (positive). */
    public long nodeId() {
        return Long.parseLong(id.substring(1)) + 1;
    }

    /** {@code host:port}. */
    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return id + "-" + address();
    }
}
