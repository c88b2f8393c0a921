/// How long the client waits for each step (RFC 5321 §4.5.3.2).
///
/// The defaults are the RFC's minimums. The time-outs not in the RFC are
/// `connect`, `command` (for `EHLO`/`HELO`/`LHLO`, `STARTTLS` with its
/// handshake, `AUTH`, `RSET` and `QUIT`), and `idle`: how long a connection
/// waits for its next transaction before the client says `QUIT`.
public struct SMTPClientTimeouts: Hashable, Sendable {
    /// Establishing the TCP connection.
    public var connect: Duration
    /// The `220` greeting (§4.5.3.2.1: 5 minutes).
    public var greeting: Duration
    /// Each reply to a session command: `EHLO`, `STARTTLS`, `AUTH`, `RSET`, `QUIT`.
    public var command: Duration
    /// The reply to `MAIL FROM` (§4.5.3.2.2: 5 minutes).
    public var mail: Duration
    /// Each reply to `RCPT TO` (§4.5.3.2.3: 5 minutes).
    public var recipient: Duration
    /// The `354` reply to `DATA` (§4.5.3.2.4: 2 minutes).
    public var data: Duration
    /// Each block of message data being taken by the server (§4.5.3.2.5: 3 minutes).
    public var dataBlock: Duration
    /// The reply (LMTP: each reply) after the final `.` (§4.5.3.2.6: 10 minutes).
    public var dataEnd: Duration
    /// An open connection with no transaction, before the client quits.
    public var idle: Duration

    /// Time-outs; the defaults follow RFC 5321 §4.5.3.2.
    public init(
        connect: Duration = .seconds(30),
        greeting: Duration = .seconds(300),
        command: Duration = .seconds(300),
        mail: Duration = .seconds(300),
        recipient: Duration = .seconds(300),
        data: Duration = .seconds(120),
        dataBlock: Duration = .seconds(180),
        dataEnd: Duration = .seconds(600),
        idle: Duration = .seconds(60)
    ) {
        self.connect = connect
        self.greeting = greeting
        self.command = command
        self.mail = mail
        self.recipient = recipient
        self.data = data
        self.dataBlock = dataBlock
        self.dataEnd = dataEnd
        self.idle = idle
    }

    /// What the client is waiting for, which picks the time-out.
    enum Phase: String, Hashable, Sendable {
        case greeting, command, mail, recipient, data, dataBlock, dataEnd, idle
    }

    subscript(phase: Phase) -> Duration {
        switch phase {
        case .greeting: greeting
        case .command: command
        case .mail: mail
        case .recipient: recipient
        case .data: data
        case .dataBlock: dataBlock
        case .dataEnd: dataEnd
        case .idle: idle
        }
    }
}
