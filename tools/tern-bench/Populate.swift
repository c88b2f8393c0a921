import ArgumentParser
import Envelope
import Foundation
import Queue

/// Fills a fresh journal with queued mail as fast as the group committer takes
/// it, for `tools/bench queue-scale`: many concurrent producers, each
/// committing a few whole messages per submission.
struct PopulateQueue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "populate",
        abstract: "Enqueue many messages with many recipients into a fresh journal directory.",
        discussion: """
            Every message has --recipients recipients user<N>@<domain>, all scheduled at \
            now + --due-in seconds (in the future, so a daemon on the journal leaves them alone \
            until then; 0 makes them due at once), and a body of --size bytes.
            """
    )

    @Option(help: "The journal directory to create (must not hold a journal yet).")
    var directory: String

    @Option(help: "Messages to enqueue.")
    var messages = 100_000

    @Option(help: "Recipients per message.")
    var recipients = 10

    @Option(help: "Body size in bytes (headers included).")
    var size = 1024

    @Option(help: "Recipient domain.")
    var domain = "bench.test"

    @Option(help: "Seconds from now until the recipients are due.")
    var dueIn: Double = 86_400

    @Option(help: "Seconds from now until the messages expire.")
    var expireIn: Double = 4 * 86_400

    @Option(help: "Concurrent producers, each awaiting its own durable commits.")
    var producers = 64

    @Option(help: "Messages per commit submission of one producer.")
    var batch = 4

    func validate() throws {
        guard messages > 0, recipients > 0, producers > 0, batch > 0 else {
            throw ValidationError("--messages, --recipients, --producers and --batch must be positive")
        }
        guard size >= 200 else { throw ValidationError("--size must be at least 200 bytes (the headers)") }
        guard dueIn >= 0, expireIn > dueIn else { throw ValidationError("--expire-in must be later than --due-in") }
    }

    func run() async throws {
        if FileManager.default.fileExists(atPath: directory + "/data.mdb") {
            throw ValidationError("\(directory) already holds a journal; populate needs a fresh directory")
        }
        var options = Journal.Options()
        // Room for the whole queue up front: growing the map mid-run costs a retried batch.
        options.mapSize = max(options.mapSize, 2 * messages * (size + recipients * 120 + 400))
        let journal = try Journal(path: directory, options: options)
        defer { journal.close() }

        let generator = MessageIDGenerator()
        let start = ContinuousClock.now
        let wallStart = Date()
        let due = wallStart.addingTimeInterval(dueIn)
        let expiry = wallStart.addingTimeInterval(expireIn)
        let (messages, recipients, size, batch, producers, domain) = (messages, recipients, size, batch, producers, domain)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    var done = 0
                    var pending: [JournalChange] = []
                    pending.reserveCapacity(batch)
                    // Producer p enqueues messages p, p + producers, p + 2 × producers, …
                    var number = producer
                    while number < messages {
                        let now = Date()
                        let id = generator.next(now: now)
                        let body = Self.body(number: number, id: id, size: size, domain: domain)
                        let envelope = Envelope(
                            id: id, sender: .mailbox(MailAddress(localPart: "sender", domain: domain)),
                            size: body.count, arrival: now, expiry: expiry,
                            clientAddress: "127.0.0.1", heloName: "populate.bench.test"
                        )
                        let list = (0..<recipients).map { offset in
                            Recipient(address: MailAddress(localPart: "user\(number * recipients + offset)", domain: domain), nextAttempt: due)
                        }
                        pending.append(.enqueue(NewMessage(envelope: envelope, recipients: list, body: .bytes(body))))
                        number += producers
                        if pending.count == batch || number >= messages {
                            try await journal.commit(pending)
                            done += pending.count
                            pending.removeAll(keepingCapacity: true)
                        }
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - start) / .seconds(1)
        let stats = journal.commitStatistics
        let counts = try journal.counts()
        print(String(
            format: "populated %d messages, %d recipients in %.2f s: %.0f messages/s, %.0f recipients/s; %d commits, %.1f submissions per commit; %d recipients scheduled; %.1f MB of the map in use",
            total, total * recipients, elapsed, Double(total) / elapsed, Double(total * recipients) / elapsed,
            stats.commits, Double(stats.submissions) / Double(max(1, stats.commits)), counts.scheduled,
            Double(journal.usedBytes) / 1_048_576
        ))
    }

    /// A plain RFC 5322 message of exactly `size` bytes.
    static func body(number: Int, id: MessageID, size: Int, domain: String) -> [UInt8] {
        var text = "From: Sender <sender@\(domain)>\r\nTo: Undisclosed recipients:;\r\nSubject: queue-scale message \(number)\r\n"
        text += "Message-ID: <\(id)@populate.\(domain)>\r\n\r\n"
        var bytes = Array(text.utf8)
        let line = Array("The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqrstuvwxyz\r\n".utf8)
        while bytes.count + line.count <= size - 2 { bytes += line }
        while bytes.count < size - 2 { bytes.append(UInt8(ascii: "x")) }
        bytes += [13, 10]
        return bytes
    }
}

/// Entry counts of a journal, read-only (safe beside a running ternd).
struct QueueCounts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counts",
        abstract: "Print a journal's entry counts: messages, recipients, scheduled (due index), completed."
    )

    @Option(help: "The journal directory.")
    var queue: String

    func run() throws {
        var options = Journal.Options()
        options.readOnly = true
        let journal = try Journal(path: queue, options: options)
        defer { journal.close() }
        let counts = try journal.counts()
        print("messages=\(counts.messages) recipients=\(counts.recipients) scheduled=\(counts.scheduled) completed=\(counts.completed)")
    }
}
