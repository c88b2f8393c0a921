import Envelope

/// The journal's record decoders as the journal runs them on load, for
/// callers outside the module that hold raw record bytes (the fuzz target in
/// `Fuzz/FuzzJournalRecords`). Decoding never traps: malformed, truncated or
/// unknown-version input throws `RecordDecodingError` with a reason.
public enum JournalRecordDecoder {
    /// Decodes the value of a `messages` record stored under `id`.
    public static func decodeMessage(id: MessageID, _ bytes: [UInt8]) throws(RecordDecodingError) -> Envelope {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(RecordDecodingError) in try MessageRecord.decode(id: id, buffer).envelope }
        }
        return try result.get()
    }

    /// Decodes the value of a `recipients` record.
    public static func decodeRecipient(_ bytes: [UInt8]) throws(RecordDecodingError) -> Recipient {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(RecordDecodingError) in try RecipientRecord.decode(buffer) }
        }
        return try result.get()
    }

    /// Whether `bytes` is a well-formed key of the `schedule`, `history`,
    /// `recipients` or `bodies` database.
    public static func isWellFormedKey(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            JournalKey.parseSchedule(buffer) != nil || JournalKey.parseHistory(buffer) != nil
                || JournalKey.parseIndexed(buffer) != nil
        }
    }
}
