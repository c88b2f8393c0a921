import Envelope

/// What became of one recipient of an `OutboundTransaction`.
///
/// The reply is the one that decided: the `MAIL FROM` reply when the sender
/// was refused, the `RCPT TO` reply when the recipient was, the `DATA`
/// reply when the data was refused before it was sent, else the reply after
/// the data (in LMTP, this recipient's own reply).
public struct RecipientResult: Hashable, Sendable {
    /// What happened.
    public enum Outcome: Hashable, Sendable {
        /// The server took responsibility for the message (a 2xx reply).
        case delivered
        /// Refused for now (a 4xx reply, or anything but 2xx and 5xx): retry later.
        case temporaryFailure
        /// Refused for good (a 5xx reply).
        case permanentFailure
    }

    /// Which command the deciding reply answered, for diagnostics such as
    /// "in reply to RCPT TO command".
    public enum Stage: String, Hashable, Sendable {
        case mail = "MAIL FROM"
        case recipient = "RCPT TO"
        case data = "DATA"
        case endOfData = "end of data"
    }

    /// The recipient's index in `OutboundTransaction.recipients`.
    public let index: Int
    /// Delivered, or refused for now or for good.
    public let outcome: Outcome
    /// The server's reply that decided the outcome.
    public let reply: SMTPReply
    /// Which command `reply` answered.
    public let stage: Stage
    /// The reply's enhanced status, or `2.0.0`, `4.0.0` or `5.0.0` by the outcome when it had none.
    public let enhancedStatus: EnhancedStatus
    /// Whether the server announced `DSN`, so that DSN duties passed on with
    /// the message (`NOTIFY`, `ORCPT`, `RET` and `ENVID` were sent as far as
    /// they were set). When false, a delivered recipient that asked for
    /// success notices gets a `relayed` DSN (RFC 3461 §6.2.1).
    public let dsnPassedOn: Bool
    /// The server, as `name[address]:port`, for `Remote-MTA` and logs.
    public let remoteHost: String

    /// A result; the outcome and the status follow from `reply`.
    public init(
        index: Int, reply: SMTPReply, stage: Stage, dsnPassedOn: Bool, remoteHost: String
    ) {
        self.index = index
        self.reply = reply
        self.stage = stage
        self.dsnPassedOn = dsnPassedOn
        self.remoteHost = remoteHost
        if reply.isPositiveCompletion {
            outcome = .delivered
            enhancedStatus = reply.status ?? .ok
        } else if reply.isPermanentNegative {
            outcome = .permanentFailure
            enhancedStatus = reply.status ?? .permanentFailure
        } else {
            outcome = .temporaryFailure
            enhancedStatus = reply.status ?? EnhancedStatus(4, 0, 0)
        }
    }
}
