/// The quoted-printable content transfer encoding of RFC 2045 §6.7, for
/// text that holds UTF-8 but must travel over a 7-bit path.
///
///     Der Empf=C3=A4nger ist unbekannt.
enum QuotedPrintable {
    /// The longest encoded line, soft line break included (RFC 2045 §6.7 rule 5).
    static let lineLength = 76

    /// Encodes `lines` (text without line ends) and joins them with CRLF,
    /// which stands for the text's own line breaks (RFC 2045 §6.7 rule 4).
    ///
    /// Printable ASCII but `=` stands for itself; everything else becomes
    /// `=XX` with upper-case hex (rule 1). A space or tab at the end of a
    /// line is encoded too, so that no transport can strip it (rule 3).
    /// Longer lines are broken with a soft line break, `=` at the end, never
    /// inside an `=XX` (rule 5). A multi-octet character may span a soft
    /// break; decoders join the octets again.
    static func encode(_ lines: [String]) -> String {
        var out: [UInt8] = []
        for (index, line) in lines.enumerated() {
            if index > 0 { out.append(contentsOf: [0x0D, 0x0A]) }
            let octets = Array(line.utf8)
            var column = 0
            for (position, octet) in octets.enumerated() {
                let isLast = position == octets.count - 1
                let literal = (0x21...0x7E).contains(octet) && octet != UInt8(ascii: "=")
                    || ((octet == 0x20 || octet == 0x09) && !isLast)
                let width = literal ? 1 : 3
                // Room for this octet, and for the soft break's `=` unless the line ends here.
                if column + width + (isLast ? 0 : 1) > lineLength {
                    out.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                    column = 0
                }
                if literal {
                    out.append(octet)
                } else {
                    out.append(UInt8(ascii: "="))
                    out.append(hexDigits[Int(octet >> 4)])
                    out.append(hexDigits[Int(octet & 0x0F)])
                }
                column += width
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
