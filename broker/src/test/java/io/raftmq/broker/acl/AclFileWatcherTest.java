package io.raftmq.broker.acl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a changed ACL file takes effect at the next poll, and a broken one leaves the rules in force (docs/security.md
 * "Reload"). Method: a file in a temporary directory rewritten with explicit, distinct modification times (so the
 * test does not depend on the file system's timestamp granularity), polled by hand.
 */
class AclFileWatcherTest {
    private static final String ONE = "{\"accounts\":[{\"accessKey\":\"first-key\",\"secretKey\":\"first-secret\"}]}";
    private static final String TWO = "{\"accounts\":[{\"accessKey\":\"second-key\",\"secretKey\":\"second-secret\"}]}";

    @Test
    void aValidChangeIsLoadedAndABrokenOneKeepsTheRules(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("acl.json");
        write(file, ONE, 1_000);
        AclGuard guard = new AclGuard(AclFile.load(file));
        AclFileWatcher watcher = new AclFileWatcher(file, guard);
        assertThat(watcher.poll()).as("unchanged").isFalse();

        write(file, TWO, 2_000);
        assertThat(watcher.poll()).isTrue();
        assertThat(guard.rules().accounts()).containsOnlyKeys("second-key");
        assertThat(watcher.poll()).isFalse();

        write(file, "{\"accounts\":[{\"accessKey\":\"x\"}]", 3_000);
        assertThat(watcher.poll()).isFalse();
        assertThat(guard.rules().accounts()).containsOnlyKeys("second-key");

        Files.delete(file);
        assertThat(watcher.poll()).isFalse();
        assertThat(guard.rules().accounts()).containsOnlyKeys("second-key");

        write(file, ONE, 4_000);
        assertThat(watcher.poll()).isTrue();
        assertThat(guard.rules().accounts()).containsOnlyKeys("first-key");
    }

    private static void write(Path file, String text, long mtimeMs) throws Exception {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeMs));
    }
}
