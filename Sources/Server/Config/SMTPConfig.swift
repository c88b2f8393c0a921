/// The `smtp` statements: the SMTP server's limits and policies, and the RFC 5321
/// timeouts of both the server and the client.
///
///     smtp max-message-size 35M
///     smtp limits recipients 1000 sessions 1000 per-client 50 errors 10 line-length 1000 command-length 512
///     smtp timeout command 5m data 10m initial 5m mail 5m rcpt 5m data-init 2m data-block 3m data-termination 10m
///     smtp reject-delay 0s
///     smtp bare-lf reject
public struct SMTPConfig: Hashable, Sendable {
    /// How DATA treats a line ending in LF without CR.
    public enum BareLineFeedPolicy: String, Hashable, Sendable, CaseIterable {
        /// Reject the message with 5xx: a bare LF is the raw material of SMTP smuggling.
        case reject
        /// Accept it and store the line with CRLF. The end of data is still only CRLF.CRLF.
        case normalize
    }

    /// Session and message limits (RFC 5321 §4.5.3.1).
    public struct Limits: Hashable, Sendable {
        /// `recipients`: RCPT commands accepted per message.
        public var recipientsPerMessage = ConfigDefaults.recipientsPerMessage
        /// `sessions`: concurrent inbound sessions.
        public var sessions = ConfigDefaults.sessions
        /// `per-client`: concurrent inbound sessions from one client address.
        public var sessionsPerClient = ConfigDefaults.sessionsPerClient
        /// `errors`: failed commands before the session is closed.
        public var errorsPerSession = ConfigDefaults.errorsPerSession
        /// `line-length`: the longest text line in DATA, CRLF included.
        public var lineLength = ConfigDefaults.lineLength
        /// `command-length`: the longest command line, CRLF included.
        public var commandLength = ConfigDefaults.commandLength

        /// The defaults of ``ConfigDefaults``.
        public init() {}
    }

    /// The timeouts of RFC 5321 §4.5.3.2: two for the server, six for the client.
    public struct Timeouts: Hashable, Sendable {
        /// `command`: server, waiting for the next command (§4.5.3.2.7).
        public var command = ConfigDefaults.commandTimeout
        /// `data`: server, waiting for the next line of DATA or the next BDAT chunk.
        public var data = ConfigDefaults.dataTimeout
        /// `initial`: client, waiting for the 220 greeting (§4.5.3.2.1).
        public var initial = ConfigDefaults.initialTimeout
        /// `mail`: client, waiting for the reply to MAIL (§4.5.3.2.2).
        public var mail = ConfigDefaults.mailTimeout
        /// `rcpt`: client, waiting for the reply to RCPT (§4.5.3.2.3).
        public var recipient = ConfigDefaults.recipientTimeout
        /// `data-init`: client, waiting for the 354 reply to DATA (§4.5.3.2.4).
        public var dataInitiation = ConfigDefaults.dataInitiationTimeout
        /// `data-block`: client, per data block sent (§4.5.3.2.5).
        public var dataBlock = ConfigDefaults.dataBlockTimeout
        /// `data-termination`: client, waiting for the reply to the final dot (§4.5.3.2.6).
        public var dataTermination = ConfigDefaults.dataTerminationTimeout

        /// The defaults of ``ConfigDefaults``.
        public init() {}
    }

    /// `max-message-size`: the largest message accepted, in bytes (announced with SIZE, RFC 1870).
    public var maxMessageSize = ConfigDefaults.maxMessageSize
    /// `limits`: session and message limits.
    public var limits = Limits()
    /// `timeout`: protocol timeouts.
    public var timeouts = Timeouts()
    /// `reject-delay`: the pause before each 5xx reply.
    public var rejectDelay = ConfigDefaults.rejectDelay
    /// `bare-lf`: the bare-LF policy in DATA.
    public var bareLineFeed = ConfigDefaults.bareLineFeed

    /// The defaults of ``ConfigDefaults``.
    public init() {}
}
