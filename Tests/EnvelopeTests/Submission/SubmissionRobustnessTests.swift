import Foundation
@testable import Envelope
import Testing
import TestSupport

/// Random and hostile input to the enqueuer's parsers: each either gives a
/// value or a `SubmissionError`, and never traps.
@Suite("Submission robustness")
struct SubmissionRobustnessTests {
    static let alphabet = Array("abc@<>\"(),;:.\\ \t\r\n-=xyzNRVftio".utf8)

    @Test("random text through AddressList, SubmittedMessage and SendmailSubmission")
    func randomMessages() {
        var random = SeededGenerator(seed: 0x5E4D)
        let context = SendmailSubmission.Context(user: "u", hostname: "h.example", now: Date(timeIntervalSince1970: 0), uniqueID: MessageID(time: 1, salt: 1))
        for round in 0..<2_000 {
            let length = Int.random(in: 0...120, using: &random)
            let bytes = round.isMultiple(of: 2)
                ? random.bytes(length)
                : (0..<length).map { _ in Self.alphabet.randomElement(using: &random)! }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? AddressList.parse(text)
            let message = SubmittedMessage(input: bytes, ignoreDots: round.isMultiple(of: 3))
            #expect(message.bytes.count >= 2)
            var options = SendmailOptions()
            options.recipientsFromHeaders = true
            options.recipients = [MailAddress(localPart: "r", domain: "example.com")]
            options.fullName = text
            do {
                _ = try SendmailSubmission(options: options, input: bytes, context: context)
            } catch {
                #expect(error.code == .dataError, "only a bad address in a random To/Cc/Bcc may refuse it")
            }
        }
    }

    @Test("random argument vectors through SendmailOptions.parse")
    func randomArguments() {
        var random = SeededGenerator(seed: 0xA4C5)
        let words = ["-t", "-i", "-oi", "-f", "-F", "-N", "-R", "-V", "-b", "-bs", "-bp", "-oQ", "--", "--socket", "-", "a@b.example", "x", "",
                     "never", "hdrs", "-odq", "-X", "-fa@b", "<>", "success,delay", "\u{0}", "-vtio"]
        for _ in 0..<2_000 {
            let arguments = (0..<Int.random(in: 0...6, using: &random)).map { _ in words.randomElement(using: &random)! }
            _ = try? SendmailOptions.parse(arguments)
        }
    }
}
