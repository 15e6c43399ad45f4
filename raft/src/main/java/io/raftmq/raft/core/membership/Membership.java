package io.raftmq.raft.core.membership;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.quorum.MajorityConfig;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The member set of a Raft group: voters (decide elections and commits by majority) and learners (receive the log,
 * never count in a quorum, never campaign), each with its raft address. Immutable; members are sorted by id and
 * an id is a voter or a learner, never both. This is the payload of a {@code Entry.TYPE_CONFIG} entry and the
 * {@code membership} of a snapshot; the empty encoding stands for the group's initial configuration.
 *
 * <p>Encoding (big-endian), version 1 or 2 (they differ in the member record only):
 * <pre>
 *  offset  size  field
 *   0       4    magic 0x524D4D42 ("RMMB")
 *   4       2    version (1: no member has a client address; 2: otherwise)
 *   6       2    voter count V (1..MEMBERS_MAX)
 *   8       2    learner count L (V + L &lt;= MEMBERS_MAX)
 *  10       2    reserved (0)
 *  12       4    body length B
 *  16       B    V voter records, then L learner records, each:
 *                  +0  8  id (positive; ids ascending within each list, distinct overall)
 *                  +8  1  address length A (0..255)
 *                  +9  A  address, UTF-8 ("host:port", may be empty)
 *                 version 2 only:
 *                  +9+A    1  client address length C (0..255)
 *                  +10+A   C  client address, UTF-8 (may be empty)
 *  16+B     4    CRC32C of bytes [0, 16 + B)
 * </pre>
 * There is no chain link: a membership is a value inside an entry or a snapshot, each of which has its own.
 * A membership without client addresses is written as version 1, so members that know only version 1 read it.
 */
public final class Membership {
    public static final int MAGIC = 0x524D4D42;
    public static final short VERSION = 1;
    /** The version whose member records carry a client address. */
    public static final short VERSION_CLIENT_ADDRESS = 2;
    public static final int HEADER_LENGTH = 16;
    public static final int CRC_LENGTH = 4;
    /** Members (voters plus learners) one membership may hold. */
    public static final int MEMBERS_MAX = 64;
    private static final int MEMBER_FIXED_LENGTH = 9;
    private static final int OFF_VERSION = 4;
    private static final int OFF_VOTERS = 6;
    private static final int OFF_LEARNERS = 8;
    private static final int OFF_RESERVED = 10;
    private static final int OFF_BODY_LENGTH = 12;
    private static final Comparator<Member> BY_ID = Comparator.comparingLong(Member::id);

    static {
        Verify.state(OFF_BODY_LENGTH + 4 == HEADER_LENGTH, "membership header layout", OFF_BODY_LENGTH, HEADER_LENGTH);
    }

    private final List<Member> voters;
    private final List<Member> learners;
    private final MajorityConfig quorum;

    private Membership(List<Member> voters, List<Member> learners) {
        this.voters = voters;
        this.learners = learners;
        long[] ids = new long[voters.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = voters.get(i).id();
        }
        this.quorum = MajorityConfig.of(ids);
    }

    /** A membership of these voters and learners (at least one voter; ids distinct; any order). */
    public static Membership of(List<Member> voters, List<Member> learners) {
        List<Member> v = new ArrayList<>(voters);
        List<Member> l = new ArrayList<>(learners);
        v.sort(BY_ID);
        l.sort(BY_ID);
        Verify.argument(!v.isEmpty(), "a membership needs at least one voter");
        Verify.argument(v.size() + l.size() <= MEMBERS_MAX, "too many members (at most 64)");
        List<Member> all = new ArrayList<>(v);
        all.addAll(l);
        all.sort(BY_ID);
        for (int i = 1; i < all.size(); i++) {
            Verify.argument(all.get(i).id() != all.get(i - 1).id(), "member ids must be distinct");
        }
        return new Membership(List.copyOf(v), List.copyOf(l));
    }

    /** Voters without addresses and no learners (a group whose addresses the driver knows). */
    public static Membership ofVoters(long... ids) {
        List<Member> v = new ArrayList<>(ids.length);
        for (long id : ids) {
            v.add(new Member(id, ""));
        }
        return of(v, List.of());
    }

    /** The voters of {@code config}, without addresses. */
    public static Membership ofVoters(MajorityConfig config) {
        return ofVoters(config.voters());
    }

    /** The quorum math over the voters. */
    public MajorityConfig quorum() {
        return quorum;
    }

    public List<Member> voters() {
        return voters;
    }

    public List<Member> learners() {
        return learners;
    }

    public boolean isVoter(long id) {
        return quorum.contains(id);
    }

    public boolean isLearner(long id) {
        return find(learners, id) != null;
    }

    public boolean contains(long id) {
        return isVoter(id) || isLearner(id);
    }

    /** Member {@code id}, or null when it is not a member. */
    public Member member(long id) {
        Member m = find(voters, id);
        return m != null ? m : find(learners, id);
    }

    /** Every member, voters first, then learners, each ascending. */
    public List<Member> members() {
        List<Member> all = new ArrayList<>(voters);
        all.addAll(learners);
        return all;
    }

