import Envelope
import Foundation
import Transport

/// `-bs`: an SMTP session on standard input and output, driven by the same
/// state machine as the daemon's listeners. Each message is handed to the
/// daemon at the end of DATA (or BDAT LAST) and answered 250 only once the
/// daemon has committed it. Recipients are checked by the daemon then, so a
/// refused recipient fails the message with a 451 naming it.
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
        case .checkRecipient:
            return perform(machine.recipientChecked(rejection: nil))
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
            let recipients = transaction.recipients.map { entry in
                Submission.Recipient(
                    address: entry.address.description, notify: entry.parameters.notify?.parameterValue,
                    originalRecipient: entry.parameters.originalRecipient.map { "\($0.addressType);\($0.address)" }
                )
            }
            let id = try enqueuer.enqueue(
                recipients: recipients, sender: prepared.sender, ret: transaction.parameters.ret,
                envelopeID: transaction.parameters.envelopeID, message: prepared.message
            )
            return .success(id)
        } catch {
            return .failure(SMTPStoreFailure(reply: SMTPReply(code: 451, status: .temporarySystemFailure, error.message)))
        }
    }

    private func write(_ reply: SMTPReply) {
        FileHandle.standardOutput.write(Data(reply.encoded(enhancedStatusCodes: machine.enhancedStatusCodes).utf8))
    }
}
