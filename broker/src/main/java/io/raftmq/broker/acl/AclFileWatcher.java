package io.raftmq.broker.acl;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * Reloads the ACL file when it changes (docs/security.md, "Reload"): {@link #poll}, run periodically on the
 * broker's scheduler, compares the file's modification time and size with those of the last load; on a change it
 * parses the file and hands the new rules to the {@link AclGuard}. A file that does not parse (or vanished) keeps
 * the rules in force and logs why, once per change. Threads: {@link #poll} on one thread at a time.
 */
public final class AclFileWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(AclFileWatcher.class);

    private final Path file;
    private final AclGuard guard;
    private String seen;

    /** Watches {@code file}, whose current content {@code guard} already uses. */
    public AclFileWatcher(Path file, AclGuard guard) {
        this.file = file;
        this.guard = guard;
        this.seen = stamp();
    }

    /** Loads the file if it changed since the last poll; returns whether new rules were installed. */
    public boolean poll() {
        String now = stamp();
        if (now.equals(seen)) {
            return false;
        }
        seen = now;
        try {
            AclRules next = AclFile.load(file);
            guard.replace(next);
            LOG.info("ACL file {} reloaded: {} account(s), {} global white-list rule(s)", file,
                next.accounts().size(), next.globalWhite().size());
            return true;
        } catch (AclFileException | RuntimeException e) {
            LOG.warn("ACL file {} changed but is not valid; the previous rules stay in force: {}", file,
                e.getMessage());
            return false;
        }
    }

    /** Modification time and size, or "missing". */
    private String stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "/" + a.size();
        } catch (IOException e) {
            return "missing";
        }
    }
}