    private static Member find(List<Member> list, long id) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).id() == id) {
                return list.get(i);
            }
        }
        return null;
    }

    /** Why {@code change} cannot apply to this membership (ignoring catch-up), or null when it can. */
    public String refusal(MembershipChange change) {
        if (change instanceof MembershipChange.AddLearner a) {
            if (contains(a.member().id())) {
                return "node " + a.member().id() + " is already a member";
            }
            return voters.size() + learners.size() >= MEMBERS_MAX ? "too many members" : null;
        }
        if (change instanceof MembershipChange.Promote p) {
            return isLearner(p.id()) ? null : "node " + p.id() + " is not a learner";
        }
        long id = ((MembershipChange.Remove) change).id();
        if (!contains(id)) {
            return "node " + id + " is not a member";
        }
        return isVoter(id) && voters.size() == 1 ? "cannot remove the last voter" : null;
    }

    /** This membership with {@code change} applied; {@link #refusal} must be null. */
    public Membership apply(MembershipChange change) {
        String why = refusal(change);
        Verify.argument(why == null, why == null ? "" : why);
        List<Member> v = new ArrayList<>(voters);
        List<Member> l = new ArrayList<>(learners);
        if (change instanceof MembershipChange.AddLearner a) {
            l.add(a.member());
        } else if (change instanceof MembershipChange.Promote p) {
            Member m = find(learners, p.id());
            l.remove(m);
            v.add(m);
        } else {
            long id = ((MembershipChange.Remove) change).id();
            v.removeIf(m -> m.id() == id);
            l.removeIf(m -> m.id() == id);
        }
        return of(v, l);
    }

    // ---- encoding ----

    /** The binary encoding drawn in the class comment. */
    public byte[] encode() {
        boolean v2 = hasClientAddress();
        int body = 0;
        for (Member m : members()) {
            body += MEMBER_FIXED_LENGTH + m.address().getBytes(StandardCharsets.UTF_8).length
                + (v2 ? 1 + m.clientAddress().getBytes(StandardCharsets.UTF_8).length : 0);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + body + CRC_LENGTH);
        b.putInt(MAGIC).putShort(v2 ? VERSION_CLIENT_ADDRESS : VERSION).putShort((short) voters.size())
            .putShort((short) learners.size()).putShort((short) 0).putInt(body);
        for (Member m : members()) {
            byte[] addr = m.address().getBytes(StandardCharsets.UTF_8);
            b.putLong(m.id()).put((byte) addr.length).put(addr);
            if (v2) {
                byte[] client = m.clientAddress().getBytes(StandardCharsets.UTF_8);
                b.put((byte) client.length).put(client);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        Verify.state(!b.hasRemaining(), "membership encoding length", b.position(), b.capacity());
        byte[] out = b.array();
        Verify.state(decode(out).equals(this), "membership must decode to itself");
        return out;
    }

    private boolean hasClientAddress() {
        for (Member m : members()) {
            if (!m.clientAddress().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes {@link #encode()}'s output; returns {@code initial} for an empty array.
     *
     * @throws IllegalArgumentException naming what is wrong, for a truncated, corrupt or unknown encoding
     */
    public static Membership decode(byte[] bytes, Membership initial) {
        return bytes.length == 0 ? initial : decode(bytes);
    }

    /** Decodes a non-empty encoding; see {@link #decode(byte[], Membership)}. */
    public static Membership decode(byte[] bytes) {
        Verify.argument(bytes.length >= HEADER_LENGTH + CRC_LENGTH, "membership shorter than its header");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        Verify.argument(b.getInt(0) == MAGIC, "membership: bad magic");
        short version = b.getShort(OFF_VERSION);
        Verify.argument(version == VERSION || version == VERSION_CLIENT_ADDRESS, "membership: unknown version "
            + version);
        int body = b.getInt(OFF_BODY_LENGTH);
        Verify.argument(body >= 0 && body == bytes.length - HEADER_LENGTH - CRC_LENGTH, "membership: bad length");
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, HEADER_LENGTH + body);
        Verify.argument((int) crc.getValue() == b.getInt(HEADER_LENGTH + body), "membership: checksum mismatch");
        int v = b.getShort(OFF_VOTERS);
        int l = b.getShort(OFF_LEARNERS);
        Verify.argument(v >= 1 && l >= 0 && v + l <= MEMBERS_MAX, "membership: bad member counts");
        Verify.argument(b.getShort(OFF_RESERVED) == 0, "membership: reserved field not 0");
        b.position(HEADER_LENGTH);
        boolean v2 = version == VERSION_CLIENT_ADDRESS;
        List<Member> voters = readMembers(b, v, HEADER_LENGTH + body, v2);
        List<Member> learners = readMembers(b, l, HEADER_LENGTH + body, v2);
        Verify.argument(b.position() == HEADER_LENGTH + body, "membership: body length does not match its members");
        return of(voters, learners);
    }

    private static List<Member> readMembers(ByteBuffer b, int count, int end, boolean withClient) {
        List<Member> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Verify.argument(end - b.position() >= MEMBER_FIXED_LENGTH, "membership: member record truncated");
            long id = b.getLong();
            String addr = readString(b, end, "membership: address truncated");
            String client = "";
            if (withClient) {
                Verify.argument(end - b.position() >= 1, "membership: client address truncated");
                client = readString(b, end, "membership: client address truncated");
            }
            Verify.argument(id > 0, "membership: member id not positive");
            Verify.argument(out.isEmpty() || out.get(out.size() - 1).id() < id, "membership: ids not ascending");
            out.add(new Member(id, addr, client));
        }
        return out;
    }

    /** A one-byte length, then that many UTF-8 bytes. */
    private static String readString(ByteBuffer b, int end, String truncated) {
        int len = b.get() & 0xFF;
        Verify.argument(end - b.position() >= len, truncated);
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Membership m && m.voters.equals(voters) && m.learners.equals(learners);
    }

    @Override
    public int hashCode() {
        return voters.hashCode() * 31 + learners.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("voters[");
        for (int i = 0; i < voters.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(voters.get(i).id());
        }
        sb.append("] learners[");
        for (int i = 0; i < learners.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(learners.get(i).id());
        }
        return sb.append(']').toString();
    }
}
