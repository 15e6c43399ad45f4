package io.raftmq.broker.entry;

/**
 * The one-byte type of every record of a broker's log (= Raft entry type), and who owns each value.
 *
 * <pre>
 *  type     | name                | payload                                         | owner
 * ----------+---------------------+-------------------------------------------------+---------------------------
 *   0..15   | raft internal       | 0 = NOOP (opens a leader term), 1 = CONFIG      | raft (Entry.TYPE_*)
 *   16      | MESSAGE             | one stored message (docs/protocol.md §3.1)      | commitlog / send path
 *   17      | CONSUMER_OFFSETS    | {@link ConsumerOffsetCodec}: batch of offsets   | broker.offset
 *   18      | TOPIC_PUT           | {@link TopicConfigCodec}: create/update a topic | broker.metadata
 *   19      | TOPIC_DELETE        | {@link TopicConfigCodec}: delete a topic        | broker.metadata (+ offsets)
 *   20      | GROUP_PUT           | {@link SubscriptionGroupCodec}: create/update   | broker.metadata
 *   21      | GROUP_DELETE        | {@link SubscriptionGroupCodec}: delete          | broker.metadata (+ offsets)
 *   22      | TIMER_PROGRESS      | due-message delivery progress (delay + timer)   | broker.schedule
 *   23      | TRANSACTION_OP      | half-message resolution / check-back count      | broker.transaction
 *   24      | QUEUE_LOCK          | orderly-consumption queue locks                 | broker.lock
 *   25      | POP                 | pop consumption: modes, checkpoints, acks       | broker.pop
 *   26..63  | reserved            | future broker state (KV, ...)                   | broker
 *   64..254 | unassigned          |                                                 |
 *   255     | FILLER              | end-of-segment filler, never a Raft entry       | commitlog (RecordHeader)
 * </pre>
 *
 * Types 22..63 are applied by the {@code ReplicatedEntryHandler} registered for them with the broker's state
 * machine; an entry of a type nobody handles stops the node (replicas would diverge otherwise).
 * Raft reserves 0..15 ({@code Entry.TYPE_APPLICATION_MIN = 16}); the commitlog reserves 0xFF. Every metadata
 * payload (17..21) starts with a one-byte format version ({@link #FORMAT_VERSION}); integrity is covered by the
 * commit log record's CRC32C over the whole body, so payloads carry no CRC of their own.
 */
public final class EntryType {
    public static final byte RAFT_INTERNAL_MAX = 15;
    public static final byte MESSAGE = 16;
    public static final byte CONSUMER_OFFSETS = 17;
    public static final byte TOPIC_PUT = 18;
    public static final byte TOPIC_DELETE = 19;
    public static final byte GROUP_PUT = 20;
    public static final byte GROUP_DELETE = 21;
    public static final byte TIMER_PROGRESS = 22;
    public static final byte TRANSACTION_OP = 23;
    public static final byte QUEUE_LOCK = 24;
    public static final byte POP = 25;
    public static final byte BROKER_RESERVED_MAX = 63;
    public static final byte FILLER = (byte) 0xFF;

    /** Version byte at offset 0 of every metadata payload. */
    public static final byte FORMAT_VERSION = 1;

    private EntryType() {
    }

    /** Whether {@code type} is one of the replicated metadata types this package encodes (17..21). */
    public static boolean isMetadata(byte type) {
        return type >= CONSUMER_OFFSETS && type <= GROUP_DELETE;
    }

    /** Whether {@code type} is applied by a registered handler (22..63), not by the metadata state machine. */
    public static boolean isHandled(byte type) {
        return type > GROUP_DELETE && type <= BROKER_RESERVED_MAX;
    }

    /** A readable name for logs. */
    public static String name(byte type) {
        return switch (type) {
            case MESSAGE -> "MESSAGE";
            case CONSUMER_OFFSETS -> "CONSUMER_OFFSETS";
            case TOPIC_PUT -> "TOPIC_PUT";
            case TOPIC_DELETE -> "TOPIC_DELETE";
            case GROUP_PUT -> "GROUP_PUT";
            case GROUP_DELETE -> "GROUP_DELETE";
            case TIMER_PROGRESS -> "TIMER_PROGRESS";
            case TRANSACTION_OP -> "TRANSACTION_OP";
            case QUEUE_LOCK -> "QUEUE_LOCK";
            case POP -> "POP";
            case FILLER -> "FILLER";
            default -> type >= 0 && type <= RAFT_INTERNAL_MAX ? "RAFT_" + type : "TYPE_" + (type & 0xFF);
        };
    }
}
