package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonWriter;

import java.nio.charset.StandardCharsets;

/**
 * A remoting body encoded as fastjson-1.x-compatible JSON (docs/protocol.md §4). Implementations write their
 * properties in alphabetical order and omit nulls, exactly like fastjson, so encodings match the golden vectors 11,
 * 13-27.
 * Each has a static {@code decode(byte[])} that throws {@code RemotingCommandException} on malformed input.
 */
public interface JsonBody {
    /** Writes this body as one JSON value. */
    void writeJson(JsonWriter w);

    /** The UTF-8 JSON bytes of this body (control plane: allocates). */
    default byte[] encode() {
        JsonWriter w = new JsonWriter();
        writeJson(w);
        return w.toString().getBytes(StandardCharsets.UTF_8);
    }
}
