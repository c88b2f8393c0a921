import Foundation

/// The control socket's protocol between `ternctl` and `ternd`.
///
/// A Unix stream socket (owner-only, `control socket PATH` in the
/// configuration). Each request is one JSON object on one line, and the daemon
/// answers each with one JSON line, in order:
///
///     {"version":1,"command":{"pause":{"_0":{"destination":{"_0":"example.com"}}}}}
///     {"version":1,"result":{"done":{"_0":"delivery to example.com paused"}}}
///
/// `version` is ``ControlProtocol/version``; a daemon refuses a request of a
/// newer version with a `failed` result naming both versions.
public enum ControlProtocol {
    /// The protocol version this build speaks.
    public static let version = 1
    /// The longest request or response line: room for a base64 message of the largest size.
    public static let maxLineLength = 256 << 20

    /// The encoder for both directions: one line, ISO 8601 dates.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array(try encoder.encode(value))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Decodes one line (without its newline).
    public static func decode<T: Decodable>(_ type: T.Type, from line: some Collection<UInt8>) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(line))
    }
}

/// One request: a command and the protocol version of the sender.
public struct ControlRequest: Codable, Hashable, Sendable {
    public var version: Int
    public var command: ControlCommand

    /// A request of this build's protocol version.
    public init(_ command: ControlCommand) {
        self.version = ControlProtocol.version
        self.command = command
    }
}

/// The daemon's answer to one request.
public struct ControlResponse: Codable, Hashable, Sendable {
    public var version: Int
    public var result: ControlResult

    /// A response of this build's protocol version.
    public init(_ result: ControlResult) {
        self.version = ControlProtocol.version
        self.result = result
    }
}

/// Every command the control socket takes: the one table of operator actions
/// (as `smtpctl` keeps its commands in one table).
public enum ControlCommand: Codable, Hashable, Sendable {
    /// Messages in the queue, filtered.
    case showQueue(QueueQuery)
    /// One message, with its stored bytes when `body` is set.
    case showMessage(id: String, body: Bool)
    /// Counters and gauges.
    case showStats
    /// Paused flows, listeners, version, uptime.
    case showStatus
    /// Per destination: connections, back-off, pause.
    case showHosts
    /// Stops a flow: new SMTP sessions, remote or local delivery, or one destination.
    case pause(ControlFlow)
    /// Starts a paused flow again.
    case resume(ControlFlow)
    /// Makes recipients due now (and lifts destination back-off).
    case schedule(MessageSelection)
    /// Holds recipients: no attempts until released; expiry still applies.
    case hold(MessageSelection)
    /// Releases held recipients, due now.
    case release(MessageSelection)
    /// Removes messages without notice; one in flight goes when its attempt ends.
    case remove(MessageSelection)
    /// Re-reads one table from its file or database.
    case updateTable(name: String)
    /// Sets the log level: debug detail (`verbose`) or the default (`brief`).
    case log(verbose: Bool)
    /// Turns trace-level logging of one subsystem on or off.
    case trace(subsystem: String, enabled: Bool)
    /// Queues a message from a local program (the sendmail enqueuer), durably.
    case enqueue(Submission)
    /// Whether a local submission from this sender to this recipient would be
    /// taken, as `enqueue` would judge it: `done`, or `failed` with the reason.
    case checkRecipient(RecipientCheck)
    /// Stores the messages of a queue archive (a file or a directory of
    /// `.tern` files, an absolute path the daemon can read); ids already
    /// queued are skipped.
    case importArchive(path: String)
    /// Queues completed messages kept in history again.
    case replay(ReplayRequest)
}

/// What a command produced.
public enum ControlResult: Codable, Hashable, Sendable {
    /// Done; the text says what was done.
    case done(String)
    /// Refused or failed; the text says why.
    case failed(String)
    /// A queue listing.
    case queue([MessageReport])
    /// One message and, when asked for, its stored bytes.
    case message(MessageReport, body: Data?)
    /// Counters and gauges by name.
    case stats(StatisticsReport)
    /// The daemon's state.
    case status(DaemonStatus)
    /// Per-destination delivery state.
    case hosts([DestinationReport])
    /// A message was queued under this id.
    case enqueued(id: String)
}
