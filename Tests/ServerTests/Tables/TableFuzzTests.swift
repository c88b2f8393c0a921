import Envelope
import Testing
import TestSupport

@testable import Server

/// Random table files and alias graphs never crash the loader or the
/// expander: every input ends in a table, a targets list, or an error.
@Suite("Table and expansion robustness")
struct TableFuzzTests {
    static let pieces = ["a", "b", "c", "root", ":", ",", " ", "\t", "\n", "\\\n", "#", "\"", "|", "/x", ":include:/i", "@", "x@local.test", "y@else.test", "\\a", "+t", "\r\n", "é", "\u{0}"]

    @Test("random table files load or fail with an error", arguments: 0..<4)
    func tableFiles(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0..<40, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined()
            _ = try? TableLoader.parse(text, path: "fuzz", table: "t")
            _ = AliasList.items(text)
        }
    }

    @Test("random alias graphs expand or fail with an error", arguments: 0..<4)
    func aliasGraphs(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            var table: [String: String] = [:]
            for key in ["a", "b", "c", "root", "x@local.test", "@local.test"] where Bool.random(using: &random) {
                table[key] = (0..<Int.random(in: 1..<6, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined()
            }
            for mode in [RecipientExpander.Mode.alias, .virtual, .none] {
                let expander = RecipientExpander(
                    mode: mode, lookup: { .success(table[$0]) }, accountExists: { .success($0 == "a" || $0 == "b") },
                    routesHere: { $0.normalizedDomain == "local.test" }, readInclude: { _ in table["a"] }, forwardFile: { table[$0 + "@local.test"] }
                )
                for local in ["a", "b", "c", "x", "root", "postmaster"] {
                    let address = MailAddress(localPart: local, domain: "local.test")
                    _ = try? expander.check(address)
                    if let expansion = try? expander.expand(address) {
                        #expect(!expansion.targets.isEmpty)
                        #expect(Set(expansion.targets).count == expansion.targets.count)
                    }
                }
            }
        }
    }
}
