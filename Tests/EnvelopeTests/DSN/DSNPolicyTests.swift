import Envelope
import Foundation
import Testing

private let notifies: [DSNNotify?] = [nil, .never, [.success], [.failure], [.delay], [.success, .failure],
    [.failure, .delay], [.success, .failure, .delay]]

/// The rules of RFC 3461 §4.1 written out once more, as a table.
private func expected(_ action: DSNAction, _ notify: DSNNotify?, delayWhenAbsent: Bool) -> Bool {
    switch (action, notify) {
    case (.failed, nil): true
    case (.delayed, nil): delayWhenAbsent
    case (_, nil): false
    case (.failed, let notify?): notify.contains(.failure)
    case (.delayed, let notify?): notify.contains(.delay)
    case (_, let notify?): notify.contains(.success)
    }
}

@Suite("DSNPolicy")
struct DSNPolicyTests {
    @Test(
        "follows NOTIFY for every action",
        arguments: DSNAction.allCases, notifies)
    func matrix(action: DSNAction, notify: DSNNotify?) {
        for delayWhenAbsent in [false, true] {
            #expect(
                DSNPolicy.shouldReport(action, notify: notify, defaultDelayWhenAbsent: delayWhenAbsent, isDSN: false)
                    == expected(action, notify, delayWhenAbsent: delayWhenAbsent),
                "\(action) \(notify?.parameterValue ?? "absent") \(delayWhenAbsent)")
        }
    }

    @Test(
        "spot checks of the table",
        arguments: [
            (DSNAction.failed, nil, false, true),
            (.delayed, nil, false, false),
            (.delayed, nil, true, true),
            (.delivered, nil, true, false),
            (.failed, .never, true, false),
            (.delayed, .never, true, false),
            (.relayed, [.success], false, true),
            (.expanded, [.success], false, true),
            (.delayed, [.failure], true, false),
            (.failed, [.success, .delay], false, false),
        ] as [(DSNAction, DSNNotify?, Bool, Bool)])
    func spotChecks(action: DSNAction, notify: DSNNotify?, delayWhenAbsent: Bool, report: Bool) {
        #expect(
            DSNPolicy.shouldReport(action, notify: notify, defaultDelayWhenAbsent: delayWhenAbsent, isDSN: false)
                == report)
    }

    @Test("a message that is itself a DSN never gets one", arguments: DSNAction.allCases, notifies)
    func neverForDSNs(action: DSNAction, notify: DSNNotify?) {
        #expect(!DSNPolicy.shouldReport(action, notify: notify, defaultDelayWhenAbsent: true, isDSN: true))
    }

    @Test("a null sender or the isDSN flag count as a DSN", arguments: DSNAction.allCases)
    func envelopeForm(action: DSNAction) {
        let recipient = Recipient(
            address: DSNFixtures.bob, notify: [.success, .failure, .delay], nextAttempt: DSNFixtures.arrival)
        let plain = DSNFixtures.envelope()
        let bounce = DSNFixtures.envelope(sender: .null)
        let flagged = DSNFixtures.envelope(flags: [.isDSN])
        #expect(DSNPolicy.shouldReport(action, for: recipient, of: plain, defaultDelayWhenAbsent: false))
        #expect(!DSNPolicy.shouldReport(action, for: recipient, of: bounce, defaultDelayWhenAbsent: false))
        #expect(!DSNPolicy.shouldReport(action, for: recipient, of: flagged, defaultDelayWhenAbsent: false))
    }

    @Test("mail marked by a no-dsn listener is suppressed; other mail is not")
    func suppression() {
        #expect(DSNPolicy.isSuppressed(DSNFixtures.envelope(flags: [.suppressReports])))
        #expect(DSNPolicy.isSuppressed(DSNFixtures.envelope(flags: [.suppressReports, .fromLocal])))
        #expect(!DSNPolicy.isSuppressed(DSNFixtures.envelope()))
        #expect(!DSNPolicy.isSuppressed(DSNFixtures.envelope(flags: [.isDSN, .fromLocal])))
    }

    @Test("only a DSN of ours that is not itself a postmaster notice calls for a notice")
    func postmasterNotice() {
        #expect(DSNPolicy.needsPostmasterNotice(DSNFixtures.envelope(sender: .null, flags: [.isDSN, .fromLocal])))
        #expect(!DSNPolicy.needsPostmasterNotice(DSNFixtures.envelope(sender: .null, flags: [.isDSN, .isPostmasterNotice])))
        #expect(!DSNPolicy.needsPostmasterNotice(DSNFixtures.envelope(sender: .null)))
        #expect(!DSNPolicy.needsPostmasterNotice(DSNFixtures.envelope()))
    }
}
