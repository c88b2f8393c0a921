import Envelope
import NIOCore

/// The client side of an SMTP or LMTP session (RFC 5321, RFC 2033) as a
/// pure state machine: events in (a reply line, TLS started, a request, a
/// time-out, the connection closed), one `Action` out. It never touches a
/// socket; `SMTPClientHandler` performs the actions.
///
/// A session runs greeting → `EHLO` (`HELO` after a 5xx, `LHLO` for LMTP)
/// → `STARTTLS` and `EHLO` again, as the TLS policy says → `AUTH` when
/// there are credentials → idle. From idle it carries transactions
/// (`SMTPClientTransaction`), `RSET` and `QUIT`:
///
///     S: 220 mx.example.org ESMTP
///     C: EHLO client.example.com
///     S: 250-mx.example.org
///     S: 250 STARTTLS
///     C: STARTTLS
///     S: 220 2.0.0 Ready to start TLS
///        … TLS handshake …
///     C: EHLO client.example.com
///     S: 250 mx.example.org
///
/// A `421` at any point means the server is closing: it ends the session,
/// and in a transaction it is the reply for every recipient still waiting.
struct SMTPClientStateMachine {
    /// What the session needs to know about its settings and peer.
    struct Configuration: Sendable {
        var heloName: String
        var mode: SMTPClientMode
        var tls: SMTPClientTLSPolicy
        var credentials: SMTPClientCredentials?
        /// The server as `name[address]:port`, for results and errors.
        var remoteHost: String
    }

    /// What the handler must do after an event.
    enum Action: Equatable {
        /// Nothing: wait for more input.
        case none
        /// Write these command bytes.
        case send(ByteBuffer)
        /// Write the encoded message (see `SMTPClientHandler` for its time-outs).
        case sendMessage(ByteBuffer)
        /// Put TLS under the session, then report `tlsStarted()`.
        case startTLS
        /// The pending request is done.
        case complete(Completion)
        /// The pending request is done and the connection must be closed.
        case completeAndClose(Completion)
        /// The pending request (if any) failed and the connection must be closed.
        case fail(DeliveryError)
        /// The new request cannot be carried out now; nothing else changes.
        case rejectRequest(DeliveryError)
    }

    /// How a request ended.
    enum Completion: Equatable {
        /// The session is ready for transactions.
        case connected(SMTPServerCapabilities)
        case transaction([RecipientResult])
        case reset
        case quit
    }

    /// A failure reported by the channel.
    enum ConnectionFailure: Equatable {
        case tls(String)
        case io(String)
    }

    private enum Hello: String {
        case ehlo = "EHLO"
        case helo = "HELO"
        case lhlo = "LHLO"
    }

    private enum AuthenticationStep {
        case plain
        case loginStarted
        case loginUsernameSent
        case loginPasswordSent
    }

    private enum State {
        case awaitingGreeting
        case awaitingHello(Hello)
        case awaitingStartTLS
        case startingTLS
        case authenticating(AuthenticationStep)
        case idle
        case inTransaction(SMTPClientTransaction)
        /// The transaction's results are known; `RSET` clears the server's side.
        case resettingAfterTransaction([RecipientResult])
        case resetting
        case quitting
        case closed
    }

    let configuration: Configuration
    private var state = State.awaitingGreeting
    private var parser = SMTPReplyParser()
    /// What the server announced in its last `EHLO`/`LHLO` reply.
    private(set) var capabilities = SMTPServerCapabilities()
    /// Whether the session runs over TLS (implicit, or after `STARTTLS`).
    private(set) var isTLSActive: Bool
    private var tlsAttempted = false

    init(configuration: Configuration) {
        self.configuration = configuration
        if case .implicit = configuration.tls {
            isTLSActive = true
        } else {
            isTLSActive = false
        }
    }

    private var remoteHost: String { configuration.remoteHost }

    // MARK: - Queries

