import Envelope
import Testing

private func notifyError(_ value: String) -> DSNParameterError? {
    do {
        _ = try DSNNotify.parse(value[...])
        return nil
    } catch {
        return error
    }
}

private let parseFixtures: [(String, DSNNotify)] = [
    ("NEVER", DSNNotify.never),
    ("never", []),
    ("SUCCESS", .success),
    ("FAILURE", .failure),
    ("DELAY", .delay),
    ("success,failure", [.success, .failure]),
    ("FAILURE,SUCCESS", [.success, .failure]),
    ("DELAY,SUCCESS,FAILURE", [.success, .failure, .delay]),
    ("Failure,Delay", [.failure, .delay]),
]

private let valueFixtures: [(DSNNotify, String)] = [
    (DSNNotify.never, "NEVER"),
    (.success, "SUCCESS"),
    (.delay, "DELAY"),
    ([.failure, .success], "SUCCESS,FAILURE"),
    ([.delay, .failure], "FAILURE,DELAY"),
    ([.success, .failure, .delay], "SUCCESS,FAILURE,DELAY"),
]

@Suite("DSNNotify")
struct DSNNotifyTests {
    @Test(
        "parses NEVER or a list of SUCCESS, FAILURE and DELAY in any case and order",
        arguments: parseFixtures)
    func parses(value: String, expected: DSNNotify) throws {
        #expect(try DSNNotify.parse(value[...]) == expected)
    }

    @Test(
        "refuses empty, unknown, repeated and NEVER-combined values",
        arguments: [
            ("", nil as Int?), ("NEVER,SUCCESS", nil), ("SUCCESS,NEVER", nil), ("DELAY,NEVER,FAILURE", nil),
            ("SUCCESS,SUCCESS", 8), ("NEVER,NEVER", 6), ("FAILURE,DELAY,FAILURE", 14), ("SUCCESS,", 8),
            (",SUCCESS", 0), ("SUCCESS,,FAILURE", 8), ("SUCCES", 0), ("ALWAYS", 0), ("SUCCESS FAILURE", 0),
            ("SUCCESS;FAILURE", 0), (" SUCCESS", 0), ("SUCCESS ", 0), ("SUCCESS,FAILURE\r\n", 8),
            ("SUCCEß", 0), ("SUCCESS,faılure", 8),
        ])
    func refuses(value: String, offset: Int?) {
        let error = notifyError(value)
        #expect(error != nil)
        #expect(error?.offset == offset)
        #expect(error?.parameter == .notify)
        #expect(error?.replyCode == 501)
        #expect(error?.enhancedStatus == EnhancedStatus(5, 5, 4))
        #expect(error?.description.hasPrefix("Invalid NOTIFY: ") == true)
    }

    @Test("says NEVER cannot be combined")
    func neverCombinedReason() {
        #expect(notifyError("NEVER,DELAY")?.description == "Invalid NOTIFY: NEVER cannot be combined with other values")
        #expect(
            notifyError("NEVER,DELAY")?.reply.encoded(enhancedStatusCodes: true)
                == "501 5.5.4 Invalid NOTIFY: NEVER cannot be combined with other values\r\n")
    }

    @Test(
        "writes NEVER or the members in a fixed order",
        arguments: valueFixtures)
    func parameterValue(notify: DSNNotify, expected: String) {
        #expect(notify.parameterValue == expected)
    }

    @Test("round-trips every subset", arguments: 0..<8)
    func roundTrip(rawValue: Int) throws {
        let notify = DSNNotify(rawValue: UInt8(rawValue))
        #expect(try DSNNotify.parse(notify.parameterValue[...]) == notify)
    }
}
