/**
 * The RocketMQ stored-message format (remoting docs/protocol.md §3.1-3.7) and the small codecs around it.
 *
 * <p>{@link io.raftmq.commitlog.message.StoredMessage} is a reusable flyweight reading (and patching the two
 * offset fields of) one stored message in a {@link java.nio.ByteBuffer}; {@link
 * io.raftmq.commitlog.message.StoredMessageEncoder} builds stored-message bytes from a reusable {@link
 * io.raftmq.commitlog.message.MessageDraft}. Stored bytes are exactly what a pull response ships, so the broker
 * never re-encodes a message after it is appended. Helpers: properties string codec, RocketMQ CRC32 (bit 31
 * cleared), tag hash, batch body reader, offset msgId codec.
 *
 * <p>Errors: bytes that do not decode raise {@link io.raftmq.commitlog.message.MessageFormatException} (an
 * operating error: the input came from a client or a disk); caller bugs raise {@link
 * java.lang.IllegalArgumentException}. Nothing here is thread-safe: flyweights and encoders are per thread.
 */
package io.raftmq.commitlog.message;
