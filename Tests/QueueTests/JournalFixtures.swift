import Envelope
import Foundation
@testable import Queue

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ prefix: String = "tern-test") {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-XXXXXX").path
        var bytes = Array(template.utf8CString)
        path = bytes.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Times with whole milliseconds, as the journal stores them.
let baseTime = Date(timeIntervalSince1970: 1_790_000_000.123)

let ids = MessageIDGenerator(salt: 0x5EED)

func address(_ text: String) -> MailAddress {
    let parts = text.split(separator: "@", maxSplits: 1)
    return MailAddress(localPart: String(parts[0]), domain: String(parts[1]))
}

func makeMessage(
    id: MessageID = ids.next(),
    recipients: [String] = ["rcpt@example.test"],
    body: [UInt8] = Array("Subject: test\r\n\r\nhello\r\n".utf8),
    due: Date = baseTime
) -> NewMessage {
    let envelope = Envelope(
        id: id,
        sender: .mailbox(address("sender@example.org")),
        envelopeID: "env-\(id)",
        ret: .headers,
        size: body.count,
        arrival: baseTime,
        expiry: baseTime.addingTimeInterval(4 * 86_400),
        clientAddress: "127.0.0.1",
        heloName: "client.example.org",
        authUser: nil,
        listenerTag: "IN",
        flags: [.eightBitMIME]
    )
    let list = recipients.map {
        Recipient(address: address($0), originalRecipient: OriginalRecipient(addressType: "rfc822", address: $0), notify: [.failure, .delay], nextAttempt: due)
    }
    return NewMessage(envelope: envelope, recipients: list, body: .bytes(body))
}

@discardableResult
func withJournal<T>(options: Journal.Options = Journal.Options(), _ body: (Journal, String) async throws -> T) async throws -> T {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let journal = try Journal(path: directory.path, options: options)
    defer { journal.close() }
    return try await body(journal, directory.path)
}
