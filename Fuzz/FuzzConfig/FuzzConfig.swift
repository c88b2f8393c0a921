import FuzzSupport
import Server

/// Fuzzes the configuration lexer, parser and validator with arbitrary text:
/// `Configuration.diagnose` must return errors, never trap, and text it
/// finds valid must parse, print and parse back to an equal configuration.
func fuzzConfig(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard Configuration.diagnose(text: text, hostname: "fuzz.example").isEmpty,
        let configuration = try? Configuration.parse(text: text, hostname: "fuzz.example")
    else { return }
    let printed = configuration.effectiveDescription
    let again = try? Configuration.parse(text: printed, hostname: "fuzz.example")
    precondition(again == configuration, "printed configuration does not parse back:\n\(printed)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzConfig(Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)))
    return 0
}

@main
enum Main {
    static func main() {
        FuzzMain.run(fuzzConfigInput, replay: fuzzConfig)
    }
}
