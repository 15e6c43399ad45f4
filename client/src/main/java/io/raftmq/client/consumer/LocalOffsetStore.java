package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * BROADCASTING offsets: every consumer keeps its own, in memory and in the file {@code <offsetDir>/<group>.offsets},
 * rewritten whole at each commit (written to {@code .tmp}, forced, renamed over the old file, so a crash leaves the
 * old or the new file, never a mix). The file is UTF-8 text:
 * <pre>
 * raftmq-offsets 1\n                               magic and version
 * &lt;topic&gt;\t&lt;brokerName&gt;\t&lt;queueId&gt;\t&lt;offset&gt;\n    one line per queue, sorted by queue
 * ...
 * crc32c &lt;8 lowercase hex digits&gt;\n                 CRC32C of every byte before this line
 * </pre>
 * A file that does not parse or whose CRC does not match is refused at start with an error naming it (the file is
 * kept), rather than silently consuming from the wrong place. Thread-safe.
 */
final class LocalOffsetStore implements OffsetStore {
    static final String MAGIC_LINE = "raftmq-offsets 1\n";
    private final Path file;
    private final TreeMap<MessageQueue, Long> offsets = new TreeMap<>();

    /**
     * Loads {@code <dir>/<group>.offsets} if it exists.
     *
     * @throws IllegalStateException when the file is unreadable or damaged (named in the message)
     */
    LocalOffsetStore(Path dir, String group) {
        this.file = dir.resolve(group + ".offsets");
        try {
            if (Files.exists(file)) {
                offsets.putAll(parse(Files.readString(file, StandardCharsets.UTF_8), file));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the offsets file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's text for {@code offsets} (the format of the class comment). */
    static String format(Map<MessageQueue, Long> offsets) {
        StringBuilder b = new StringBuilder(MAGIC_LINE);
        for (Map.Entry<MessageQueue, Long> e : new TreeMap<>(offsets).entrySet()) {
            MessageQueue q = e.getKey();
            b.append(q.topic()).append('\t').append(q.brokerName()).append('\t').append(q.queueId()).append('\t')
                    .append(e.getValue()).append('\n');
        }
        String crc = String.format("%08x", crc(b.toString()));
        return b.append("crc32c ").append(crc).append('\n').toString();
    }

    /** Parses the file's text; {@code source} names it in errors. */
    static Map<MessageQueue, Long> parse(String text, Path source) {
        int crcLine = text.lastIndexOf("crc32c ");
        if (!text.startsWith(MAGIC_LINE) || crcLine < 0 || !text.endsWith("\n")) {
            throw new IllegalStateException("offsets file " + source + " is damaged: no header or no CRC line");
        }
        String content = text.substring(0, crcLine);
        String stored = text.substring(crcLine + 7, text.length() - 1);
        if (!stored.equals(String.format("%08x", crc(content)))) {
            throw new IllegalStateException("offsets file " + source + " is damaged: CRC " + stored
                    + " does not match its content");
        }
        Map<MessageQueue, Long> out = new TreeMap<>();
        for (String line : content.substring(MAGIC_LINE.length()).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t");
            try {
                out.put(new MessageQueue(f[0], f[1], Integer.parseInt(f[2])), Long.parseLong(f[3]));
            } catch (RuntimeException bad) {
                throw new IllegalStateException("offsets file " + source + " has a bad line: " + line, bad);
            }
        }
        return out;
    }

    private static long crc(String s) {
        CRC32C c = new CRC32C();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }

    @Override
    public synchronized CompletableFuture<Long> read(MessageQueue mq) {
        return CompletableFuture.completedFuture(offsets.getOrDefault(mq, -1L));
    }

    @Override
    public synchronized void update(MessageQueue mq, long offset, boolean increaseOnly) {
        if (offset >= 0) {
            offsets.merge(mq, offset, increaseOnly ? Math::max : (a, b) -> b);
        }
    }

    @Override
    public synchronized long offset(MessageQueue mq) {
        return offsets.getOrDefault(mq, -1L);
    }

    /** Rewrites the whole file (every queue, not only {@code mqs}); fails the future on an I/O error. */
    @Override
    public CompletableFuture<Void> commit(Collection<MessageQueue> mqs) {
        String text;
        synchronized (this) {
            text = format(offsets);
        }
        try {
            writeAtomically(text);
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException("cannot write offsets to " + file, e));
        }
    }

    private synchronized void writeAtomically(String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public synchronized void forget(MessageQueue mq) {
        // broadcasting consumers keep every queue; an offset forgotten here would be lost from the file
    }
}