    /// The state's name, for `old -> new` trace logs.
    var stateName: String {
        switch state {
        case .awaitingGreeting: "greeting"
        case .awaitingHello(let hello): hello.rawValue
        case .awaitingStartTLS: "STARTTLS"
        case .startingTLS: "TLS handshake"
        case .authenticating: "AUTH"
        case .idle: "idle"
        case .inTransaction(let transaction): "transaction (\(transaction.awaitedPhase.rawValue))"
        case .resettingAfterTransaction, .resetting: "RSET"
        case .quitting: "QUIT"
        case .closed: "closed"
        }
    }

    /// What the session waits for, which picks the time-out; nil once closed.
    var awaitedPhase: SMTPClientTimeouts.Phase? {
        switch state {
        case .awaitingGreeting: .greeting
        case .awaitingHello, .awaitingStartTLS, .startingTLS, .authenticating, .resettingAfterTransaction, .resetting,
            .quitting:
            .command
        case .idle: .idle
        case .inTransaction(let transaction): transaction.awaitedPhase
        case .closed: nil
        }
    }

    /// Whether the connection can carry another transaction now.
    var isReusable: Bool {
        if case .idle = state { return true }
        return false
    }

    /// Whether the message has been handed over and its reply is awaited.
    var isAwaitingMessageReply: Bool {
        if case .inTransaction(let transaction) = state { return transaction.isAwaitingMessageReply }
        return false
    }

    // MARK: - Events from the connection

    /// One line from the server, with or without its CRLF.
    mutating func receivedLine(_ line: Substring) -> Action {
        if case .closed = state { return .none }
        let reply: SMTPReply
        do {
            guard let complete = try parser.feed(line: line) else { return .none }
            reply = complete
        } catch {
            return fail(.protocolViolation(remoteHost, "malformed reply: \(error)"))
        }
        return receive(reply)
    }

    /// TLS now sits under the session (after `.startTLS`): what is written
    /// from here on is encrypted, and the session starts over with `EHLO`.
    mutating func tlsStarted() -> Action {
        guard case .startingTLS = state else { return .none }
        isTLSActive = true
        capabilities = SMTPServerCapabilities()
        return sendHello(configuration.mode == .lmtp ? .lhlo : .ehlo)
    }

    /// The server sent more bytes after its `220` to `STARTTLS`: they would
    /// be read as if protected by TLS, so the session is abandoned.
    mutating func receivedDataBeforeTLS() -> Action {
        guard case .startingTLS = state else { return .none }
        return fail(.protocolViolation(remoteHost, "data after the 220 reply to STARTTLS (possible injection)"))
    }

    /// The time-out for `awaitedPhase` expired.
    mutating func timedOut() -> Action {
        switch state {
        case .idle:
            state = .quitting
            return .send(ByteBuffer(string: SMTPClientCommand.quit))
        case .quitting:
            state = .closed
            return .completeAndClose(.quit)
        case .closed:
            return .none
        default:
            return fail(.timedOut(remoteHost, waitingFor: awaitedPhase ?? .command))
        }
    }

    /// The connection closed.
    mutating func connectionClosed() -> Action {
        switch state {
        case .closed:
            return .none
        case .quitting:
            state = .closed
            return .complete(.quit)
        default:
            return fail(.connectionLost(remoteHost, "closed by the server"))
        }
    }

    /// The channel reported an error.
    mutating func connectionFailed(_ failure: ConnectionFailure) -> Action {
        switch (state, failure) {
        case (.closed, _):
            return .none
        case (.quitting, _):
            state = .closed
            return .completeAndClose(.quit)
        case (_, .tls(let reason)):
            return fail(.tlsFailed(remoteHost, reason))
        case (_, .io(let reason)):
            return fail(.connectionLost(remoteHost, reason))
        }
    }

    // MARK: - Requests from the caller

