import Envelope
import Foundation
import Transport

/// Hands submissions to the daemon over its control socket and maps every
/// failure to the `<sysexits.h>` status a sendmail caller expects.
struct Enqueuer {
    let socket: String

    /// Enqueues `submission`; returns the queue id once the daemon has committed it.
    func enqueue(_ submission: SendmailSubmission) throws(SubmissionError) -> String {
        try enqueue(
            recipients: submission.recipients.map { Submission.Recipient(address: $0.description, notify: submission.notify?.parameterValue) },
            sender: submission.sender, ret: submission.ret, envelopeID: submission.envelopeID, message: submission.message
        )
    }

    /// Enqueues a message for `recipients`; returns the queue id once the daemon has committed it.
    func enqueue(recipients: [Submission.Recipient], sender: ReversePath, ret: DSNReturn?, envelopeID: String?, message: [UInt8]) throws(SubmissionError) -> String {
        let request = Submission(
            sender: sender.address?.description ?? "", recipients: recipients, ret: ret?.parameterValue,
            envelopeID: envelopeID, user: TernSendmail.userName(), message: Data(message)
        )
        switch try send(.enqueue(request)) {
        case .enqueued(let id): return id
        case .failed(let reason): throw Self.refusal(reason)
        default: throw Self.unexpectedAnswer
        }
    }

    /// Returns once the daemon would take `recipient` from `sender`; throws its refusal otherwise.
    func checkRecipient(_ recipient: Submission.Recipient, sender: ReversePath) throws(SubmissionError) {
        switch try send(.checkRecipient(RecipientCheck(sender: sender.address?.description ?? "", recipient: recipient))) {
        case .done: return
        case .failed(let reason): throw Self.refusal(reason)
        default: throw Self.unexpectedAnswer
        }
    }

    /// Every message in the queue.
    func queue() throws(SubmissionError) -> [MessageReport] {
        switch try send(.showQueue(QueueQuery())) {
        case .queue(let messages): return messages
        case .failed(let reason): throw SubmissionError(.temporaryFailure, reason)
        default: throw Self.unexpectedAnswer
        }
    }

    private func send(_ command: ControlCommand) throws(SubmissionError) -> ControlResult {
        do {
            return try ControlClient(path: socket).send(command)
        } catch {
            switch error.code {
            case .permissionDenied: throw SubmissionError(.noPermission, error.description)
            case .notRunning, .connectionLost: throw SubmissionError(.temporaryFailure, error.description)
            case .malformedResponse: throw SubmissionError(.software, error.description)
            }
        }
    }

    /// An answer that does not fit the request: most likely a ternd of another version.
    static let unexpectedAnswer = SubmissionError(.software, "the daemon gave an unexpected answer; are tern-sendmail and ternd the same version?")

    /// A refusal by the daemon: about the sender, a recipient or the size
    /// (the message as given can never pass) is a data error; anything else
    /// (the journal failing) is temporary, as DESIGN.md makes internal errors.
    static func refusal(_ reason: String) -> SubmissionError {
        let permanent = ["sender ", "recipient ", "no recipients", "message of ", "RET "]
        return SubmissionError(permanent.contains { reason.hasPrefix($0) } ? .dataError : .temporaryFailure, "refused by ternd: \(reason)")
    }
}
