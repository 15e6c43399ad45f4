package io.raftmq.broker.acl;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonParseException;
import io.raftmq.client.protocol.json.JsonReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ACL file: RocketMQ's {@code plain_acl.yml} layout written as JSON (which is also valid YAML 1.2), with
 * the same keys — {@code globalWhiteRemoteAddresses} and {@code accounts}, each account with {@code accessKey},
 * {@code secretKey}, {@code whiteRemoteAddress}, {@code admin}, {@code defaultTopicPerm}, {@code defaultGroupPerm},
 * {@code topicPerms} and {@code groupPerms} as {@code "name=PERM"} strings (docs/security.md, "ACL"). Everything is
 * validated: an unknown key, a duplicate access key or resource, a bad permission or address rule fails the load
 * with a message naming the file and the entry, so a typo never silently opens or closes access. Stateless.
 */
public final class AclFile {
    /** Shortest access and secret key accepted (RocketMQ's rule). */
    public static final int KEY_LENGTH_MIN = 6;
    private static final Set<String> TOP_KEYS = Set.of("globalWhiteRemoteAddresses", "accounts");
    private static final Set<String> ACCOUNT_KEYS = Set.of("accessKey", "secretKey", "whiteRemoteAddress", "admin",
        "defaultTopicPerm", "defaultGroupPerm", "topicPerms", "groupPerms");

    private AclFile() {
    }

    /** Reads and validates {@code file}. */
    public static AclRules load(Path file) throws AclFileException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AclFileException(file + ": cannot read the ACL file: " + e, e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses and validates {@code json}; {@code source} names it in messages. */
    public static AclRules parse(byte[] json, String source) throws AclFileException {
        try {
            JsonObject top = JsonReader.parseObject(json);
            checkKeys(top, TOP_KEYS, source + ": top level");
            List<AddressPattern> white = new ArrayList<>();
            for (Object o : top.getArray("globalWhiteRemoteAddresses")) {
                white.add(AddressPattern.parse(text(o, source + ": globalWhiteRemoteAddresses")));
            }
            Map<String, AclAccount> accounts = new LinkedHashMap<>();
            List<Object> list = top.getArray("accounts");
            for (int i = 0; i < list.size(); i++) {
                String where = source + ": accounts[" + i + "]";
                AclAccount a = account(JsonObject.toObject(where, list.get(i)), where);
                if (accounts.put(a.accessKey(), a) != null) {
                    throw new AclFileException(where + ": accessKey '" + a.accessKey() + "' appears twice");
                }
            }
            return new AclRules(white, accounts);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new AclFileException(source + ": " + e.getMessage(), e);
        }
    }

    private static AclAccount account(JsonObject o, String where) throws AclFileException {
        checkKeys(o, ACCOUNT_KEYS, where);
        String ak = o.getString("accessKey");
        String sk = o.getString("secretKey");
        if (ak == null || ak.length() < KEY_LENGTH_MIN || sk == null || sk.length() < KEY_LENGTH_MIN) {
            throw new AclFileException(where + ": accessKey and secretKey are required, each at least "
                + KEY_LENGTH_MIN + " characters");
        }
        where = where + " (accessKey " + ak + ")";
        String white = o.getString("whiteRemoteAddress");
        AddressPattern whiteRemote = white == null || white.isBlank() ? null : AddressPattern.parse(white);
        return new AclAccount(ak, sk, whiteRemote, o.getBoolean("admin", false),
            perm(o.getString("defaultTopicPerm"), where), perm(o.getString("defaultGroupPerm"), where),
            perms(o.getArray("topicPerms"), where + ": topicPerms"), perms(o.getArray("groupPerms"), where
                + ": groupPerms"));
    }

    /** An absent default denies (fail closed). */
    private static Permission perm(String text, String where) throws AclFileException {
        if (text == null) {
            return Permission.DENY;
        }
        try {
            return Permission.parse(text);
        } catch (IllegalArgumentException e) {
            throw new AclFileException(where + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Permission> perms(List<Object> entries, String where) throws AclFileException {
        Map<String, Permission> m = new HashMap<>();
        for (Object o : entries) {
            String e = text(o, where);
            int eq = e.lastIndexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                throw new AclFileException(where + ": entry '" + e + "' is not name=PERM");
            }
            String name = e.substring(0, eq).trim();
            if (m.put(name, perm(e.substring(eq + 1), where)) != null) {
                throw new AclFileException(where + ": '" + name + "' is listed twice");
            }
        }
        return m;
    }

    private static String text(Object o, String where) throws AclFileException {
        if (!(o instanceof String s)) {
            throw new AclFileException(where + ": expected a string, got " + o);
        }
        return s;
    }

    private static void checkKeys(JsonObject o, Set<String> known, String where) throws AclFileException {
        for (Map.Entry<Object, Object> e : o.entries()) {
            if (!known.contains(String.valueOf(e.getKey()))) {
                throw new AclFileException(where + ": unknown key '" + e.getKey() + "' (known: " + known + ")");
            }
        }
    }
}
