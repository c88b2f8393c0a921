import Envelope
import FuzzSupport
import Queue

/// Fuzzes the journal's record decoders with arbitrary stored bytes, as a
/// damaged or foreign journal would hold them: the first byte picks the
/// record kind, the rest is the record. Decoding must throw, never trap.
func fuzzJournalRecords(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    let record = Array(bytes.dropFirst())
    switch selector % 3 {
    case 0:
        _ = try? JournalRecordDecoder.decodeMessage(id: MessageID(time: 1, salt: 2), record)
    case 1:
        _ = try? JournalRecordDecoder.decodeRecipient(record)
    default:
        _ = JournalRecordDecoder.isWellFormedKey(record)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournalRecordsInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzJournalRecords(Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)))
    return 0
}

@main
enum Main {
    static func main() {
        FuzzMain.run(fuzzJournalRecordsInput, replay: fuzzJournalRecords)
    }
}
