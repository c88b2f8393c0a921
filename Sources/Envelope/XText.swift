/// The xtext encoding of RFC 3461 §4, used by the `ENVID` and `ORCPT`
/// parameters:
///
///     xtext   = *( xchar / hexchar )
///     xchar   = any ASCII CHAR between "!" (33) and "~" (126) inclusive,
///               except for "+" and "="
///     hexchar = ASCII "+" immediately followed by two upper case
///               hexadecimal digits
///
/// Example: `ORCPT=rfc822;bob+2Bsmtp@example.com` carries `bob+smtp@example.com`.
///
/// Encoding writes upper-case hex as RFC 3461 requires. Decoding also accepts
/// lower-case hex digits (`+2b`), since nothing is ambiguous about them and
/// some clients send them; everything else outside the grammar is refused:
/// a `+` without two hex digits, a raw `=`, space, control or non-ASCII octet.
public enum XText {
    /// Encodes the UTF-8 octets of `text`.
    public static func encode(_ text: String) -> String {
        encode(bytes: text.utf8)
    }

    /// Encodes arbitrary octets: those outside `!`...`~`, and `+` and `=`, become `+XX`.
    public static func encode(bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            if isXchar(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "+"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes xtext into a string.
    ///
    /// - Throws: `DSNParameterError` when the text is not xtext, or when the
    ///   decoded octets are not valid UTF-8.
    public static func decode(_ text: Substring) throws(DSNParameterError) -> String {
        let bytes = try decodeBytes(text)
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return string
    }

    /// Decodes xtext into octets, which need not be UTF-8.
    ///
    /// - Throws: `DSNParameterError` when the text is not xtext.
    public static func decodeBytes(_ text: Substring) throws(DSNParameterError) -> [UInt8] {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                guard index + 2 < input.count,
                    let high = input[index + 1].hexDigitValue, let low = input[index + 2].hexDigitValue
                else { throw .badHexchar(at: index) }
                out.append(high << 4 | low)
                index += 3
            } else if isXchar(byte) {
                out.append(byte)
                index += 1
            } else {
                throw .forbiddenCharacter(at: index)
            }
        }
        return out
    }

    /// `xchar`: `!` (33) to `~` (126) except `+` and `=`.
    static func isXchar(_ byte: UInt8) -> Bool {
        (33...126).contains(byte) && byte != UInt8(ascii: "+") && byte != UInt8(ascii: "=")
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
