// The writer half of the journal crash test (Tests/QueueTests/JournalCrashTests.swift).
//
// Usage: JournalCrashWriter JOURNAL_DIR
// Enqueues and updates messages from several concurrent tasks forever and
// prints one line per acknowledged (durable) change on standard output:
//   E <id> <body size> <body fnv1a>     a message was enqueued
//   U <id> <index> <attempts>            recipient <index> was updated to <attempts>
// The parent kills it with SIGKILL at random moments and checks the journal.
import Envelope
import Foundation
import Queue

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: JournalCrashWriter JOURNAL_DIR\n".utf8))
    exit(64)
}

let journal: Journal
do {
    journal = try Journal(path: CommandLine.arguments[1])
} catch {
    FileHandle.standardError.write(Data("cannot open journal: \(error)\n".utf8))
    exit(1)
}

let output = NSLock()
func acknowledge(_ line: String) {
    output.lock()
    defer { output.unlock() }
    let bytes = Array((line + "\n").utf8)
    bytes.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
}

func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

let generator = MessageIDGenerator()

func producer(seed: UInt64) async {
    var random = SystemRandomNumberGenerator()
    while true {
        let id = generator.next()
        let size = Int.random(in: 1...(seed % 4 == 0 ? 50_000 : 4_000), using: &random)
        let line = Array("\(id) line of text for the crash test\r\n".utf8)
        let body = (0..<size).map { line[$0 % line.count] }
        let now = Date()
        let recipientCount = Int.random(in: 1...3, using: &random)
        let recipients = (0..<recipientCount).map { index in
            Recipient(address: MailAddress(localPart: "user\(index)", domain: "example.test"), nextAttempt: now)
        }
        let envelope = Envelope(
            id: id, sender: .mailbox(MailAddress(localPart: "sender", domain: "example.test")),
            size: body.count, arrival: now, expiry: now.addingTimeInterval(86_400),
            clientAddress: "127.0.0.1", heloName: "crash.test"
        )
        do {
            try await journal.enqueue(NewMessage(envelope: envelope, recipients: recipients, body: .bytes(body)))
            acknowledge("E \(id) \(body.count) \(fnv1a(body))")
            for attempt in 1...UInt32.random(in: 1...3, using: &random) {
                let index = UInt32.random(in: 0..<UInt32(recipientCount), using: &random)
                var recipient = recipients[Int(index)]
                recipient.attempts = attempt
                recipient.state = attempt == 3 ? .delivered : .scheduled
                recipient.nextAttempt = now.addingTimeInterval(Double(attempt) * 60)
                recipient.lastReply = "attempt \(attempt)"
                try await journal.commit([.updateRecipient(id, index: index, recipient)])
                acknowledge("U \(id) \(index) \(attempt)")
            }
        } catch {
            FileHandle.standardError.write(Data("journal error: \(error)\n".utf8))
            exit(2)
        }
    }
}

await withTaskGroup(of: Void.self) { group in
    for seed in 0..<8 { group.addTask { await producer(seed: UInt64(seed)) } }
}
