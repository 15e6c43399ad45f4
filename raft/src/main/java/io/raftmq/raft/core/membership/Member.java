package io.raftmq.raft.core.membership;

import io.raftmq.raft.Verify;

/**
 * One member of a Raft group as the membership names it: its node id and the raft address peers dial
 * ({@code host:port}; empty when the driver already knows it, as for the members of the initial configuration).
 * Immutable.
 *
 * @param id      positive node id
 * @param address raft transport address, at most {@link #ADDRESS_BYTES_MAX} UTF-8 bytes
 */
public record Member(long id, String address) {
    /** Longest address accepted (UTF-8 bytes). */
    public static final int ADDRESS_BYTES_MAX = 255;

    public Member {
        Verify.argument(id > 0, "member id must be positive");
        Verify.argument(address != null, "member address must not be null (use an empty string)");
        Verify.argument(address.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= ADDRESS_BYTES_MAX,
            "member address longer than 255 bytes");
    }
}
