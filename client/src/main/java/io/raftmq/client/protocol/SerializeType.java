package io.raftmq.client.protocol;

/**
 * Header serialization of a remoting frame, carried in the top byte of the header word (docs/protocol.md §1.2, 1.4).
 * Receivers decode both; RaftMQ answers in JSON unless told otherwise.
 */
public enum SerializeType {
    /** fastjson-compatible JSON text header (code 0). */
    JSON((byte) 0),
    /** RocketMQ compact binary header (code 1). */
    ROCKETMQ((byte) 1);

    private final byte code;

    SerializeType(byte code) {
        this.code = code;
    }

    /** The wire code (top byte of the header word). */
    public byte code() {
        return code;
    }

    /** The type for a wire code, or {@code null} if the code is unknown (the frame is then malformed). */
    public static SerializeType ofCode(int code) {
        if (code == 0) {
            return JSON;
        }
        return code == 1 ? ROCKETMQ : null;
    }
}
