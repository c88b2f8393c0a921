import Envelope
import NIOCore
import Testing
@testable import Transport

/// Drives an `SMTPClientStateMachine` like a server would, without sockets.
struct ClientScript {
    typealias Action = SMTPClientStateMachine.Action

    static let remoteHost = "mx.example.org[192.0.2.25]:25"

    var machine: SMTPClientStateMachine

    init(
        mode: SMTPClientMode = .smtp,
        tls: SMTPClientTLSPolicy = .none,
        credentials: SMTPClientCredentials? = nil
    ) {
        machine = SMTPClientStateMachine(
            configuration: .init(
                heloName: "client.example.com", mode: mode, tls: tls, credentials: credentials,
                remoteHost: Self.remoteHost))
    }

    /// Feeds the server's lines (separated by CRLF) and returns the actions that were not `.none`.
    @discardableResult
    mutating func server(_ text: String) -> [Action] {
        var actions: [Action] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) where !line.isEmpty {
            let action = machine.receivedLine(line)
            if action != .none { actions.append(action) }
        }
        return actions
    }

    /// Starts a transaction; returns the machine's action.
    @discardableResult
    mutating func start(_ transaction: OutboundTransaction) -> Action {
        machine.startTransaction(transaction)
    }

    /// Runs greeting and EHLO with the given extension lines; the session is then idle.
    mutating func establish(extensions: [String]) {
        #expect(server("220 mx.example.org ESMTP") == [.send("EHLO client.example.com\r\n")])
        let lines = ["mx.example.org"] + extensions
        let reply = lines.enumerated().map { "250\($0.offset == lines.count - 1 ? " " : "-")\($0.element)" }
        let actions = server(reply.joined(separator: "\r\n"))
        guard case .complete(.connected)? = actions.last else {
            Issue.record("session not established: \(actions)")
            return
        }
    }

    static func transaction(
        _ recipients: [String], body: String = "Subject: test\r\n\r\nHello\r\n", envelopeID: String? = nil,
        ret: DSNReturn? = nil, notify: DSNNotify? = nil, smtpUTF8: Bool = false
    ) -> OutboundTransaction {
        OutboundTransaction(
            sender: .mailbox(MailAddress(localPart: "alice", domain: "example.com")),
            recipients: recipients.map {
                let parts = $0.split(separator: "@")
                return OutboundRecipient(
                    address: MailAddress(localPart: String(parts[0]), domain: String(parts[1])), notify: notify,
                    originalRecipient: notify == nil ? nil : OriginalRecipient(addressType: "rfc822", address: $0))
            },
            body: Array(body.utf8), envelopeID: envelopeID, ret: ret, smtpUTF8: smtpUTF8)
    }
}

extension SMTPClientStateMachine.Action: CustomTestStringConvertible {
    /// `.send` and `.sendMessage` show their bytes as text.
    public var testDescription: String {
        switch self {
        case .send(let bytes): "send(\(String(buffer: bytes).debugDescription))"
        case .sendMessage(let bytes): "sendMessage(\(String(buffer: bytes).debugDescription))"
        default: "\(self)"
        }
    }
}

extension SMTPClientStateMachine.Action {
    /// `.send` of `text`.
    static func send(_ text: String) -> Self { .send(ByteBuffer(string: text)) }

    /// The error of `.fail` or `.rejectRequest`.
    var error: DeliveryError? {
        switch self {
        case .fail(let error), .rejectRequest(let error): error
        default: nil
        }
    }

    /// The results of a completed transaction.
    var results: [RecipientResult]? {
        switch self {
        case .complete(.transaction(let results)), .completeAndClose(.transaction(let results)): results
        default: nil
        }
    }
}
