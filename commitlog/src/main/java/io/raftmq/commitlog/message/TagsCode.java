package io.raftmq.commitlog.message;

/**
 * The tag hash stored in a ConsumeQueue unit (docs/protocol.md §3.8): Java {@code String.hashCode()} of the TAGS
 * property as a signed int widened to long; a message without a tag (null or empty) has tagsCode 0. Brokers filter on
 * this code and clients re-check the exact tag string, so collisions only cost a wasted delivery.
 */
public final class TagsCode {
    private TagsCode() {
    }

    /** The tags code of a TAGS property value; 0 for null or empty. */
    public static long of(String tags) {
        if (tags == null || tags.isEmpty()) {
            return 0L;
        }
        return tags.hashCode();
    }
}
