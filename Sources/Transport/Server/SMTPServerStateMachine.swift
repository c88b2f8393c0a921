import Envelope
import Foundation

/// A mail transaction ready to be stored: everything from MAIL and RCPT.
public struct SMTPTransaction: Hashable, Sendable {
    public var sender: ReversePath
    public var parameters: MailParameters
    public var recipients: [(address: MailAddress, parameters: RecipientParameters)]

    public static func == (lhs: SMTPTransaction, rhs: SMTPTransaction) -> Bool {
        lhs.sender == rhs.sender && lhs.parameters == rhs.parameters
            && lhs.recipients.map(\.address) == rhs.recipients.map(\.address)
            && lhs.recipients.map(\.parameters) == rhs.recipients.map(\.parameters)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sender)
        hasher.combine(recipients.map(\.address))
    }
}

/// The server side of an SMTP session (RFC 5321 with PIPELINING, SIZE,
/// 8BITMIME, SMTPUTF8, DSN, ENHANCEDSTATUSCODES, STARTTLS, AUTH, CHUNKING)
/// as a pure state machine: each event returns the action the handler must
/// carry out. It never touches a socket, the journal or the clock.
public struct SMTPServerStateMachine {
    /// What the handler must do next.
    public enum Action: Equatable {
        /// Send this reply.
        case reply(SMTPReply)
        /// Send this reply, then close the connection.
        case replyAndClose(SMTPReply)
        /// Ask the rules about this recipient, then call `recipientChecked`.
        case checkRecipient(MailAddress, RecipientParameters)
        /// Send the 354 reply and read the message until `CRLF.CRLF`.
        case receiveData(SMTPReply)
        /// Read the next `size` octets as a BDAT chunk, then call `chunkEnded`.
        case receiveChunk(size: Int)
        /// Store the message durably, then call `stored`.
        case store(SMTPTransaction)
        /// Send this reply, drop any input read after the command, start TLS
        /// and call `tlsEstablished`.
        case startTLS(SMTPReply)
        /// Check these credentials, then call `authenticated`.
        case authenticate(user: String, password: String)
    }

    private enum AuthExchange: Equatable {
        case plainResponse
        case loginUser
        case loginPassword(user: String)
    }

    private enum Phase: Equatable {
        /// Before HELO/EHLO (again after STARTTLS).
        case needHello
        /// Outside a transaction.
        case ready
        /// MAIL accepted; collecting recipients.
        case transaction
        /// Waiting for the delegate's verdict on a recipient.
        case checkingRecipient(MailAddress, RecipientParameters)
        case receivingData
        /// Reading BDAT chunks; `failure` is the reply owed once the chunk is read.
        case receivingChunk(last: Bool, failure: SMTPReply?)
        case storing
        case authenticating(AuthExchange)
        case checkingCredentials
        case startingTLS
        case closed
    }

    public let settings: SMTPServerSettings
    public private(set) var facts: SMTPSessionFacts
    private var phase = Phase.needHello
    private var transaction: SMTPTransaction?
    /// Octets received by BDAT in this transaction.
    private var chunkedSize = 0
    private var usedBDAT = false
    private var errors = 0

    public init(settings: SMTPServerSettings, facts: SMTPSessionFacts) {
        self.settings = settings
        self.facts = facts
    }

    /// Whether replies carry RFC 2034 enhanced status codes (after EHLO).
    public var enhancedStatusCodes: Bool { facts.extended }

    /// The mail transaction in progress, if any.
    public var currentTransaction: SMTPTransaction? { transaction }

    /// Whether the session has ended.
    public var isClosed: Bool { phase == .closed }

    /// The banner for a new connection.
    public func greeting() -> SMTPReply {
        SMTPReply(code: 220, "\(settings.hostname) ESMTP Tern")
    }

    // MARK: - Events

