import Envelope
import NIOCore

/// A message about to be received: its queue id and the header lines that
/// go in front of the client's data (the `Received:` trace header).
public struct PreparedMessage: Sendable {
    /// The queue id, as printed in logs and the 250 reply.
    public var id: String
    /// Bytes written to the spool before the message data.
    public var header: [UInt8]

    public init(id: String, header: [UInt8]) {
        self.id = id
        self.header = header
    }
}

/// What the SMTP session asks of the rest of the daemon: rules, storage and
/// credentials. Called on the session's event loop, except for the async
/// method, whose result the handler brings back to it.
public protocol SMTPServerDelegate: Sendable {
    /// The rules' verdict on a recipient: nil accepts it, a reply rejects it.
    func checkRecipient(_ recipient: MailAddress, parameters: RecipientParameters, sender: ReversePath, facts: SMTPSessionFacts) -> SMTPReply?

    /// Assigns the queue id and the trace header when DATA or the first BDAT begins.
    func prepareMessage(_ transaction: SMTPTransaction, facts: SMTPSessionFacts) -> PreparedMessage

    /// Stores the message durably; the future, of `eventLoop`, gives its queue
    /// id once it is committed. A future rather than an async method: the 250
    /// waits for nothing but the commit, not for a task to be scheduled.
    func store(
        _ message: PreparedMessage, transaction: SMTPTransaction, body: SpooledBody, facts: SMTPSessionFacts, eventLoop: any EventLoop
    ) -> EventLoopFuture<Result<String, SMTPStoreFailure>>

    /// Checks credentials; returns the authenticated user name, or nil.
    func authenticate(user: String, password: String) async -> String?

    /// Logs a session event (connect, reject, disconnect) in one line.
    func sessionEvent(_ event: String, facts: SMTPSessionFacts)
}
