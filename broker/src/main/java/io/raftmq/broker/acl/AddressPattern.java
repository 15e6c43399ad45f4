package io.raftmq.broker.acl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One remote-address rule of the ACL file (docs/security.md, "ACL"): {@code *} (any address), an exact IPv4 or IPv6
 * address, or an IPv4 address whose octets may each be {@code *} or a range {@code a-b}, e.g. {@code 192.168.0.*}
 * or {@code 10.1.2-3.*}; several such rules may be given in one string separated by commas. Immutable.
 */
public final class AddressPattern {
    private final String text;
    private final List<String> exact = new ArrayList<>();
    private final List<int[][]> ipv4 = new ArrayList<>();
    private boolean any;

    private AddressPattern(String text) {
        this.text = text;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the part that is not a rule
     */
    public static AddressPattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address rule");
        }
        AddressPattern p = new AddressPattern(text.trim());
        for (String part : text.split(",")) {
            p.add(part.trim());
        }
        return p;
    }

    private void add(String part) {
        if (part.equals("*")) {
            any = true;
        } else if (part.contains(":")) {
            if (!part.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("address rule '" + part + "' is not an IPv6 address");
            }
            exact.add(normalIpv6(part));
        } else {
            ipv4.add(octets(part));
        }
    }

    /** The canonical text of an IPv6 literal (no name lookup: the text was checked to be a literal). */
    private static String normalIpv6(String literal) {
        try {
            return InetAddress.getByName(literal).getHostAddress().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address rule '" + literal + "' is not an IPv6 address", e);
        }
    }

    private static int[][] octets(String part) {
        String[] o = part.split("\\.", -1);
        if (o.length != 4) {
            throw new IllegalArgumentException("address rule '" + part + "' is not a.b.c.d (each part a number 0-255,"
                + " * or a range lo-hi)");
        }
        int[][] r = new int[4][];
        for (int i = 0; i < 4; i++) {
            r[i] = range(part, o[i]);
        }
        return r;
    }

    private static int[] range(String part, String octet) {
        try {
            if (octet.equals("*")) {
                return new int[] {0, 255};
            }
            int dash = octet.indexOf('-');
            int lo = Integer.parseInt(dash < 0 ? octet : octet.substring(0, dash));
            int hi = dash < 0 ? lo : Integer.parseInt(octet.substring(dash + 1));
            if (lo >= 0 && hi <= 255 && lo <= hi) {
                return new int[] {lo, hi};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("address rule '" + part + "': '" + octet
            + "' is not a number 0-255, * or a range lo-hi");
    }

    /** Whether {@code address} (a textual IP as {@code InetAddress.getHostAddress} gives it) matches. */
    public boolean matches(String address) {
        if (any) {
            return true;
        }
        if (address == null) {
            return false;
        }
        if (address.contains(":")) {
            String bare = address.replaceAll("%.*$", "");
            return bare.matches("[0-9a-fA-F:.]+") && exact.contains(normalIpv6(bare));
        }
        String[] o = address.split("\\.");
        if (o.length != 4) {
            return false;
        }
        for (int[][] rule : ipv4) {
            if (inside(rule, o)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inside(int[][] rule, String[] o) {
        for (int i = 0; i < 4; i++) {
            int v;
            try {
                v = Integer.parseInt(o[i]);
            } catch (NumberFormatException e) {
                return false;
            }
            if (v < rule[i][0] || v > rule[i][1]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
