import Envelope
import Foundation
import Testing

private typealias F = DSNFixtures

@Suite("DSNRecipientReport")
struct DSNRecipientReportTests {
    @Test("takes a queued recipient's last attempt, with its reply from the remote host")
    func fromRemoteAttempt() {
        let orcpt = OriginalRecipient(addressType: "rfc822", address: "bob@example.org")
        let recipient = Recipient(
            address: F.bob, originalRecipient: orcpt, notify: [.failure], state: .failed, attempts: 3,
            nextAttempt: F.expiry, lastAttempt: F.lastAttempt, lastStatus: .mailboxUnknown,
            lastReply: "550 5.1.1 No such user", remoteHost: "mx.example.org")
        let report = DSNRecipientReport(recipient, action: .failed)
        #expect(
            report
                == DSNRecipientReport(
                    finalRecipient: F.bob, originalRecipient: orcpt, action: .failed, status: .mailboxUnknown,
                    remoteMTA: "mx.example.org", diagnostic: .smtp("550 5.1.1 No such user"),
                    lastAttempt: F.lastAttempt))
    }

    @Test("a reply without a remote host is this MTA's own diagnostic")
    func localDiagnostic() {
        let recipient = Recipient(
            address: F.bob, nextAttempt: F.expiry, lastReply: "Host or domain name not found")
        let report = DSNRecipientReport(recipient, action: .delayed, willRetryUntil: F.expiry)
        #expect(report.diagnostic == DSNDiagnostic(type: "X-Tern", text: "Host or domain name not found"))
        #expect(report.remoteMTA == nil)
        #expect(report.willRetryUntil == F.expiry)
    }

    @Test(
        "without a last status, the action's default",
        arguments: [
            (DSNAction.failed, "5.0.0"), (.delayed, "4.0.0"), (.delivered, "2.0.0"), (.relayed, "2.0.0"),
            (.expanded, "2.0.0"),
        ])
    func defaultStatus(action: DSNAction, status: String) {
        let report = DSNRecipientReport(Recipient(address: F.bob, nextAttempt: F.expiry), action: action)
        #expect(report.status.description == status)
        #expect(report.diagnostic == nil)
        #expect(action.isSuccess == status.hasPrefix("2"))
    }

    @Test("a reply becomes an smtp diagnostic with its lines joined")
    func replyDiagnostic() {
        let reply = SMTPReply(code: 550, status: .mailboxUnknown, lines: ["No such user", "Try again\r\nnever"])
        #expect(DSNDiagnostic.smtp(reply) == DSNDiagnostic(type: "smtp", text: "550 5.1.1 No such user Try again  never"))
    }
}
