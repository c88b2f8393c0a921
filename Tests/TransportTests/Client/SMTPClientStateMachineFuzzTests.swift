import Envelope
import NIOCore
import Testing
import TestSupport
@testable import Transport

/// A hostile or broken server must never crash the client session nor make
/// it break its own rules: random sessions of replies (well-formed, odd and
/// garbage), requests, time-outs, closes and TLS events, each action checked
/// against what the session promised.
@Suite("SMTPClientStateMachine fuzzing")
struct SMTPClientStateMachineFuzzTests {
    typealias Machine = SMTPClientStateMachine

    /// Reply lines a server might send, odd ones included; a step may also join several or cut one short.
    static let replyLines = [
        "220 mx.example.org ESMTP", "220-first", "220 2.0.0 ready for TLS", "250 ok", "250-mx.example.org",
        "250-PIPELINING", "250-SIZE 100", "250-SIZE 0", "250-SIZE x", "250-8BITMIME", "250-SMTPUTF8", "250-DSN",
        "250-ENHANCEDSTATUSCODES", "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250-AUTH=LOGIN", "250 CHUNKING",
        "250 2.1.0 sender ok", "250 2.1.5 recipient ok", "251 forwarded", "252 cannot verify", "235 2.7.0 accepted",
        "334 ", "334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", "334 =", "354 go ahead", "221 bye", "421 4.3.2 closing",
        "450 4.2.1 try later", "451 4.3.0 error", "452 4.5.3 too many recipients", "500 5.5.1 what", "501 syntax",
        "502 no", "503 5.5.1 bad sequence", "530 5.7.0 must issue STARTTLS", "535 5.7.8 bad credentials",
        "550 5.1.1 no such user", "552 5.3.4 too big", "554 5.7.1 rejected", "555 parameters", "199 odd",
        "600 beyond", "25", "2500 x", "250", "250-", "250 \u{7F}\u{1}", "abc", "", " 250 ok", "250\tok",
        "250 " + String(repeating: "x", count: 600), "250-\u{FF}\u{FE}", "250 2.9.9999 odd status", "550 5.1 short",
    ]

    static let recipients = ["a@b.example", "c@d.example", "e@f.example", "x@y.example"]

    /// One event for the machine.
    enum Event: Equatable {
        case line(String), start(recipients: Int, eightBit: Bool), reset, quit, timeout, close, ioFailure, tlsFailure, tlsStarted, dataBeforeTLS
    }

    /// What the session promised so far, to check each action against.
    struct Model {
        var closed = false
        /// Recipients of the transaction the machine took on, until it completes or fails.
        var transactionRecipients: Int?
        /// Transactions that completed with results, across sessions: proof the sessions got that far.
        var completedTransactions = 0
    }

    static func configuration(using generator: inout SeededGenerator) -> Machine.Configuration {
        let mode: SMTPClientMode = Bool.random(using: &generator) ? .smtp : .lmtp
        let tls: SMTPClientTLSPolicy = [.none, .opportunistic, .required, .implicit(nil)].randomElement(using: &generator) ?? .none
        let credentials = Bool.random(using: &generator)
            ? SMTPClientCredentials(username: "user", password: "secret", allowsPlaintext: Bool.random(using: &generator))
            : nil
        return .init(heloName: "client.example.com", mode: mode, tls: tls, credentials: credentials, remoteHost: "mx[192.0.2.1]:25")
    }

    /// Any event, most of them unexpected where they come.
    static func randomEvents(using generator: inout SeededGenerator) -> [Event] {
        switch Int.random(in: 0..<12, using: &generator) {
        case 0, 1, 2: return [.line(replyLines.randomElement(using: &generator) ?? "")]
        case 3:
            let text = (0..<Int.random(in: 2...4, using: &generator))
                .map { _ in replyLines.randomElement(using: &generator) ?? "" }.joined(separator: "\r\n")
            return [.line(String(text.prefix(Int.random(in: 0...text.count, using: &generator))))]
        case 4:
            let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            return [.line(String(decoding: bytes, as: UTF8.self))]
        case 5: return [.start(recipients: Int.random(in: 1...recipients.count, using: &generator), eightBit: Bool.random(using: &generator))]
        case 6: return [[.reset, .quit, .timeout].randomElement(using: &generator) ?? .reset]
        case 7: return [[.close, .ioFailure, .tlsFailure].randomElement(using: &generator) ?? .close]
        default: return [[.tlsStarted, .dataBeforeTLS, .line("250 ok"), .line("354 go")].randomElement(using: &generator) ?? .tlsStarted]
        }
    }

