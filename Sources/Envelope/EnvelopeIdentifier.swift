/// The `ENVID` parameter of `MAIL FROM` (RFC 3461 §4.4): an identifier the
/// sender chose for the transaction, returned in `Original-Envelope-Id`.
///
///     envid-parameter = "ENVID=" xtext
///
///     MAIL FROM:<alice@example.com> ENVID=QQ314159+2B1
public enum EnvelopeIdentifier {
    /// The longest identifier accepted, in characters after xtext decoding.
    public static let maximumLength = 100

    /// Decodes the value of `ENVID=`.
    ///
    /// The value must be non-empty xtext (see `XText`) decoding to at most
    /// `maximumLength` printable US-ASCII characters (0x20–0x7E), as RFC 3461
    /// §4.4 requires of an envelope identifier.
    ///
    /// - Throws: `DSNParameterError`.
    public static func parse(_ value: Substring) throws(DSNParameterError) -> String {
        guard !value.isEmpty else { throw DSNParameterError.empty.attributed(to: .envid) }
        let decoded: [UInt8]
        do throws(DSNParameterError) {
            decoded = try XText.decodeBytes(value)
        } catch {
            throw error.attributed(to: .envid)
        }
        guard decoded.count <= maximumLength else {
            throw DSNParameterError.tooLong(limit: maximumLength).attributed(to: .envid)
        }
        guard decoded.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw DSNParameterError.notPrintableASCII.attributed(to: .envid)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// The value for `ENVID=`: `identifier` as xtext.
    public static func parameterValue(_ identifier: String) -> String {
        XText.encode(identifier)
    }
}
