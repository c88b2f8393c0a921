import Envelope
import Testing
import TestSupport
@testable import Transport

@Suite("MXOrdering")
struct MXOrderingTests {
    static func order(_ records: [DNSRecord], seed: UInt64 = 1) throws(DNSError) -> [MXOrdering.Exchange] {
        var generator = SeededGenerator(seed: seed)
        return try MXOrdering.order(records, domain: "example.test", using: &generator)
    }

    @Test("sorts by preference, lowest first, whatever the answer order")
    func sortsByPreference() throws {
        let exchanges = try Self.order([
            .mx(preference: 30, exchange: "c.example.test"),
            .other,
            .mx(preference: 10, exchange: "a.example.test"),
            .mx(preference: 20, exchange: "b.example.test"),
        ])
        #expect(exchanges.map(\.name) == ["a.example.test", "b.example.test", "c.example.test"])
        #expect(exchanges.map(\.preference) == [10, 20, 30])
    }

    @Test("shuffles equal preferences, keeping them between lower and higher ones")
    func shufflesEqualPreferences() throws {
        let records: [DNSRecord] = [
            .mx(preference: 20, exchange: "last.example.test"),
            .mx(preference: 10, exchange: "a.example.test"),
            .mx(preference: 10, exchange: "b.example.test"),
            .mx(preference: 10, exchange: "c.example.test"),
            .mx(preference: 0, exchange: "first.example.test"),
        ]
        var middles: Set<[String]> = []
        for seed in UInt64(0)..<40 {
            let names = try Self.order(records, seed: seed).map(\.name)
            #expect(names.first == "first.example.test")
            #expect(names.last == "last.example.test")
            middles.insert(Array(names[1...3]))
        }
        #expect(middles.count == 6, "all 3! orders of the equal-preference hosts appear")
    }

    @Test("the same generator state gives the same order")
    func repeatable() throws {
        let records: [DNSRecord] = (0..<5).map { .mx(preference: 5, exchange: "mx\($0).example.test") }
        #expect(try Self.order(records, seed: 7) == Self.order(records.reversed(), seed: 7))
    }

    @Test("a single root exchange is a null MX", arguments: [
        [DNSRecord.mx(preference: 0, exchange: "")],
        [.mx(preference: 0, exchange: ""), .mx(preference: 10, exchange: "")],
    ])
    func nullMX(_ records: [DNSRecord]) {
        #expect(throws: DNSError.nullMX("example.test")) { try Self.order(records) }
        let error = DNSError.nullMX("example.test")
        #expect(error.isPermanent)
        #expect(error.enhancedStatus == .recipientNullMX)
    }

    @Test("a root exchange beside real hosts is skipped")
    func nullBesideOthers() throws {
        let exchanges = try Self.order([
            .mx(preference: 0, exchange: ""),
            .mx(preference: 10, exchange: "mx.example.test"),
        ])
        #expect(exchanges == [MXOrdering.Exchange(name: "mx.example.test", preference: 10)])
    }

    @Test("a host listed twice is kept once at its lowest preference")
    func duplicates() throws {
        let exchanges = try Self.order([
            .mx(preference: 30, exchange: "MX.example.test"),
            .mx(preference: 20, exchange: "other.example.test"),
            .mx(preference: 10, exchange: "mx.example.test"),
        ])
        #expect(exchanges.map(\.preference) == [10, 20])
        #expect(exchanges.first?.name.lowercased() == "mx.example.test")
    }

    @Test("an answer without MX records is malformed and temporary")
    func noMXRecords() {
        let error = #expect(throws: DNSError.self) { try Self.order([.other, .address("192.0.2.1")]) }
        #expect(error?.isPermanent == false)
        #expect(error?.enhancedStatus == .directoryServerFailure)
    }
}