    /// Starts a mail transaction; refused unless the session is idle and
    /// the server offers what the message needs.
    mutating func startTransaction(_ transaction: OutboundTransaction) -> Action {
        guard case .idle = state else { return .rejectRequest(.notReady(remoteHost)) }
        guard !transaction.recipients.isEmpty else { return .complete(.transaction([])) }
        if transaction.requiresSMTPUTF8 && !capabilities.smtpUTF8 {
            return .rejectRequest(.smtpUTF8Unsupported(remoteHost))
        }
        if transaction.containsEightBitData && !capabilities.eightBitMIME {
            return .rejectRequest(.eightBitUnsupported(remoteHost))
        }
        if let limit = capabilities.size, limit > 0, transaction.body.readableBytes > limit {
            return .rejectRequest(.messageTooBig(remoteHost, size: transaction.body.readableBytes, limit: limit))
        }
        let started = SMTPClientTransaction(
            transaction, capabilities: capabilities, mode: configuration.mode, remoteHost: remoteHost)
        state = .inTransaction(started)
        return .send(started.start())
    }

    /// Sends `RSET` on an idle session.
    mutating func reset() -> Action {
        guard case .idle = state else { return .rejectRequest(.notReady(remoteHost)) }
        state = .resetting
        return .send(ByteBuffer(string: SMTPClientCommand.reset))
    }

    /// Sends `QUIT` on an idle session; a closed one is done already.
    mutating func quit() -> Action {
        switch state {
        case .idle:
            state = .quitting
            return .send(ByteBuffer(string: SMTPClientCommand.quit))
        case .closed:
            return .complete(.quit)
        default:
            return .rejectRequest(.notReady(remoteHost))
        }
    }

    // MARK: - Replies

    private mutating func receive(_ reply: SMTPReply) -> Action {
        switch state {
        case .awaitingGreeting:
            guard reply.isPositiveCompletion else { return fail(.greetingRejected(remoteHost, reply)) }
            return sendHello(configuration.mode == .lmtp ? .lhlo : .ehlo)

        case .awaitingHello(let hello):
            if reply.isPositiveCompletion {
                capabilities = hello == .helo ? SMTPServerCapabilities() : SMTPServerCapabilities(ehloReply: reply)
                return helloCompleted()
            }
            if reply.code == 421 { return fail(.serviceClosing(remoteHost, reply)) }
            if hello == .ehlo && reply.isPermanentNegative { return sendHello(.helo) }
            return fail(.helloRejected(remoteHost, reply))

        case .awaitingStartTLS:
            if reply.code == 220 {
                state = .startingTLS
                return .startTLS
            }
            if reply.code == 421 { return fail(.serviceClosing(remoteHost, reply)) }
            if configuration.tls.requiresTLS { return fail(.startTLSRejected(remoteHost, reply)) }
            return authenticateOrFinish()

        case .startingTLS:
            return receivedDataBeforeTLS()

        case .authenticating(let step):
            return authenticate(step, reply: reply)

        case .idle:
            if reply.code == 421 { return fail(.serviceClosing(remoteHost, reply)) }
            return fail(.protocolViolation(remoteHost, "reply without a command", reply: reply))

        case .inTransaction(var transaction):
            // Closed until the transaction is put back (not after a 421), so
            // that its replies are appended in place rather than copied.
            state = .closed
            if reply.code == 421 {
                let results = transaction.close(with: reply)
                return .completeAndClose(.transaction(results))
            }
            let next = transaction.receive(reply)
            state = .inTransaction(transaction)
            switch next {
            case .send(let commands): return .send(commands)
            case .sendMessage(let message): return .sendMessage(message)
            case .awaitReply: return .none
            case .finished(let results, reset: true):
                state = .resettingAfterTransaction(results)
                return .send(ByteBuffer(string: SMTPClientCommand.reset))
            case .finished(let results, reset: false):
                state = .idle
                return .complete(.transaction(results))
            }

        case .resettingAfterTransaction(let results):
            guard reply.isPositiveCompletion else {
                state = .closed
                return .completeAndClose(.transaction(results))
            }
            state = .idle
            return .complete(.transaction(results))

        case .resetting:
            if reply.isPositiveCompletion {
                state = .idle
                return .complete(.reset)
            }
            if reply.code == 421 { return fail(.serviceClosing(remoteHost, reply)) }
            return fail(.protocolViolation(remoteHost, "RSET refused", reply: reply))

        case .quitting:
            state = .closed
            return .completeAndClose(.quit)

        case .closed:
            return .none
        }
    }

