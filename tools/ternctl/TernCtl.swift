import ArgumentParser
import Envelope
import Foundation
import Queue
import Transport

/// ternctl: inspect and operate Tern's queue.
@main
struct TernCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ternctl",
        abstract: "Inspect and operate the Tern queue.",
        discussion: """
            Live commands talk to the running ternd over its control socket (--socket, \
            default $TERN_CONTROL_SOCKET or ./var/control.sock). `show queue` and `show message` \
            with --queue read a journal directly instead, with or without a daemon. The offline \
            commands (export, import, replay, recover, compact, quarantine) work on a journal directory; \
            the ones that write refuse with exit status 3 while ternd holds it.
            """,
        subcommands: [
            Show.self, Monitor.self, Pause.self, Resume.self, Schedule.self, Hold.self, Release.self, Remove.self,
            Update.self, Log.self, Trace.self, Verify.self,
            Export.self, Import.self, Replay.self, Recover.self, Compact.self, Quarantine.self,
        ]
    )
}

/// Options shared by the commands that read a journal directly.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("queue"), help: "The journal directory (the `queue path` of the configuration).")
    var path = "./var/queue"

    /// Opens the journal read-only: it works beside a running daemon.
    func open() throws -> Journal {
        try Self.open(path)
    }

    static func open(_ path: String) throws -> Journal {
        var options = Journal.Options()
        options.readOnly = true
        do {
            return try Journal(path: path, options: options)
        } catch {
            throw ValidationError("cannot open the journal at \(path): \(error)")
        }
    }
}

/// The optional journal of `show queue` and `show message`: given, they read
/// it directly; absent, they ask the daemon.
struct OfflineJournalOption: ParsableArguments {
    @Option(name: .customLong("queue"), help: "Read this journal directory directly instead of asking the daemon.")
    var path: String?
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the queue, one message, counters, status or destinations.",
        subcommands: [ShowQueue.self, ShowMessage.self, ShowStats.self, ShowStatus.self, ShowHosts.self]
    )
}

struct ShowQueue: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "List queued messages and their recipients.")

    @OptionGroup var journal: OfflineJournalOption
    @OptionGroup var control: ControlOptions
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Include completed messages kept for replay.") var all = false
    @Flag(help: "List quarantined messages (records that do not decode) from the journal instead (--queue, default ./var/queue).") var corrupt = false
    @Option(help: "Only messages whose sender contains this text.") var sender: String?
    @Option(help: "Only messages with a recipient containing this text.") var recipient: String?
    @Option(help: "Only messages with a recipient in this domain.") var domain: String?
    @Option(help: "Only messages with a recipient in this state: scheduled, held, delivered, failed.") var state: String?
    @Option(help: "Only messages at least this old (30s, 5m, 4h, 2d).") var olderThan: String?
    @Option(help: "Only messages at most this old.") var newerThan: String?

    func validate() throws {
        if let state, !["scheduled", "held", "delivered", "failed"].contains(state) {
            throw ValidationError("--state must be scheduled, held, delivered or failed")
        }
        _ = try query()
    }

    func query() throws -> QueueQuery {
        QueueQuery(
            sender: sender, recipient: recipient, domain: domain, state: state,
            minimumAge: try olderThan.map { try parseAge($0, option: "--older-than") },
            maximumAge: try newerThan.map { try parseAge($0, option: "--newer-than") },
            includeCompleted: all
        )
    }

    func run() throws {
        if corrupt { return try QuarantineListing.print(JournalOptions.open(journal.path ?? "./var/queue"), json: json) }
        let query = try query()
        let reports: [MessageReport]
        if let path = journal.path {
            let journal = try JournalOptions.open(path)
            let now = Date()
            reports = try journal.messageIDs().compactMap { id in
                guard let message = try QuarantineListing.readable(journal, id),
                      query.matches(message.envelope, message.recipients, completed: message.completed != nil, now: now) else { return nil }
                return MessageReport(envelope: message.envelope, recipients: message.recipients, completed: message.completed)
            }
        } else {
            guard case .queue(let listed) = try control.send(.showQueue(query)) else { throw control.unexpected() }
            reports = listed
        }
        if json {
            try printJSON(reports)
            return
        }
        for report in reports {
            print(QueueFormat.line(report))
            for recipient in report.recipients { print("    " + QueueFormat.recipientLine(recipient)) }
        }
        let pending = reports.reduce(0) { $0 + $1.recipients.filter { $0.state == "scheduled" || $0.state == "held" }.count }
        print("-- \(reports.count) message\(reports.count == 1 ? "" : "s"), \(pending) pending recipient\(pending == 1 ? "" : "s")")
    }
}

struct ShowMessage: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "message", abstract: "Show one message: envelope, recipients and optionally the body.")

    @OptionGroup var journal: OfflineJournalOption
    @OptionGroup var control: ControlOptions
    @Argument(help: "The message id.") var id: String
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print the stored message too.") var body = false
    @Flag(help: "Print only the stored message, byte for byte.") var raw = false

    func run() throws {
        guard let messageID = MessageID(id) else { throw ValidationError("'\(id)' is not a message id (20 base32 characters)") }
        let report: MessageReport
        var bytes: Data?
        if let path = journal.path {
            let journal = try JournalOptions.open(path)
            guard let message = try journal.message(messageID) else { throw failure("no message \(id)") }
            report = MessageReport(envelope: message.envelope, recipients: message.recipients, completed: message.completed)
            if body || raw { bytes = try journal.body(of: messageID).map { Data($0) } }
        } else {
            switch try control.send(.showMessage(id: id, body: body || raw)) {
            case .message(let found, let stored):
                report = found
                bytes = stored
            case .failed(let reason):
                throw failure(reason)
            default:
                throw control.unexpected()
            }
        }
        if raw {
            FileHandle.standardOutput.write(bytes ?? Data())
            return
        }
        if json {
            try printJSON(report)
        } else {
            for line in QueueFormat.messageLines(report) { emit(line) }
        }
        if body { FileHandle.standardOutput.write(bytes ?? Data()) }
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

/// Prints `ternctl: MESSAGE` on standard error and returns exit status 1.
func failure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("ternctl: \(message)\n".utf8))
    return ExitCode(1)
}

/// Parses an age such as `30s`, `5m`, `4h`, `2d`, `1w` (bare numbers are seconds).
func parseAge(_ text: String, option: String) throws -> TimeInterval {
    let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
    let unit = text.last.flatMap { units[$0] }
    let digits = unit == nil ? Substring(text) : text.dropLast()
    guard let value = TimeInterval(digits), value >= 0 else {
        throw ValidationError("\(option) takes a duration such as 30s, 5m, 4h or 2d, not '\(text)'")
    }
    return value * (unit ?? 1)
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    FileHandle.standardOutput.write(try encoder.encode(value))
    emit("")
}
