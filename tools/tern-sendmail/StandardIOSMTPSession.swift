import Envelope
import Foundation
import Transport

/// `-bs`: an SMTP session on standard input and output, driven by the same
/// state machine as the daemon's listeners. The daemon judges each RCPT as it
/// comes (550 for one no rule takes, 451 when it cannot be asked), and each
/// message is handed to it at the end of DATA (or BDAT LAST) and answered 250
/// only once the daemon has committed it.
struct StandardIOSMTPSession {
    let enqueuer: Enqueuer
    let context: SendmailSubmission.Context
    private var machine: SMTPServerStateMachine
    private var input = StandardInputReader()

    init(enqueuer: Enqueuer, context: SendmailSubmission.Context) {
        self.enqueuer = enqueuer
        self.context = context
        machine = SMTPServerStateMachine(
            settings: SMTPServerSettings(hostname: context.hostname),
            facts: SMTPSessionFacts(clientAddress: "local", tls: false)
        )
    }

    /// Runs until QUIT or the end of input.
    mutating func run() {
        write(machine.greeting())
        while !machine.isClosed, let line = input.line() {
            guard perform(machine.received(line: line)) else { return }
        }
    }

    /// Carries out `action` and what follows from it; false once the session is over.
    private mutating func perform(_ action: SMTPServerStateMachine.Action) -> Bool {
        switch action {
        case .reply(let reply):
            write(reply)
        case .replyAndClose(let reply):
            write(reply)
            return false
        case .checkRecipient(let address, let parameters):
            return perform(machine.recipientChecked(rejection: verdict(on: Self.submissionRecipient(address, parameters))))
        case .receiveData(let reply):
            write(reply)
            guard let size = readData() else { return false }
            return perform(machine.dataEnded(size: size, defects: [], rejectBareLineEndings: false))
        case .receiveChunk(let size):
            guard let chunk = input.bytes(size) else { return false }
            message += chunk
            return perform(machine.chunkEnded(size: size))
        case .store(let transaction):
            let result = store(transaction)
            message = []
            return perform(machine.stored(result))
        case .startTLS, .authenticate:
            // Neither is offered on standard input: the settings disable them.
            write(.localError("Not available on standard input"))
        }
        return true
    }

    /// The message of the current transaction, CRLF line endings, dots unstuffed.
    private var message: [UInt8] = []

    /// Reads DATA up to the line with a single dot, undoing dot-stuffing; nil at end of input.
    private mutating func readData() -> Int? {
        message = []
        while let line = input.line() {
            if line == [UInt8(ascii: ".")] { return message.count }
            message += line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
            message += [13, 10]
        }
        return nil
    }

    private func store(_ transaction: SMTPTransaction) -> Result<String, SMTPStoreFailure> {
        var options = SendmailOptions()
        options.sender = transaction.sender
        options.recipients = transaction.recipients.map(\.address)
        options.ignoreDots = true
        do {
            let prepared = try SendmailSubmission(options: options, input: message, context: context)
            let recipients = transaction.recipients.map { Self.submissionRecipient($0.address, $0.parameters) }
            let id = try enqueuer.enqueue(
                recipients: recipients, sender: prepared.sender, ret: transaction.parameters.ret,
                envelopeID: transaction.parameters.envelopeID, message: prepared.message
            )
            return .success(id)
        } catch {
            return .failure(SMTPStoreFailure(reply: SMTPReply(code: 451, status: .temporarySystemFailure, error.message)))
        }
    }

    /// A RCPT's address and DSN parameters as the control protocol carries them.
    private static func submissionRecipient(_ address: MailAddress, _ parameters: RecipientParameters) -> Submission.Recipient {
        Submission.Recipient(
            address: address.description, notify: parameters.notify?.parameterValue,
            originalRecipient: parameters.originalRecipient.map { "\($0.addressType);\($0.address)" }
        )
    }

    /// The daemon's verdict on a recipient of the current transaction: nil when it would take it.
    private func verdict(on recipient: Submission.Recipient) -> SMTPReply? {
        do {
            try enqueuer.checkRecipient(recipient, sender: machine.currentTransaction?.sender ?? .null)
            return nil
        } catch {
            return error.code == .dataError
                ? SMTPReply(code: 550, status: .relayDenied, error.message)
                : SMTPReply(code: 451, status: .temporarySystemFailure, error.message)
        }
    }

    private func write(_ reply: SMTPReply) {
        FileHandle.standardOutput.write(Data(reply.encoded(enhancedStatusCodes: machine.enhancedStatusCodes).utf8))
    }
}