    /// The events a willing server would produce next, so that sessions get deep enough for the random ones to matter.
    static func cooperativeEvents(for machine: Machine, using generator: inout SeededGenerator) -> [Event] {
        switch machine.awaitedPhase {
        case .greeting: return [.line("220 mx.example.org ESMTP")]
        case .idle: return [.start(recipients: Int.random(in: 1...recipients.count, using: &generator), eightBit: Bool.random(using: &generator))]
        case .mail, .recipient, .dataEnd: return [.line(["250 2.0.0 ok", "250 ok", "550 5.1.1 no", "452 4.5.3 full"].randomElement(using: &generator) ?? "250 ok")]
        case .data: return [.line(Bool.random(using: &generator) ? "354 go ahead" : "554 no data")]
        case .dataBlock: return [.line("250 ok")]
        case nil: return [.quit]
        case .command:
            switch machine.stateName {
            case "EHLO", "LHLO":
                var lines = ["250-mx.example.org", "250-PIPELINING", "250-8BITMIME", "250-SMTPUTF8", "250-DSN", "250-AUTH PLAIN LOGIN"]
                if Bool.random(using: &generator) { lines.append("250-STARTTLS") }
                if Bool.random(using: &generator) { lines.append("250-SIZE 1000000") }
                return lines.map(Event.line) + [.line("250 ENHANCEDSTATUSCODES")]
            case "STARTTLS": return [.line("220 2.0.0 ready")]
            case "TLS handshake": return [.tlsStarted]
            case "AUTH": return [.line(["334 ", "334 VXNlcm5hbWU6", "235 2.7.0 ok"].randomElement(using: &generator) ?? "235 ok")]
            case "QUIT": return [.line("221 bye")]
            default: return [.line("250 ok")]
            }
        }
    }

    /// Runs one random session of `length` steps, checking every action.
    static func runSession(seed: UInt64, length: Int, model: inout Model) {
        var generator = SeededGenerator(seed: seed)
        let configuration = configuration(using: &generator)
        var machine = Machine(configuration: configuration)
        model.closed = false
        model.transactionRecipients = nil
        for _ in 0..<length {
            let events = Int.random(in: 0..<3, using: &generator) == 0
                ? randomEvents(using: &generator) : cooperativeEvents(for: machine, using: &generator)
            for event in events {
                let wasClosed = model.closed
                let action = apply(event, to: &machine)
                check(action, after: event, wasClosed: wasClosed, configuration: configuration, model: &model, seed: seed)
                if model.closed {
                    #expect(machine.awaitedPhase == nil, "seed \(seed): closed but awaiting \(String(describing: machine.awaitedPhase))")
                    #expect(!machine.isReusable, "seed \(seed): closed but reusable")
                }
                if machine.isReusable { #expect(model.transactionRecipients == nil, "seed \(seed): idle with a transaction open") }
            }
        }
    }

    static func apply(_ event: Event, to machine: inout Machine) -> Machine.Action {
        switch event {
        case .line(let text): machine.receivedLine(Substring(text))
        case .start(let count, let eightBit):
            machine.startTransaction(ClientScript.transaction(
                Array(recipients.prefix(count)),
                body: eightBit ? "Subject: \u{E9}\r\n\r\n8bit\r\n" : "Subject: t\r\n\r\n.dot\r\nbody\r\n",
                envelopeID: eightBit ? nil : "env-1", notify: eightBit ? nil : .failure))
        case .reset: machine.reset()
        case .quit: machine.quit()
        case .timeout: machine.timedOut()
        case .close: machine.connectionClosed()
        case .ioFailure: machine.connectionFailed(.io("reset by peer"))
        case .tlsFailure: machine.connectionFailed(.tls("handshake failed"))
        case .tlsStarted: machine.tlsStarted()
        case .dataBeforeTLS: machine.receivedDataBeforeTLS()
        }
    }

    static func check(
        _ action: Machine.Action, after event: Event, wasClosed: Bool, configuration: Machine.Configuration, model: inout Model,
        seed: UInt64
    ) {
        let context = "seed \(seed), \(event) → \(action.testDescription)"
        var startedRecipients: Int?
        if case .start(let count, _) = event { startedRecipients = count }
        if wasClosed, startedRecipients == nil, ![.reset, .quit].contains(event) {
            #expect(action == .none, "\(context): a closed session acted")
        }
        switch action {
        case .none, .rejectRequest:
            break
        case .send(let bytes):
            let text = String(buffer: bytes)
            #expect(text.hasSuffix("\r\n") && !text.contains("\0"), "\(context): command not CRLF-terminated text")
            if let count = startedRecipients { model.transactionRecipients = count }
        case .sendMessage(let bytes):
            let message = String(buffer: bytes)
            #expect(message == ".\r\n" || message.hasSuffix("\r\n.\r\n"), "\(context): message without its terminating dot")
        case .startTLS:
            #expect(configuration.tls.usesSTARTTLS, "\(context): STARTTLS under policy \(configuration.tls)")
        case .complete(let completion), .completeAndClose(let completion):
            if case .transaction(let results) = completion {
                let expected = model.transactionRecipients ?? startedRecipients
                #expect(results.count == expected, "\(context): \(results.count) results for \(String(describing: expected)) recipients")
                model.transactionRecipients = nil
                model.completedTransactions += 1
            }
            if case .completeAndClose = action { model.closed = true }
            if case .quit = completion { model.closed = true }
        case .fail:
            model.closed = true
            model.transactionRecipients = nil
        }
    }

    @Test("random sessions never crash and keep the session's promises")
    func randomSessions() {
        var model = Model()
        for seed in UInt64(1)...3000 {
            Self.runSession(seed: seed, length: 60, model: &model)
        }
        #expect(model.completedTransactions > 400, "only \(model.completedTransactions) transactions completed: the sessions stay too shallow")
    }
}
