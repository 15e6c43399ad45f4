package io.raftmq.client.protocol.json;

/**
 * Malformed JSON input: raised by {@link JsonReader} with the byte position of the problem. Unchecked because
 * the reader is a low-level cursor; protocol decoders translate it into a frame error (header) or a
 * {@code RemotingCommandException} (body).
 */
public final class JsonParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int position;

    public JsonParseException(String message, int position) {
        super(message + " at byte " + position);
        this.position = position;
    }

    /** Byte offset (relative to the start of the parsed region) where parsing failed. */
    public int position() {
        return position;
    }
}
