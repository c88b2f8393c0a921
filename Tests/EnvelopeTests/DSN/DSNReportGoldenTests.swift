import Envelope
import Foundation
import Testing

/// The reports compared octet for octet with the golden files in `Golden/`.
enum GoldenCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// RET=FULL, with ENVID and ORCPT: the whole message returns.
    case failedFull
    /// RET=HDRS: the header section returns.
    case failedHeaders
    /// No RET, the site default set to headers.
    case failedDefaultHeaders
    /// RET=FULL but the message is over the size limit: headers, and a note.
    case failedTooLarge
    /// A delay warning: headers only, Will-Retry-Until.
    case delayed
    /// NOTIFY=SUCCESS, delivered locally.
    case delivered
    /// NOTIFY=SUCCESS, relayed to a server without DSN.
    case relayed
    /// NOTIFY=SUCCESS, expanded by an alias.
    case expanded
    /// Failed, delayed and delivered recipients in one report.
    case mixed
    /// An SMTPUTF8 message: the global types of RFC 6533.
    case international

    var testDescription: String { rawValue }

    var report: DSNReport? {
        typealias F = DSNFixtures
        switch self {
        case .failedFull:
            let orcpt = OriginalRecipient(addressType: "rfc822", address: "Bob+Lunch@example.org")
            return F.report(
                envelope: F.envelope(envelopeID: "QQ314159+1", ret: .full),
                recipients: [F.failed(orcpt: orcpt)])
        case .failedHeaders:
            return F.report(envelope: F.envelope(ret: .headers))
        case .failedDefaultHeaders:
            return F.report(options: DSNOptions(defaultReturn: .headers, timeZone: F.utc))
        case .failedTooLarge:
            return F.report(
                envelope: F.envelope(ret: .full),
                options: DSNOptions(maximumReturnedSize: 300, timeZone: F.utc))
        case .delayed:
            return F.report(envelope: F.envelope(ret: .full), recipients: [F.delayed()])
        case .delivered:
            return F.report(recipients: [F.succeeded(.delivered)])
        case .relayed:
            return F.report(recipients: [F.succeeded(.relayed)])
        case .expanded:
            return F.report(recipients: [F.succeeded(.expanded)])
        case .mixed:
            return F.report(recipients: [F.failed(), F.delayed(), F.succeeded(.delivered, F.alice)])
        case .international:
            return F.internationalReport
        }
    }

    var golden: String {
        switch self {
        case .failedFull: DSNGolden.failedFull
        case .failedHeaders: DSNGolden.failedHeaders
        case .failedDefaultHeaders: DSNGolden.failedDefaultHeaders
        case .failedTooLarge: DSNGolden.failedTooLarge
        case .delayed: DSNGolden.delayed
        case .delivered: DSNGolden.delivered
        case .relayed: DSNGolden.relayed
        case .expanded: DSNGolden.expanded
        case .mixed: DSNGolden.mixed
        case .international: DSNGolden.international
        }
    }
}

/// The golden files: Swift string literals with LF line ends, which stand
/// for CRLF.
enum DSNGolden {}

@Suite("DSNReport golden files")
struct DSNReportGoldenTests {
    @Test("generates exactly the golden report", arguments: GoldenCase.allCases)
    func matchesGolden(_ golden: GoldenCase) throws {
        let report = try #require(golden.report)
        let message = report.message()
        let expected = DSNFixtures.crlf(golden.golden)
        if message != expected {
            // Show the first differing line rather than two long blobs.
            let got = String(decoding: message, as: UTF8.self).components(separatedBy: "\r\n")
            let want = String(decoding: expected, as: UTF8.self).components(separatedBy: "\r\n")
            let line = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(got.count, want.count)
            let gotLine = got.indices.contains(line) ? got[line] : "<end>"
            let wantLine = want.indices.contains(line) ? want[line] : "<end>"
            Issue.record("line \(line + 1): got \(gotLine), want \(wantLine)")
        }
    }

    @Test("is deterministic: the same inputs give the same octets", arguments: GoldenCase.allCases)
    func deterministic(_ golden: GoldenCase) throws {
        let first = try #require(golden.report).message()
        let second = try #require(golden.report).message()
        #expect(first == second)
    }
}