    private mutating func sendHello(_ hello: Hello) -> Action {
        state = .awaitingHello(hello)
        let name = configuration.heloName
        switch hello {
        case .ehlo: return .send(ByteBuffer(string: SMTPClientCommand.ehlo(name)))
        case .helo: return .send(ByteBuffer(string: SMTPClientCommand.helo(name)))
        case .lhlo: return .send(ByteBuffer(string: SMTPClientCommand.lhlo(name)))
        }
    }

    /// After a positive `EHLO`/`HELO`/`LHLO`: `STARTTLS` if the policy
    /// wants it and it has not been tried, else on to `AUTH`.
    private mutating func helloCompleted() -> Action {
        if configuration.tls.usesSTARTTLS && !isTLSActive && !tlsAttempted {
            if capabilities.startTLS {
                tlsAttempted = true
                state = .awaitingStartTLS
                return .send(ByteBuffer(string: SMTPClientCommand.startTLS))
            }
            if configuration.tls.requiresTLS { return fail(.tlsUnavailable(remoteHost)) }
        }
        return authenticateOrFinish()
    }

    private mutating func authenticateOrFinish() -> Action {
        guard let credentials = configuration.credentials else {
            state = .idle
            return .complete(.connected(capabilities))
        }
        guard isTLSActive || credentials.allowsPlaintext else {
            return fail(.authenticationUnavailable(remoteHost, "the connection is not encrypted"))
        }
        switch SMTPClientAuthentication.mechanism(offered: capabilities.authMechanisms) {
        case .plain:
            state = .authenticating(.plain)
            return .send(ByteBuffer(string: SMTPClientAuthentication.plainCommand(credentials)))
        case .login:
            state = .authenticating(.loginStarted)
            return .send(ByteBuffer(string: SMTPClientAuthentication.loginCommand))
        case nil:
            return fail(.authenticationUnavailable(remoteHost, "the server offers neither AUTH PLAIN nor AUTH LOGIN"))
        }
    }

    private mutating func authenticate(_ step: AuthenticationStep, reply: SMTPReply) -> Action {
        let expected = step == .plain || step == .loginPasswordSent ? 235 : 334
        guard reply.code == expected, let credentials = configuration.credentials else {
            if reply.code == 421 { return fail(.serviceClosing(remoteHost, reply)) }
            return fail(.authenticationFailed(remoteHost, reply))
        }
        switch step {
        case .plain, .loginPasswordSent:
            state = .idle
            return .complete(.connected(capabilities))
        case .loginStarted:
            state = .authenticating(.loginUsernameSent)
            return .send(ByteBuffer(string: SMTPClientAuthentication.response(credentials.username)))
        case .loginUsernameSent:
            state = .authenticating(.loginPasswordSent)
            return .send(ByteBuffer(string: SMTPClientAuthentication.response(credentials.password)))
        }
    }

    /// Ends the session with `error`, carrying the results already settled.
    /// A transaction whose results are all known (only its `RSET` was
    /// outstanding) completes instead of failing.
    private mutating func fail(_ error: DeliveryError) -> Action {
        defer { state = .closed }
        switch state {
        case .resettingAfterTransaction(let results):
            return .completeAndClose(.transaction(results))
        case .inTransaction(let transaction):
            return .fail(error.settling(transaction.settledResults()))
        default:
            return .fail(error)
        }
    }
}
