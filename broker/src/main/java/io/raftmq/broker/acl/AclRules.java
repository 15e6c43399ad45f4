package io.raftmq.broker.acl;

import java.util.List;
import java.util.Map;

/**
 * The whole content of one ACL file (docs/security.md, "ACL"), as {@link AclFile} parsed and validated it: the
 * global white list (addresses whose requests need no signature) and the accounts by access key. Immutable; a
 * reload replaces the whole object.
 *
 * @param globalWhite addresses trusted without a signature
 * @param accounts    accounts by access key
 */
public record AclRules(List<AddressPattern> globalWhite, Map<String, AclAccount> accounts) {
    public AclRules {
        globalWhite = List.copyOf(globalWhite);
        accounts = Map.copyOf(accounts);
    }

    /** Whether requests from {@code address} are let through unsigned. */
    public boolean whiteListed(String address) {
        for (AddressPattern p : globalWhite) {
            if (p.matches(address)) {
                return true;
            }
        }
        return false;
    }

    /** The account of {@code accessKey}, or null. */
    public AclAccount account(String accessKey) {
        return accessKey == null ? null : accounts.get(accessKey);
    }
}
