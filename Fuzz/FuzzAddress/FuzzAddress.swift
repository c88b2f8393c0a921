import Envelope
import FuzzSupport

/// Fuzzes the path and DSN-parameter parsers of `Envelope`: the first byte
/// picks the parser (and whether UTF-8 is allowed), the rest is its input.
/// Whatever parses must print and parse back to the same value.
func fuzzAddress(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    let text = Substring(String(decoding: bytes.dropFirst(), as: UTF8.self))
    let allowUTF8 = selector & 0x80 != 0
    switch selector & 0x07 {
    case 0:
        if let address = try? MailAddress.parse(text, allowUTF8: allowUTF8) {
            precondition((try? MailAddress.parse(Substring(address.description), allowUTF8: true)) == address, "MailAddress round trip: \(address)")
        }
    case 1:
        _ = try? MailAddress.parseForwardPath(text, allowUTF8: allowUTF8)
    case 2:
        _ = try? ReversePath.parse(text, allowUTF8: allowUTF8)
    case 3:
        if let notify = try? DSNNotify.parse(text) {
            precondition((try? DSNNotify.parse(Substring(notify.parameterValue))) == notify, "NOTIFY round trip: \(notify)")
        }
    case 4:
        if let ret = try? DSNReturn.parse(text) {
            precondition((try? DSNReturn.parse(Substring(ret.parameterValue))) == ret, "RET round trip: \(ret)")
        }
    case 5:
        // Re-encoding may lengthen the value past the limit (`\x{…}`), so only shorter ones must read back.
        if let original = try? OriginalRecipient.parse(text), original.parameterValue.utf8.count <= OriginalRecipient.maximumParameterLength {
            precondition((try? OriginalRecipient.parse(Substring(original.parameterValue))) == original, "ORCPT round trip: \(original)")
        }
    case 6:
        if let decoded = try? XText.decodeBytes(text) {
            precondition((try? XText.decodeBytes(Substring(XText.encode(bytes: decoded)))) == decoded, "xtext round trip")
        }
    default:
        if let identifier = try? EnvelopeIdentifier.parse(text) {
            let again = try? EnvelopeIdentifier.parse(Substring(EnvelopeIdentifier.parameterValue(identifier)))
            precondition(again == identifier, "ENVID round trip: \(identifier)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAddressInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzAddress(Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)))
    return 0
}

@main
enum Main {
    static func main() {
        FuzzMain.run(fuzzAddressInput, replay: fuzzAddress)
    }
}
