import Envelope
import Testing

@Suite("DSNReturn")
struct DSNReturnTests {
    @Test(
        "parses FULL and HDRS in any case",
        arguments: [("FULL", DSNReturn.full), ("full", .full), ("Full", .full), ("HDRS", .headers), ("hdrs", .headers)])
    func parses(value: String, expected: DSNReturn) throws {
        #expect(try DSNReturn.parse(value[...]) == expected)
    }

    @Test(
        "refuses anything else",
        arguments: ["", "HEADERS", "FULL ", " FULL", "FUL", "HDRS,FULL", "NONE", "FULL\r\n", "HDRſ", "ＦＵＬＬ"])
    func refuses(value: String) {
        #expect(throws: DSNParameterError.self) { try DSNReturn.parse(value[...]) }
        do {
            _ = try DSNReturn.parse(value[...])
        } catch {
            #expect(error.parameter == .ret)
            #expect(error.description.hasPrefix("Invalid RET: "))
        }
    }

    @Test("writes FULL and HDRS and reads them back", arguments: [DSNReturn.full, .headers])
    func roundTrip(ret: DSNReturn) throws {
        #expect(try DSNReturn.parse(ret.parameterValue[...]) == ret)
        #expect(ret.parameterValue == (ret == .full ? "FULL" : "HDRS"))
    }
}
