package io.raftmq.broker.acl;

import java.util.Locale;

/**
 * What an account may do on one topic or group, in the words of RocketMQ's {@code plain_acl.yml}: {@code DENY},
 * {@code PUB}, {@code SUB} or {@code PUB|SUB} (docs/security.md, "ACL").
 */
public enum Permission {
    DENY, PUB, SUB, PUB_SUB;

    /** Whether this grant allows {@code action} (PUB or SUB). */
    public boolean allows(Permission action) {
        return this == action || this == PUB_SUB && action != DENY;
    }

    /** The file's text for this grant. */
    public String text() {
        return this == PUB_SUB ? "PUB|SUB" : name();
    }

    /**
     * Parses {@code PUB}, {@code SUB}, {@code PUB|SUB} (also {@code SUB|PUB}) or {@code DENY}, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static Permission parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace(" ", "");
        return switch (t) {
            case "DENY" -> DENY;
            case "PUB" -> PUB;
            case "SUB" -> SUB;
            case "PUB|SUB", "SUB|PUB" -> PUB_SUB;
            default -> throw new IllegalArgumentException("permission '" + text
                + "' is none of DENY, PUB, SUB, PUB|SUB");
        };
    }
}