    /// A command line (or an AUTH response line) without CRLF.
    public mutating func received(line: [UInt8]) -> Action {
        switch phase {
        case .authenticating(let exchange):
            return authResponse(line, exchange)
        case .closed:
            return .replyAndClose(.serviceNotAvailable())
        case .checkingRecipient, .receivingData, .receivingChunk, .storing, .checkingCredentials, .startingTLS:
            // The handler holds input while it waits; reaching here is a bug in it, not the client.
            return .reply(.localError("Command received out of turn"))
        case .needHello, .ready, .transaction:
            break
        }
        let command: SMTPCommand
        do {
            // Non-ASCII paths only in a transaction whose MAIL carried SMTPUTF8 (RFC 6531), else 553 5.6.7.
            command = try SMTPCommandParser.parse(line, allowUTF8: transaction?.parameters.smtpUTF8 ?? false)
        } catch {
            return failure(error.reply)
        }
        return dispatch(command)
    }

    /// A command line longer than the limit. An AUTH exchange in progress
    /// fails with it (RFC 4954 §6, `500 5.5.6`).
    public mutating func receivedOverlongLine() -> Action {
        if case .authenticating = phase { phase = .ready }
        return failure(SMTPReply(code: 500, status: EnhancedStatus(5, 5, 6), "Line too long"))
    }

    /// The delegate's verdict on the recipient of `.checkRecipient`: nil accepts it.
    public mutating func recipientChecked(rejection: SMTPReply?) -> Action {
        guard case .checkingRecipient(let address, let parameters) = phase else { return outOfTurn() }
        phase = .transaction
        if let rejection { return failure(rejection) }
        transaction?.recipients.append((address, parameters))
        return .reply(SMTPReply(code: 250, status: .recipientOK, "Ok"))
    }

    /// DATA ended with `CRLF.CRLF` after `size` octets with these defects.
    public mutating func dataEnded(size: Int, defects: DataDefects, rejectBareLineEndings: Bool) -> Action {
        guard phase == .receivingData, let transaction else { return outOfTurn() }
        if size > settings.maxMessageSize {
            resetTransaction()
            return .reply(SMTPReply(code: 552, status: .messageTooBig, "Message exceeds the size limit of \(settings.maxMessageSize) octets"))
        }
        if rejectBareLineEndings && !defects.isDisjoint(with: [.bareCR, .bareLF]) {
            resetTransaction()
            return .reply(SMTPReply(code: 550, status: EnhancedStatus(5, 6, 0), "Message contains a bare CR or LF; lines must end with CRLF"))
        }
        if defects.contains(.longLine) {
            resetTransaction()
            return .reply(SMTPReply(code: 550, status: EnhancedStatus(5, 6, 0), "Message has a line longer than 1000 octets"))
        }
        phase = .storing
        return .store(transaction)
    }

    /// A BDAT chunk of `size` octets was read completely.
    public mutating func chunkEnded(size: Int) -> Action {
        guard case .receivingChunk(let last, let failure) = phase else { return outOfTurn() }
        if let failure {
            // A refused chunk fails the transaction; chunks still in the pipeline get 503 (RFC 3030 §2).
            resetTransaction()
            return self.failure(failure)
        }
        chunkedSize += size
        if chunkedSize > settings.maxMessageSize {
            resetTransaction()
            return .reply(SMTPReply(code: 552, status: .messageTooBig, "Message exceeds the size limit of \(settings.maxMessageSize) octets"))
        }
        guard last, let transaction else {
            phase = .transaction
            return .reply(SMTPReply(code: 250, status: .ok, "\(size) octets received"))
        }
        phase = .storing
        return .store(transaction)
    }

    /// The outcome of `.store`: the queue id, or the reply explaining the failure.
    public mutating func stored(_ result: Result<String, SMTPStoreFailure>) -> Action {
        guard phase == .storing else { return outOfTurn() }
        resetTransaction()
        switch result {
        case .success(let id): return .reply(SMTPReply(code: 250, status: .ok, "Ok: queued as \(id)"))
        case .failure(let failure): return .reply(failure.reply)
        }
    }

