package io.raftmq.commitlog.recovery;

/**
 * What a commit log's recovery dropped because a record inside the log failed its check (crc, header, index or
 * crc chain) while valid records followed it: the log was cut back to the last valid record before the damage.
 * Everything at and after {@code firstLostIndex} is gone, including valid records behind the damaged one (they
 * cannot be trusted to continue the log without the record before them).
 *
 * @param file             the segment file holding the damaged record
 * @param offset           the damaged record's byte offset inside {@code file}
 * @param firstLostIndex   the index the damaged record should have had (the log now ends just before it); -1 when
 *                         unknown (the damage is the very first record of a log without a checkpoint)
 * @param droppedBytes     bytes from the damaged record to the end of the last valid record found behind it
 * @param droppedRecords   valid records found behind the damaged one and dropped with it (the damaged one not
 *                         counted)
 * @param highestIndexSeen the highest index among those valid records, -1 if none could be read: a lower bound of
 *                         what the log held before the damage
 */
public record RecoveryLoss(String file, long offset, long firstLostIndex, long droppedBytes, long droppedRecords,
                           long highestIndexSeen) {

    /** One line for logs and error messages. */
    public String describe() {
        return "damaged record in " + file + " at offset " + offset + " (index " + firstLostIndex + "): dropped "
            + droppedBytes + " bytes, " + droppedRecords + " valid records behind it, highest index seen "
            + highestIndexSeen;
    }
}
