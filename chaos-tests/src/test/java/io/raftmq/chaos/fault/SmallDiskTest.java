package io.raftmq.chaos.fault;

import io.raftmq.chaos.fault.net.Firewall;
import io.raftmq.chaos.fault.os.SmallDisk;
import io.raftmq.testsupport.ProcessTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The small disk of the disk-full fault (root only, skipped with a reason otherwise; runs mount, cp and umount):
 * the directory's contents are there on the tmpfs, writing past its size fails with "No space left on device", and
 * unmounting puts everything written meanwhile back on the real disk with no mount left behind.
 */
@ProcessTest
class SmallDiskTest {
    @TempDir
    Path dir;

    @Test
    void writesPastTheSizeFailAndUnmountKeepsTheContents() throws IOException {
        Assumptions.assumeTrue(Firewall.isRoot(), "mounting a tmpfs needs root");
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("before"), "kept", StandardCharsets.UTF_8);
        SmallDisk disk = SmallDisk.mount(data, 1 << 20);
        try {
            assertThat(Files.readString(data.resolve("before"))).isEqualTo("kept");
            assertThat(mounts()).contains(data.toAbsolutePath().toString());
            Files.writeString(data.resolve("small"), "fits", StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Files.write(data.resolve("big"), new byte[2 << 20]))
                .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
        } finally {
            disk.unmount();
        }
        assertThat(mounts()).doesNotContain(data.toAbsolutePath().toString());
        assertThat(Files.readString(data.resolve("before"))).isEqualTo("kept");
        assertThat(Files.readString(data.resolve("small"))).isEqualTo("fits");
        assertThat(Files.exists(dir.resolve("data.on-disk"))).isFalse();
    }

    private static String mounts() throws IOException {
        return Files.readString(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8);
    }
}
