import Envelope
import NIOCore

/// One mail transaction on an established session, as a pure state
/// machine: `MAIL FROM`, `RCPT TO` for each recipient, `DATA`, the message,
/// and the reply (SMTP) or replies (LMTP, one per accepted recipient)
/// after it.
///
/// With `PIPELINING` (RFC 2920) `MAIL`, every `RCPT` and `DATA` go out in
/// one write and the replies are read in order; without it each command
/// waits for the previous reply. Either way the replies are matched to the
/// commands one by one:
///
///     C: MAIL FROM:<a@example.com>  RCPT TO:<b@example.org>  RCPT TO:<c@example.org>  DATA
///     S: 250 2.1.0 Ok               250 2.1.5 Ok             550 5.1.1 No such user   354 Go ahead
///     C: <message> CRLF . CRLF
///     S: 250 2.0.0 Queued           (LMTP: one reply for b)
///
/// Once `DATA` can no longer be sent usefully (no recipient accepted, or
/// `DATA` refused) while the server holds an open transaction, the
/// transaction ends with `RSET` so the connection can carry the next one.
/// When a pipelined `DATA` is answered with `354` although no recipient was
/// accepted, only the terminating `.` is sent (RFC 2920 §3.1).
struct SMTPClientTransaction {
    /// What the session should do after a reply.
    enum Next: Equatable {
        /// Write these command bytes, then wait for the next reply.
        case send(ByteBuffer)
        /// Write the encoded message, then wait for the next reply.
        case sendMessage(ByteBuffer)
        /// Wait for the next reply.
        case awaitReply
        /// Every recipient has its result; `reset` says whether `RSET` must
        /// end the server's open transaction first.
        case finished([RecipientResult], reset: Bool)
    }

    private enum Step: Equatable {
        case mail
        case recipient(Int)
        case data
        case message
        case discardingData
    }

    private let transaction: OutboundTransaction
    private let capabilities: SMTPServerCapabilities
    private let mode: SMTPClientMode
    private let remoteHost: String
    let isPipelined: Bool
    private var step = Step.mail
    private var mailReply: SMTPReply?
    private var recipientReplies: [SMTPReply] = []
    private var dataReply: SMTPReply?
    private var messageReplies: [SMTPReply] = []

    init(_ transaction: OutboundTransaction, capabilities: SMTPServerCapabilities, mode: SMTPClientMode, remoteHost: String) {
        self.transaction = transaction
        self.capabilities = capabilities
        self.mode = mode
        self.remoteHost = remoteHost
        self.isPipelined = capabilities.pipelining
    }

    /// The first write: `MAIL` alone, or with `PIPELINING` `MAIL`, all `RCPT`s and `DATA`.
    func start() -> ByteBuffer {
        var commands = ByteBuffer()
        commands.reserveCapacity(isPipelined ? 128 + 96 * transaction.recipients.count : 128)
        SMTPClientCommand.writeMail(transaction, capabilities: capabilities, to: &commands)
        if isPipelined {
            for recipient in transaction.recipients {
                SMTPClientCommand.writeRecipient(recipient, capabilities: capabilities, to: &commands)
            }
            commands.writeString(SMTPClientCommand.data)
        }
        return commands
    }

    /// `RCPT TO` for the recipient at `index`, alone.
    private func recipientCommand(_ index: Int) -> ByteBuffer {
        var command = ByteBuffer()
        SMTPClientCommand.writeRecipient(transaction.recipients[index], capabilities: capabilities, to: &command)
        return command
    }

    /// What the reply being waited for answers, which picks its time-out.
    var awaitedPhase: SMTPClientTimeouts.Phase {
        switch step {
        case .mail: .mail
        case .recipient: .recipient
        case .data: .data
        case .message, .discardingData: .dataEnd
        }
    }

    /// Whether the message has been sent and its reply is awaited.
    var isAwaitingMessageReply: Bool { step == .message }

    private var mailAccepted: Bool { mailReply?.isPositiveCompletion ?? false }

    /// The recipients accepted so far, by index.
    private var accepted: [Int] {
        guard mailAccepted else { return [] }
        return recipientReplies.indices.filter { recipientReplies[$0].isPositiveCompletion }
    }

    /// Takes the reply to the command being waited for.
    mutating func receive(_ reply: SMTPReply) -> Next {
        switch step {
        case .mail:
            mailReply = reply
            if isPipelined {
                step = .recipient(0)
                return .awaitReply
            }
            guard reply.isPositiveCompletion else { return .finished(settledResults(), reset: false) }
            step = .recipient(0)
            return .send(recipientCommand(0))

        case .recipient(let index):
            recipientReplies.append(reply)
            let next = index + 1
            if next < transaction.recipients.count {
                step = .recipient(next)
                if isPipelined { return .awaitReply }
                return .send(recipientCommand(next))
            }
            step = .data
            if isPipelined { return .awaitReply }
            guard !accepted.isEmpty else { return .finished(settledResults(), reset: true) }
            return .send(ByteBuffer(string: SMTPClientCommand.data))

        case .data:
            dataReply = reply
            guard reply.code == 354 else { return .finished(settledResults(), reset: mailAccepted) }
            if accepted.isEmpty {
                step = .discardingData
                return .sendMessage(ByteBuffer(string: ".\r\n"))
            }
            step = .message
            return .sendMessage(transaction.wireBody)

        case .message:
            messageReplies.append(reply)
            if mode == .lmtp && messageReplies.count < accepted.count { return .awaitReply }
            return .finished(settledResults(), reset: false)

        case .discardingData:
            return .finished(settledResults(), reset: false)
        }
    }

    /// The server said `421` and is closing: that reply stands for every
    /// reply still outstanding, and every recipient gets a result.
    mutating func close(with reply: SMTPReply) -> [RecipientResult] {
        while !isComplete {
            if case .finished = receive(reply) { break }
        }
        return settledResults()
    }

    private var isComplete: Bool { settledResults().count == transaction.recipients.count }

    /// The results known so far; those of recipients still waiting for a reply are left out.
    func settledResults() -> [RecipientResult] {
        transaction.recipients.indices.compactMap(result(for:))
    }

    private func result(for index: Int) -> RecipientResult? {
        func make(_ reply: SMTPReply, _ stage: RecipientResult.Stage) -> RecipientResult {
            RecipientResult(index: index, reply: reply, stage: stage, dsnPassedOn: capabilities.dsn, remoteHost: remoteHost)
        }
        guard let mailReply else { return nil }
        guard mailReply.isPositiveCompletion else { return make(mailReply, .mail) }
        guard index < recipientReplies.count else { return nil }
        guard recipientReplies[index].isPositiveCompletion else { return make(recipientReplies[index], .recipient) }
        guard let dataReply else { return nil }
        guard dataReply.code == 354 else { return make(dataReply, .data) }
        switch mode {
        case .smtp:
            return messageReplies.first.map { make($0, .endOfData) }
        case .lmtp:
            guard let position = accepted.firstIndex(of: index), position < messageReplies.count else { return nil }
            return make(messageReplies[position], .endOfData)
        }
    }
}
