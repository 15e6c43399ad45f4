package io.raftmq.raft.core.membership;

import io.raftmq.raft.Verify;

import java.nio.charset.StandardCharsets;

/**
 * One member of a Raft group as the membership names it: its node id, the raft address peers dial
 * ({@code host:port}; empty when the driver already knows it, as for the members of the initial configuration) and
 * the address the host application's clients use ({@code clientAddress}: opaque to raft, which only carries it along
 * with the member; the broker's client-facing address; empty when not given). Immutable.
 *
 * @param id            positive node id
 * @param address       raft transport address, at most {@link #ADDRESS_BYTES_MAX} UTF-8 bytes
 * @param clientAddress the application's address of this member, at most {@link #ADDRESS_BYTES_MAX} UTF-8 bytes
 */
public record Member(long id, String address, String clientAddress) {
    /** Longest address accepted (UTF-8 bytes). */
    public static final int ADDRESS_BYTES_MAX = 255;

    public Member {
        Verify.argument(id > 0, "member id must be positive");
        Verify.argument(address != null, "member address must not be null (use an empty string)");
        Verify.argument(address.getBytes(StandardCharsets.UTF_8).length <= ADDRESS_BYTES_MAX,
            "member address longer than 255 bytes");
        Verify.argument(clientAddress != null, "member client address must not be null (use an empty string)");
        Verify.argument(clientAddress.getBytes(StandardCharsets.UTF_8).length <= ADDRESS_BYTES_MAX,
            "member client address longer than 255 bytes");
    }

    /** A member without a client address. */
    public Member(long id, String address) {
        this(id, address, "");
    }
}
