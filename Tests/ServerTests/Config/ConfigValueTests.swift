import Testing

@testable import Server

@Suite("ConfigValue")
struct ConfigValueTests {
    @Test("parses durations in every unit and bare seconds", arguments: [
        ("0", Int64(0)), ("30", 30), ("30s", 30), ("5m", 300), ("4h", 14_400), ("4d", 345_600), ("1w", 604_800), ("3650d", 315_360_000),
    ])
    func durations(text: String, seconds: Int64) {
        #expect(ConfigValue.duration(text) == .success(.seconds(seconds)))
    }

    @Test("rejects malformed durations", arguments: ["", "s", "5x", "-5m", "+5m", "5 m", "5mm", "1.5h", "٣m", "0x10", "5M", "m5"])
    func malformedDurations(text: String) {
        #expect(ConfigValue.duration(text) == .failure(.malformed))
    }

    @Test("rejects durations past 3650 days or past Int64", arguments: ["3651d", "522w", "99999999999999999999s", "9223372036854775807w"])
    func largeDurations(text: String) {
        #expect(ConfigValue.duration(text) == .failure(.tooLarge))
    }

    @Test("parses sizes 1024-based in either case", arguments: [
        ("512", 512), ("64K", 65_536), ("64k", 65_536), ("35M", 36_700_160), ("1G", 1_073_741_824), ("1g", 1_073_741_824), ("0", 0),
    ])
    func sizes(text: String, bytes: Int) {
        #expect(ConfigValue.size(text) == .success(bytes))
    }

    @Test("rejects malformed sizes", arguments: ["", "K", "12Q", "1.5G", "1 G", "-1", "1KB", "1T"])
    func malformedSizes(text: String) {
        #expect(ConfigValue.size(text) == .failure(.malformed))
    }

    @Test("rejects sizes that overflow", arguments: ["9223372036854775808", "8589934592G", "9007199254740992K"])
    func largeSizes(text: String) {
        #expect(ConfigValue.size(text) == .failure(.tooLarge))
    }

    @Test("parses retry ranges", arguments: [("5m..1h", Int64(300), Int64(3600)), ("10m", 600, 600), ("1..2", 1, 2)])
    func ranges(text: String, minimum: Int64, maximum: Int64) throws {
        let range = try ConfigValue.durationRange(text).get()
        #expect(range.0 == .seconds(minimum))
        #expect(range.1 == .seconds(maximum))
    }

    @Test("rejects malformed retry ranges", arguments: ["..", "5m..", "..1h", "5m...1h", "5m..1h..2h", "5m-1h"])
    func malformedRanges(text: String) {
        #expect(throws: ConfigValue.Problem.malformed) { try ConfigValue.durationRange(text).get() }
    }

    @Test("parses rates", arguments: [("100/s", 100, DeliveryLimitsConfig.RateUnit.second), ("20/m", 20, .minute), ("5/h", 5, .hour)])
    func rates(text: String, count: Int, unit: DeliveryLimitsConfig.RateUnit) throws {
        let rate = try ConfigValue.rate(text).get()
        #expect(rate.0 == count)
        #expect(rate.1 == unit)
    }

    @Test("rejects malformed rates", arguments: ["100", "/s", "100/", "100/d", "100/s/s", "x/s"])
    func malformedRates(text: String) {
        #expect(throws: ConfigValue.Problem.malformed) { try ConfigValue.rate(text).get() }
    }

    @Test("prints durations and sizes in the largest exact unit", arguments: [
        (Int64(0), "0s"), (59, "59s"), (60, "1m"), (90, "90s"), (86_400, "1d"), (604_800, "1w"), (1_209_600, "2w"), (93_600, "26h"),
    ])
    func formatDurations(seconds: Int64, text: String) {
        #expect(ConfigValue.format(.seconds(seconds)) == text)
    }

    @Test("prints sizes in the largest exact unit", arguments: [(0, "0"), (1000, "1000"), (1024, "1K"), (36_700_160, "35M"), (17_179_869_184, "16G"), (1536, "1536")])
    func formatSizes(bytes: Int, text: String) {
        #expect(ConfigValue.format(size: bytes) == text)
    }

    @Test("recognises host names", arguments: [
        ("mx.example.com", true), ("localhost", true), ("a-b_c.example", true), ("bücher.example", true),
        ("", false), ("a..b", false), (".a", false), ("a b", false), ("a@b", false), (String(repeating: "a", count: 64), false),
    ])
    func hostNames(text: String, valid: Bool) {
        #expect(ConfigValue.isHostName(text) == valid)
    }
}
