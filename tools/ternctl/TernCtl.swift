import ArgumentParser
import Envelope
import Foundation
import Queue

/// ternctl: inspect and operate Tern's queue.
@main
struct TernCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ternctl",
        abstract: "Inspect and operate the Tern queue.",
        subcommands: [Show.self, Verify.self, Export.self, Import.self, Replay.self, Recover.self, Compact.self, Quarantine.self]
    )
}

/// Options shared by the commands that read a journal directly.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("queue"), help: "The journal directory (the `queue path` of the configuration).")
    var path = "./var/queue"

    func open() throws -> Journal {
        var options = Journal.Options()
        options.readOnly = true
        do {
            return try Journal(path: path, options: options)
        } catch {
            throw ValidationError("cannot open the journal at \(path): \(error)")
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the queue or one message.",
        subcommands: [ShowQueue.self, ShowMessage.self]
    )
}

struct ShowQueue: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "List queued messages and their recipients.")

    @OptionGroup var journal: JournalOptions
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Include completed messages kept for replay.") var all = false
    @Flag(help: "List quarantined messages (records that do not decode) instead.") var corrupt = false

    func run() throws {
        let journal = try self.journal.open()
        if corrupt { return try QuarantineListing.print(journal, json: json) }
        var messages: [QueuedMessage] = []
        for id in try journal.messageIDs() {
            let found: QueuedMessage?
            do {
                found = try journal.message(id)
            } catch let error as JournalError where error.code == .corruptRecord {
                printError("id=\(id) unreadable, left out (the daemon quarantines it at its next attempt): \(error.detail)")
                continue
            }
            guard let message = found, all || message.completed == nil else { continue }
            messages.append(message)
        }
        if json {
            try printJSON(messages.map(MessageSummary.init))
            return
        }
        for message in messages {
            print(QueueFormat.line(message))
            for recipient in message.recipients { print("    " + QueueFormat.recipientLine(recipient)) }
        }
        print("-- \(messages.count) message\(messages.count == 1 ? "" : "s"), \(messages.reduce(0) { $0 + $1.recipients.filter { !$0.state.isFinal }.count }) pending recipients")
    }
}

struct ShowMessage: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "message", abstract: "Show one message: envelope, recipients and optionally the body.")

    @OptionGroup var journal: JournalOptions
    @Argument(help: "The message id.") var id: String
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print the stored message too.") var body = false
    @Flag(help: "Print only the stored message, byte for byte.") var raw = false

    func run() throws {
        guard let messageID = MessageID(id) else { throw ValidationError("'\(id)' is not a message id (20 base32 characters)") }
        let journal = try self.journal.open()
        guard let message = try journal.message(messageID) else {
            FileHandle.standardError.write(Data("ternctl: no message \(id)\n".utf8))
            throw ExitCode(1)
        }
        if raw {
            try journal.readBody(of: messageID) { FileHandle.standardOutput.write(Data($0)) }
            return
        }
        if json {
            try printJSON(MessageSummary(message))
        } else {
            let envelope = message.envelope
            emit("id: \(envelope.id)")
            emit("sender: \(envelope.sender.wireForm)")
            emit("arrival: \(QueueFormat.date(envelope.arrival))  expiry: \(QueueFormat.date(envelope.expiry))")
            emit("size: \(envelope.size)  client: \(envelope.clientAddress)  helo: \(envelope.heloName)")
            if let user = envelope.authUser { emit("auth: \(user)") }
            if let tag = envelope.listenerTag { emit("tag: \(tag)") }
            if let envid = envelope.envelopeID { emit("envid: \(envid)") }
            if let ret = envelope.ret { emit("ret: \(ret.parameterValue)") }
            if let completed = message.completed { emit("completed: \(QueueFormat.date(completed))") }
            for (index, recipient) in message.recipients.enumerated() { emit("rcpt \(index): " + QueueFormat.recipientLine(recipient)) }
        }
        if body {
            try journal.readBody(of: messageID) { FileHandle.standardOutput.write(Data($0)) }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check every record and index of a journal; exits 1 if anything is wrong.")

    @OptionGroup var journal: JournalOptions

    func run() throws {
        let problems = try journal.open().verify()
        for problem in problems { print(problem) }
        guard problems.isEmpty else { throw ExitCode(1) }
        let quarantined = try journal.open().quarantined().count
        print("journal \(journal.path): OK" + (quarantined == 0 ? "" : "; \(quarantined) quarantined (ternctl show queue --corrupt)"))
    }
}

/// Writes a line to standard output unbuffered, so that it stays in order with raw body bytes.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    FileHandle.standardOutput.write(try encoder.encode(value))
    emit("")
}