    /// The TLS handshake after STARTTLS completed: the session starts over
    /// and forgets what the client said in clear text, HELO and AUTH
    /// included (RFC 3207 §4.2).
    public mutating func tlsEstablished() {
        facts.tls = true
        facts.heloName = nil
        facts.extended = false
        facts.authenticatedUser = nil
        resetTransaction()
    }

    /// The outcome of `.authenticate`.
    public mutating func authenticated(user: String?) -> Action {
        guard phase == .checkingCredentials else { return outOfTurn() }
        phase = .ready
        guard let user else {
            return failure(SMTPReply(code: 535, status: .authenticationFailed, "Authentication credentials invalid"))
        }
        facts.authenticatedUser = user
        return .reply(SMTPReply(code: 235, status: EnhancedStatus(2, 7, 0), "Authentication successful"))
    }

    /// The client was idle too long.
    public mutating func timedOut() -> Action {
        phase = .closed
        return .replyAndClose(SMTPReply(code: 421, status: EnhancedStatus(4, 4, 2), "\(settings.hostname) Timeout, closing transmission channel"))
    }

    /// The server is shutting down.
    public mutating func shuttingDown() -> Action {
        phase = .closed
        return .replyAndClose(SMTPReply(code: 421, status: .systemNotAccepting, "\(settings.hostname) Service shutting down, closing transmission channel"))
    }

    // MARK: - Commands

    private mutating func dispatch(_ command: SMTPCommand) -> Action {
        switch command {
        case .helo(let name), .ehlo(let name):
            let extended = if case .ehlo = command { true } else { false }
            resetTransaction()
            facts.heloName = name
            facts.extended = extended
            phase = .ready
            return .reply(extended ? ehloReply(name) : SMTPReply(code: 250, "\(settings.hostname) Hello \(name)"))
        case .mail(let sender, let parameters):
            return mail(sender, parameters)
        case .rcpt(let address, let parameters):
            return recipient(address, parameters)
        case .data:
            guard phase == .transaction, let transaction else { return failure(.badSequence("Need MAIL command")) }
            // RFC 3030 §2 and §3: no DATA once BDAT was used, nor for a BINARYMIME body.
            guard !usedBDAT else { return failure(.badSequence("DATA after BDAT")) }
            guard transaction.parameters.body != .binaryMIME else { return failure(.badSequence("BODY=BINARYMIME requires BDAT")) }
            guard !transaction.recipients.isEmpty else {
                return failure(SMTPReply(code: 554, status: .invalidCommand, "No valid recipients"))
            }
            phase = .receivingData
            return .receiveData(.startMailInput)
        case .bdat(let size, let last):
            return bdat(size: size, last: last)
        case .rset:
            resetTransaction()
            return .reply(.ok())
        case .noop:
            return .reply(.ok())
        case .quit:
            phase = .closed
            return .replyAndClose(.closing("\(settings.hostname) closing connection"))
        case .vrfy:
            return .reply(SMTPReply(code: 252, status: EnhancedStatus(2, 5, 0), "Cannot VRFY user, but will accept message and attempt delivery"))
        case .expn:
            return failure(.notImplemented("EXPN is not available"))
        case .help:
            return .reply(SMTPReply(code: 214, status: .ok, "See RFC 5321; commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY STARTTLS AUTH"))
        case .startTLS:
            guard settings.startTLSAvailable, !facts.tls else {
                return failure(facts.tls ? .badSequence("TLS already active") : .notImplemented("STARTTLS not available"))
            }
            guard phase == .ready || phase == .needHello else { return failure(.badSequence("STARTTLS inside a mail transaction")) }
            phase = .startingTLS
            return .startTLS(SMTPReply(code: 220, status: .ok, "Ready to start TLS"))
        case .auth(let mechanism, let initialResponse):
            return auth(mechanism, initialResponse)
        }
    }

