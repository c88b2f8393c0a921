import Envelope

/// Why a connection, or a whole transaction on it, failed.
///
/// Per-recipient refusals are not errors: they come back as
/// `RecipientResult`s. A `DeliveryError` covers every recipient that has no
/// settled result (see `settledResults`).
///
/// Only problems of the message itself are permanent: it needs `SMTPUTF8`,
/// `8BITMIME` or a size the server does not offer. Everything about the
/// connection or the session is temporary, including a 5xx greeting or a
/// refused `EHLO`, `STARTTLS` or `AUTH`: another MX, or the same one later,
/// may take the message (Postfix treats 5xx greetings the same way). The
/// caller turns a temporary error into "try the next MX host".
public struct DeliveryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, for decisions and metrics.
    public enum Kind: Hashable, Sendable {
        /// The connection could not be made, or broke.
        case connection
        /// The server refused the session: greeting, `EHLO`/`HELO`, or `421`.
        case refused
        /// TLS was required and not offered, refused, or failed.
        case tls
        /// `AUTH` was impossible or refused.
        case authentication
        /// The message needs an extension or size the server does not offer.
        case unsupported
        /// The server did not answer in time.
        case timeout
        /// The server broke the protocol: a malformed or unexpected reply.
        case protocolViolation
        /// The connection is closed or busy with another request.
        case notReady
    }

    private enum Code: Hashable, Sendable {
        case connectionFailed(String)
        case connectionLost(String)
        case greetingRejected
        case serviceClosing
        case helloRejected
        case tlsUnavailable
        case startTLSRejected
        case tlsFailed(String)
        case authenticationUnavailable(String)
        case authenticationFailed
        case smtpUTF8Unsupported
        case eightBitUnsupported
        case messageTooBig(size: Int, limit: Int)
        case timedOut(String)
        case protocolViolation(String)
        case notReady
    }

    private let code: Code
    /// The server, as `name[address]:port`.
    public let remoteHost: String
    /// The server's reply that caused the failure, when there was one.
    public let reply: SMTPReply?
    /// The outcomes already final before the failure (recipients refused at
    /// `RCPT TO`, or LMTP recipients answered before the connection broke).
    /// Every other recipient of the transaction shares this error.
    public let settledResults: [RecipientResult]
    /// Where the error was raised (`#fileID`, `#line`).
    public let fileID: String
    /// The line in `fileID`.
    public let line: Int

    private init(
        _ code: Code, remoteHost: String, reply: SMTPReply?, settledResults: [RecipientResult], fileID: String,
        line: Int
    ) {
        self.code = code
        self.remoteHost = remoteHost
        self.reply = reply
        self.settledResults = settledResults
        self.fileID = fileID
        self.line = line
    }

    private static func make(
        _ code: Code, _ remoteHost: String, reply: SMTPReply? = nil, fileID: String, line: Int
    ) -> DeliveryError {
        DeliveryError(code, remoteHost: remoteHost, reply: reply, settledResults: [], fileID: fileID, line: line)
    }

    static func connectionFailed(_ remoteHost: String, _ reason: String, fileID: String = #fileID, line: Int = #line)
        -> DeliveryError
    { make(.connectionFailed(reason), remoteHost, fileID: fileID, line: line) }

    static func connectionLost(_ remoteHost: String, _ reason: String, fileID: String = #fileID, line: Int = #line)
        -> DeliveryError
    { make(.connectionLost(reason), remoteHost, fileID: fileID, line: line) }

    static func greetingRejected(_ remoteHost: String, _ reply: SMTPReply, fileID: String = #fileID, line: Int = #line)
        -> DeliveryError
    { make(.greetingRejected, remoteHost, reply: reply, fileID: fileID, line: line) }

    static func serviceClosing(_ remoteHost: String, _ reply: SMTPReply, fileID: String = #fileID, line: Int = #line)
        -> DeliveryError
    { make(.serviceClosing, remoteHost, reply: reply, fileID: fileID, line: line) }

    static func helloRejected(_ remoteHost: String, _ reply: SMTPReply, fileID: String = #fileID, line: Int = #line)
        -> DeliveryError
    { make(.helloRejected, remoteHost, reply: reply, fileID: fileID, line: line) }

    static func tlsUnavailable(_ remoteHost: String, fileID: String = #fileID, line: Int = #line) -> DeliveryError {
        make(.tlsUnavailable, remoteHost, fileID: fileID, line: line)
    }

    static func startTLSRejected(_ remoteHost: String, _ reply: SMTPReply, fileID: String = #fileID, line: Int = #line)
        -> DeliveryError
    { make(.startTLSRejected, remoteHost, reply: reply, fileID: fileID, line: line) }

    static func tlsFailed(_ remoteHost: String, _ reason: String, fileID: String = #fileID, line: Int = #line)
        -> DeliveryError
    { make(.tlsFailed(reason), remoteHost, fileID: fileID, line: line) }

    static func authenticationUnavailable(
        _ remoteHost: String, _ reason: String, fileID: String = #fileID, line: Int = #line
    ) -> DeliveryError { make(.authenticationUnavailable(reason), remoteHost, fileID: fileID, line: line) }

    static func authenticationFailed(
        _ remoteHost: String, _ reply: SMTPReply, fileID: String = #fileID, line: Int = #line
    ) -> DeliveryError { make(.authenticationFailed, remoteHost, reply: reply, fileID: fileID, line: line) }

    static func smtpUTF8Unsupported(_ remoteHost: String, fileID: String = #fileID, line: Int = #line) -> DeliveryError {
        make(.smtpUTF8Unsupported, remoteHost, fileID: fileID, line: line)
    }

    static func eightBitUnsupported(_ remoteHost: String, fileID: String = #fileID, line: Int = #line) -> DeliveryError {
        make(.eightBitUnsupported, remoteHost, fileID: fileID, line: line)
    }

    static func messageTooBig(
        _ remoteHost: String, size: Int, limit: Int, fileID: String = #fileID, line: Int = #line
    ) -> DeliveryError { make(.messageTooBig(size: size, limit: limit), remoteHost, fileID: fileID, line: line) }

    static func timedOut(
        _ remoteHost: String, waitingFor phase: SMTPClientTimeouts.Phase, fileID: String = #fileID, line: Int = #line
    ) -> DeliveryError { make(.timedOut(phase.rawValue), remoteHost, fileID: fileID, line: line) }

    static func protocolViolation(
        _ remoteHost: String, _ reason: String, reply: SMTPReply? = nil, fileID: String = #fileID, line: Int = #line
    ) -> DeliveryError { make(.protocolViolation(reason), remoteHost, reply: reply, fileID: fileID, line: line) }

    static func notReady(_ remoteHost: String, fileID: String = #fileID, line: Int = #line) -> DeliveryError {
        make(.notReady, remoteHost, fileID: fileID, line: line)
    }

    /// The same error with the outcomes that were already final.
    func settling(_ results: [RecipientResult]) -> DeliveryError {
        DeliveryError(code, remoteHost: remoteHost, reply: reply, settledResults: results, fileID: fileID, line: line)
    }

    /// What failed: the connection, the session, TLS, AUTH, the message, the clock, the peer or the caller.
    public var kind: Kind {
        switch code {
        case .connectionFailed, .connectionLost: .connection
        case .greetingRejected, .serviceClosing, .helloRejected: .refused
        case .tlsUnavailable, .startTLSRejected, .tlsFailed: .tls
        case .authenticationUnavailable, .authenticationFailed: .authentication
        case .smtpUTF8Unsupported, .eightBitUnsupported, .messageTooBig: .unsupported
        case .timedOut: .timeout
        case .protocolViolation: .protocolViolation
        case .notReady: .notReady
        }
    }

    /// Whether the message can never go this way: only for `.unsupported`.
    public var isPermanent: Bool { kind == .unsupported }

    /// The RFC 3463 status for logs and DSNs. For temporary errors caused by
    /// a reply, the reply's own status with class 4.
    public var enhancedStatus: EnhancedStatus {
        switch code {
        case .connectionFailed: .noAnswerFromHost
        case .connectionLost, .timedOut, .protocolViolation: .badConnection
        case .greetingRejected: reply?.status?.withClass(4) ?? .noAnswerFromHost
        case .serviceClosing: reply?.status?.withClass(4) ?? .systemNotAccepting
        case .helloRejected: reply?.status?.withClass(4) ?? Self.protocolFailure
        case .tlsUnavailable: Self.securityFeaturesNotSupported
        case .startTLSRejected: reply?.status?.withClass(4) ?? Self.securityFeaturesNotSupported
        case .tlsFailed: Self.cryptographicFailure
        case .authenticationUnavailable: .temporarySecurityFailure
        case .authenticationFailed: reply?.status?.withClass(4) ?? EnhancedStatus(4, 7, 8)
        case .smtpUTF8Unsupported: .nonASCIIAddressNotPermitted
        case .eightBitUnsupported: Self.conversionNotSupported
        case .messageTooBig: .messageTooBig
        case .notReady: .temporarySystemFailure
        }
    }

    /// `4.5.0` Other or undefined protocol status.
    private static let protocolFailure = EnhancedStatus(4, 5, 0)
    /// `4.7.4` Security features not supported.
    private static let securityFeaturesNotSupported = EnhancedStatus(4, 7, 4)
    /// `4.7.5` Cryptographic failure.
    private static let cryptographicFailure = EnhancedStatus(4, 7, 5)
    /// `5.6.3` Conversion required but not supported.
    private static let conversionNotSupported = EnhancedStatus(5, 6, 3)

    /// Errors are equal when they have the same cause, host, reply and
    /// settled results, wherever they were raised.
    public static func == (lhs: DeliveryError, rhs: DeliveryError) -> Bool {
        lhs.code == rhs.code && lhs.remoteHost == rhs.remoteHost && lhs.reply == rhs.reply
            && lhs.settledResults == rhs.settledResults
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(remoteHost)
        hasher.combine(reply)
        hasher.combine(settledResults)
    }

    /// One line for logs: the host, what went wrong, and the reply.
    public var description: String {
        let what: String
        switch code {
        case .connectionFailed(let reason): what = "cannot connect: \(reason)"
        case .connectionLost(let reason): what = "connection lost: \(reason)"
        case .greetingRejected: what = "refused the session in its greeting"
        case .serviceClosing: what = "is closing the session"
        case .helloRejected: what = "refused EHLO/HELO"
        case .tlsUnavailable: what = "does not offer STARTTLS, which is required"
        case .startTLSRejected: what = "refused STARTTLS, which is required"
        case .tlsFailed(let reason): what = "TLS failed: \(reason)"
        case .authenticationUnavailable(let reason): what = "cannot authenticate: \(reason)"
        case .authenticationFailed: what = "refused the credentials"
        case .smtpUTF8Unsupported: what = "does not support SMTPUTF8, which the message needs"
        case .eightBitUnsupported: what = "does not support 8BITMIME, which the 8-bit message needs (no conversion to 7 bit)"
        case .messageTooBig(let size, let limit): what = "takes at most \(limit) octets, the message has \(size)"
        case .timedOut(let phase): what = "timed out waiting for \(phase)"
        case .protocolViolation(let reason): what = "broke the protocol: \(reason)"
        case .notReady: what = "connection is closed or busy"
        }
        let said = reply.map { ": \($0)" } ?? ""
        return "\(remoteHost) \(what)\(said)"
    }
}
