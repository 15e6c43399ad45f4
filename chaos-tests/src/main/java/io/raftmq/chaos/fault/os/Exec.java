package io.raftmq.chaos.fault.os;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short system command (iptables, mount, gcc) and returns its output; a non-zero exit, a timeout or a
 * missing binary is an {@link IOException} naming the command and its output.
 */
public final class Exec {
    private static final Logger LOG = LoggerFactory.getLogger(Exec.class);

    private Exec() {
    }

    /**
     * Runs {@code command}, waits at most {@code timeoutMs}.
     *
     * @return standard output and error, merged
     * @throws IOException it could not start, timed out (then it is killed) or exited non-zero
     */
    public static String run(List<String> command, long timeoutMs) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            // output of these commands is small; read it all after exit would risk a full pipe, so read first
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutMs + " ms: " + String.join(" ", command));
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", command) + ": " + text.trim());
            }
            LOG.debug("ran {}", command);
            return text;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    /** {@link #run}, logging a failure at DEBUG instead of throwing (for idempotent cleanup steps). */
    public static void runQuietly(List<String> command, long timeoutMs) {
        try {
            run(command, timeoutMs);
        } catch (IOException e) {
            LOG.debug("cleanup step failed (already gone?): {}", e.getMessage());
        }
    }
}
