import ArgumentParser
import Envelope
import Foundation
import Queue
import Transport

struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore or remove messages quarantined because a record did not decode (list them with show queue --corrupt).",
        subcommands: [QuarantineRestore.self, QuarantineRemove.self]
    )
}

struct QuarantineRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Decode a quarantined message again and put it back in the queue (stopped daemon; exit status 3 while it runs)."
    )

    @OptionGroup var journal: JournalOptions
    @Flag(help: "Leave out recipients that still do not decode.") var salvage = false
    @Argument(help: "The message id.") var id: String

    func run() async throws {
        guard let messageID = MessageID(id) else { throw ValidationError("'\(id)' is not a message id (20 base32 characters)") }
        let journal = try self.journal.openForWriting()
        defer { journal.close() }
        do {
            let lost = try await journal.restoreQuarantined(messageID, salvage: salvage)
            print("restored \(id)" + (lost.isEmpty ? "" : "; recipients \(lost.map(String.init).joined(separator: ",")) left out"))
        } catch let error as JournalError {
            printError("\(id) not restored: \(error.detail)")
            throw ExitCode(1)
        }
    }
}

struct QuarantineRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete a quarantined message and its body for good (through the daemon while it holds the journal)."
    )

    @OptionGroup var journal: JournalOptions
    @OptionGroup var control: ControlOptions
    @Argument(help: "The message id.") var id: String

    func run() async throws {
        guard let messageID = MessageID(id) else { throw ValidationError("'\(id)' is not a message id (20 base32 characters)") }
        guard let journal = try self.journal.openForWritingUnlessInUse() else {
            printError("the journal is held by ternd: removing through its control socket")
            return try control.perform(.remove(.messages([id])))
        }
        defer { journal.close() }
        guard try journal.quarantinedMessage(messageID) != nil else {
            printError("no message \(id) in quarantine")
            throw ExitCode(1)
        }
        try await journal.commit([.remove(messageID)])
        print("removed \(id)")
    }
}

/// `show queue --corrupt`: the quarantined messages.
enum QuarantineListing {
    /// The message, or nil when it is gone or its records do not decode (said on standard error).
    static func readable(_ journal: Journal, _ id: MessageID) throws -> QueuedMessage? {
        do {
            return try journal.message(id)
        } catch let error as JournalError where error.code == .corruptRecord {
            printError("id=\(id) unreadable, left out (the daemon quarantines it at its next attempt): \(error.detail)")
            return nil
        }
    }

    static func print(_ journal: Journal, json: Bool) throws {
        let entries = try journal.quarantined()
        if json {
            try printJSON(entries.map(Summary.init))
            return
        }
        for entry in entries {
            var line = "\(entry.messageID)  quarantined \(QueueFormat.date(entry.quarantined))"
            if let envelope = entry.envelope { line += "  \(envelope.size)  \(envelope.sender.wireForm)" }
            Swift.print(line)
            Swift.print("    reason: \(entry.reason)")
            for (index, recipient) in entry.recipients.sorted(by: { $0.key < $1.key }) {
                Swift.print("    rcpt \(index): \(recipient.address.wireForm) \(recipient.state) attempts=\(recipient.attempts)")
            }
            for index in entry.unreadableRecipients { Swift.print("    rcpt \(index): unreadable") }
        }
        Swift.print("-- \(entries.count) quarantined message\(entries.count == 1 ? "" : "s")")
    }

    struct Summary: Encodable {
        var id: String
        var reason: String
        var quarantined: Date
        var readable: Bool
        var sender: String?
        var size: Int?
        var recipients: [String]
        var unreadableRecipients: [UInt32]

        init(_ entry: QuarantinedMessage) {
            id = entry.messageID.description
            reason = entry.reason
            quarantined = entry.quarantined
            readable = entry.isReadable
            sender = entry.envelope.map { $0.sender.address?.description ?? "" }
            size = entry.envelope?.size
            recipients = entry.recipients.sorted { $0.key < $1.key }.map(\.value.address.description)
            unreadableRecipients = entry.unreadableRecipients
        }
    }
}