    private func ehloReply(_ name: String) -> SMTPReply {
        var lines = ["\(settings.hostname) Hello \(name)", "PIPELINING", "SIZE \(settings.maxMessageSize)", "8BITMIME", "SMTPUTF8", "DSN", "ENHANCEDSTATUSCODES", "CHUNKING"]
        if settings.startTLSAvailable && !facts.tls { lines.append("STARTTLS") }
        if offersAuth { lines.append("AUTH PLAIN LOGIN") }
        return SMTPReply(code: 250, lines: lines)
    }

    private var offersAuth: Bool {
        settings.auth != .none && facts.authenticatedUser == nil && (facts.tls || settings.authWithoutTLS)
    }

    private mutating func mail(_ sender: ReversePath, _ parameters: MailParameters) -> Action {
        guard phase != .needHello else { return failure(.badSequence("Send HELO or EHLO first")) }
        guard transaction == nil else { return failure(.badSequence("Nested MAIL command")) }
        if settings.tlsRequired && !facts.tls {
            return failure(SMTPReply(code: 530, status: .securityFailure, "Must issue a STARTTLS command first"))
        }
        if settings.auth == .required && facts.authenticatedUser == nil {
            return failure(SMTPReply(code: 530, status: EnhancedStatus(5, 7, 0), "Authentication required"))
        }
        if !facts.extended && (parameters != MailParameters()) {
            return failure(SMTPReply(code: 555, status: .invalidArguments, "MAIL parameters require EHLO"))
        }
        if let size = parameters.size, size > settings.maxMessageSize {
            return failure(SMTPReply(code: 552, status: .messageTooBig, "Message size exceeds the limit of \(settings.maxMessageSize) octets"))
        }
        transaction = SMTPTransaction(sender: sender, parameters: parameters, recipients: [])
        phase = .transaction
        return .reply(SMTPReply(code: 250, status: .senderOK, "Ok"))
    }

    private mutating func recipient(_ address: MailAddress, _ parameters: RecipientParameters) -> Action {
        guard phase == .transaction, let transaction else { return failure(.badSequence("Need MAIL before RCPT")) }
        if !facts.extended && parameters != RecipientParameters() {
            return failure(SMTPReply(code: 555, status: .invalidArguments, "RCPT parameters require EHLO"))
        }
        guard transaction.recipients.count < settings.maxRecipients else {
            return .reply(SMTPReply(code: 452, status: .tooManyRecipients, "Too many recipients"))
        }
        phase = .checkingRecipient(address, parameters)
        return .checkRecipient(address, parameters)
    }

    private mutating func bdat(size: Int, last: Bool) -> Action {
        // The chunk's octets follow the command whatever the reply, so they are always read.
        var failure: SMTPReply?
        if phase != .transaction || transaction == nil {
            failure = .badSequence("Need MAIL and RCPT before BDAT")
        } else if transaction?.recipients.isEmpty == true {
            failure = SMTPReply(code: 554, status: .invalidCommand, "No valid recipients")
        }
        usedBDAT = true
        phase = .receivingChunk(last: last, failure: failure)
        return .receiveChunk(size: size)
    }

    private mutating func auth(_ mechanism: String, _ initialResponse: String?) -> Action {
        guard settings.auth != .none else { return failure(.notImplemented("AUTH not available")) }
        guard facts.extended else { return failure(.badSequence("Send EHLO first")) }
        guard facts.authenticatedUser == nil else { return failure(.badSequence("Already authenticated")) }
        guard phase == .ready else { return failure(.badSequence("AUTH inside a mail transaction")) }
        guard facts.tls || settings.authWithoutTLS else {
            return failure(SMTPReply(code: 538, status: .encryptionRequiredForAuthentication, "Encryption required for requested authentication mechanism"))
        }
        switch mechanism {
        case "PLAIN":
            guard let initialResponse else {
                phase = .authenticating(.plainResponse)
                return .reply(SMTPReply(code: 334, lines: [""]))
            }
            return authResponse(Array(initialResponse.utf8), .plainResponse)
        case "LOGIN":
            guard let initialResponse else {
                phase = .authenticating(.loginUser)
                return .reply(SMTPReply(code: 334, "VXNlcm5hbWU6"))
            }
            return authResponse(Array(initialResponse.utf8), .loginUser)
        default:
            return failure(SMTPReply(code: 504, status: .invalidArguments, "Unrecognized authentication mechanism"))
        }
    }

    private mutating func authResponse(_ line: [UInt8], _ exchange: AuthExchange) -> Action {
        phase = .ready
        let text = String(decoding: line, as: UTF8.self)
        if text == "*" { return failure(SMTPReply(code: 501, status: EnhancedStatus(5, 0, 0), "Authentication cancelled")) }
        guard let decoded = Data(base64Encoded: text).map(Array.init) else {
            return failure(SMTPReply(code: 501, status: .syntaxError, "Invalid base64 data"))
        }
        switch exchange {
        case .plainResponse:
            // authzid NUL authcid NUL passwd (RFC 4616)
            let parts = decoded.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let user = String(validating: parts[1], as: UTF8.self),
                  let password = String(validating: parts[2], as: UTF8.self), !user.isEmpty
            else {
                return failure(SMTPReply(code: 501, status: .syntaxError, "Malformed PLAIN response"))
            }
            phase = .checkingCredentials
            return .authenticate(user: user, password: password)
        case .loginUser:
            guard let user = String(validating: decoded, as: UTF8.self), !user.isEmpty else {
                return failure(SMTPReply(code: 501, status: .syntaxError, "Malformed user name"))
            }
            phase = .authenticating(.loginPassword(user: user))
            return .reply(SMTPReply(code: 334, "UGFzc3dvcmQ6"))
        case .loginPassword(let user):
            guard let password = String(validating: decoded, as: UTF8.self) else {
                return failure(SMTPReply(code: 501, status: .syntaxError, "Malformed password"))
            }
            phase = .checkingCredentials
            return .authenticate(user: user, password: password)
        }
    }

    // MARK: - Helpers

    /// Ends any transaction; the session waits for MAIL, or for HELO/EHLO
    /// if none was given yet (or since STARTTLS).
    private mutating func resetTransaction() {
        transaction = nil
        chunkedSize = 0
        usedBDAT = false
        if phase != .closed { phase = facts.heloName == nil ? .needHello : .ready }
    }

    /// A 4xx/5xx reply for a client error; too many of them end the session.
    private mutating func failure(_ reply: SMTPReply) -> Action {
        errors += 1
        if errors >= settings.maxErrors {
            phase = .closed
            return .replyAndClose(SMTPReply(code: 421, status: EnhancedStatus(4, 7, 0), "\(settings.hostname) Too many errors, closing connection"))
        }
        return .reply(reply)
    }

    private func outOfTurn() -> Action {
        .reply(.localError("Internal sequence error"))
    }
}

/// Why a message could not be stored, as the reply to give: always 4xx,
/// since the client must not give up on mail we merely failed to store.
public struct SMTPStoreFailure: Error, Hashable, Sendable {
    public let reply: SMTPReply

    /// `452 4.3.1`: storage full.
    public static let storageFull = SMTPStoreFailure(reply: .insufficientStorage("Insufficient system storage, try again later"))
    /// `451 4.3.0`: any other local failure.
    public static let localError = SMTPStoreFailure(reply: .localError("Local error in processing, try again later"))

    /// A failure answered with `reply`; any reply but a 4xx one becomes
    /// `451 4.3.0` with the same text, so that the promise above holds.
    public init(reply: SMTPReply) {
        self.reply = reply.isTransientNegative ? reply : SMTPReply(code: 451, status: .temporarySystemFailure, lines: reply.lines)
    }
}
