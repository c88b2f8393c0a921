/// Keywords are ASCII and compare case-insensitively in ASCII only, so that
/// `SUCCEß` or `faılure` do not pass for `SUCCESS` or `FAILURE` through
/// Unicode case mapping.
private func asciiUppercased(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
}

// MARK: - NOTIFY (RFC 3461 §4.1)
//
//     notify-esmtp-value  = "NEVER" / 1#notify-list-element
//     notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"

extension DSNNotify {
    /// Parses the value of `NOTIFY=`: `NEVER`, or a comma-separated list of
    /// `SUCCESS`, `FAILURE` and `DELAY` in any order and any case.
    ///
    ///     RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE
    ///
    /// - Throws: `DSNParameterError` for an empty value or list element, an
    ///   unknown keyword, a repeated keyword, or `NEVER` with anything else.
    public static func parse(_ value: Substring) throws(DSNParameterError) -> DSNNotify {
        guard !value.isEmpty else { throw DSNParameterError.empty.attributed(to: .notify) }
        var result: DSNNotify = []
        var sawNever = false
        var offset = 0
        for element in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            defer { offset += element.count + 1 }
            let keyword = asciiUppercased(element)
            let flag: DSNNotify
            switch keyword {
            case "NEVER":
                guard !sawNever else { throw DSNParameterError.duplicateKeyword(at: offset).attributed(to: .notify) }
                sawNever = true
                continue
            case "SUCCESS": flag = .success
            case "FAILURE": flag = .failure
            case "DELAY": flag = .delay
            default: throw DSNParameterError.unknownKeyword(at: offset).attributed(to: .notify)
            }
            guard !result.contains(flag) else {
                throw DSNParameterError.duplicateKeyword(at: offset).attributed(to: .notify)
            }
            result.insert(flag)
        }
        if sawNever, !result.isEmpty { throw DSNParameterError.neverCombined.attributed(to: .notify) }
        return result
    }

    /// The value for `NOTIFY=`: `NEVER` for the empty set, else the members
    /// in the order `SUCCESS,FAILURE,DELAY`.
    public var parameterValue: String {
        let names = [(DSNNotify.success, "SUCCESS"), (.failure, "FAILURE"), (.delay, "DELAY")]
            .filter { contains($0.0) }
            .map(\.1)
        return names.isEmpty ? "NEVER" : names.joined(separator: ",")
    }
}

// MARK: - RET (RFC 3461 §4.3)
//
//     ret-value = "FULL" / "HDRS"

extension DSNReturn {
    /// Parses the value of `RET=`, `FULL` or `HDRS` in any case.
    ///
    ///     MAIL FROM:<alice@example.com> RET=HDRS
    ///
    /// - Throws: `DSNParameterError` for anything else.
    public static func parse(_ value: Substring) throws(DSNParameterError) -> DSNReturn {
        switch asciiUppercased(value.utf8) {
        case "FULL": return .full
        case "HDRS": return .headers
        case "": throw DSNParameterError.empty.attributed(to: .ret)
        default: throw DSNParameterError.unknownKeyword(at: 0).attributed(to: .ret)
        }
    }

    /// The value for `RET=`: `FULL` or `HDRS`.
    public var parameterValue: String {
        switch self {
        case .full: "FULL"
        case .headers: "HDRS"
        }
    }
}

// MARK: - ORCPT (RFC 3461 §4.2, RFC 6533 §3)
//
//     orcpt-parameter            = "ORCPT=" original-recipient-address
//     original-recipient-address = addr-type ";" xtext
//     addr-type                  = atom
//
//     utf-8-type-addr     = "utf-8;" utf-8-enc-addr
//     utf-8-addr-xtext    = 1*(QCHAR / EmbeddedUnicodeChar)
//     utf-8-addr-unitext  = 1*(QUCHAR / EmbeddedUnicodeChar)
//     EmbeddedUnicodeChar = %x5C.78 "{" HEXPOINT "}"

extension OriginalRecipient {
    /// The longest `ORCPT` value accepted, in octets as received.
    public static let maximumParameterLength = 500

    /// Parses the value of `ORCPT=`: an address type, `;`, and the encoded address.
    ///
    /// For every address type but `utf-8` the address is xtext (see `XText`)
    /// and must decode to printable US-ASCII (0x20–0x7E), as RFC 3461 §4.2
    /// requires.
    ///
    /// For `utf-8` (RFC 6533 §3) the address is read leniently as any of
    /// its three forms: ASCII printable characters stand for themselves,
    /// `\x{HEX}` (two to six hex digits, either case) stands for a Unicode
    /// scalar other than NUL, and non-ASCII UTF-8 characters stand for
    /// themselves (the `utf-8-addr-unitext` form, meant for `SMTPUTF8`
    /// sessions). There is no `+XX` decoding in this type, so a raw `+` is
    /// itself. Raw controls, spaces, `=` and a lone `\` are refused.
    ///
    ///     ORCPT=rfc822;bob+2Bsmtp@example.org
    ///     ORCPT=utf-8;j\x{F6}rg@example.org
    ///
    /// The address type keeps the client's case; the value is limited to
    /// `maximumParameterLength` octets.
    ///
    /// - Throws: `DSNParameterError`.
    public static func parse(_ value: Substring) throws(DSNParameterError) -> OriginalRecipient {
        guard !value.isEmpty else { throw DSNParameterError.empty.attributed(to: .orcpt) }
        guard value.utf8.count <= maximumParameterLength else {
            throw DSNParameterError.tooLong(limit: maximumParameterLength).attributed(to: .orcpt)
        }
        guard let semicolon = value.firstIndex(of: ";") else {
            throw DSNParameterError.missingSemicolon.attributed(to: .orcpt)
        }
        let addressType = value[..<semicolon]
        guard !addressType.isEmpty, addressType.utf8.allSatisfy(MailboxScanner.isAtext) else {
            throw DSNParameterError.badAddressType.attributed(to: .orcpt)
        }
        let encoded = value[value.index(after: semicolon)...]
        let typeOffset = addressType.utf8.count + 1
        guard !encoded.isEmpty else { throw DSNParameterError.empty.attributed(to: .orcpt) }
        let address: String
        do throws(DSNParameterError) {
            if addressType.lowercased() == "utf-8" {
                address = try decodeUTF8Address(encoded)
            } else {
                address = try XText.decode(encoded)
                guard address.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                    throw DSNParameterError.notPrintableASCII
                }
            }
        } catch {
            throw error.shifted(by: typeOffset).attributed(to: .orcpt)
        }
        return OriginalRecipient(addressType: String(addressType), address: address)
    }

    /// The value for `ORCPT=`, re-encoded: xtext for most types, the 7-bit
    /// `utf-8-addr-xtext` form (every character outside `QCHAR` as `\x{HEX}`)
    /// for `utf-8`, so the value is safe with or without `SMTPUTF8`.
    ///
    ///     rfc822;bob+2Bsmtp@example.org
    ///     utf-8;j\x{F6}rg@example.org
    public var parameterValue: String {
        if addressType.lowercased() == "utf-8" {
            return addressType + ";" + Self.encodeUTF8Address(address)
        }
        return addressType + ";" + XText.encode(address)
    }

    /// `QCHAR = %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e`: printable ASCII but `+`, `=` and `\`.
    private static func isQChar(_ value: UInt32) -> Bool {
        (0x21...0x7E).contains(value) && value != 0x2B && value != 0x3D && value != 0x5C
    }

    private static func encodeUTF8Address(_ address: String) -> String {
        var out = ""
        for scalar in address.unicodeScalars {
            if isQChar(scalar.value) {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x{" + (hex.count < 2 ? "0" + hex : hex) + "}"
            }
        }
        return out
    }

    private static func decodeUTF8Address(_ text: Substring) throws(DSNParameterError) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                let (scalar, length) = try embeddedUnicode(bytes, at: index)
                out.append(contentsOf: String(Character(scalar)).utf8)
                index += length
            } else if byte >= 0x80 {
                var end = index + 1
                while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
                guard let character = String(validating: bytes[index..<end], as: UTF8.self),
                    let scalar = character.unicodeScalars.first,
                    MailboxScanner.isPermittedNonASCII(scalar)
                else { throw .forbiddenCharacter(at: index) }
                out.append(contentsOf: bytes[index..<end])
                index = end
            } else if isQChar(UInt32(byte)) || byte == UInt8(ascii: "+") {
                out.append(byte)
                index += 1
            } else {
                throw .forbiddenCharacter(at: index)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `"\x{" 2*6HEXDIG "}"` naming a Unicode scalar other than NUL; returns it and the escape's length.
    private static func embeddedUnicode(
        _ bytes: [UInt8], at start: Int
    ) throws(DSNParameterError) -> (Unicode.Scalar, Int) {
        guard start + 2 < bytes.count, bytes[start + 1] == UInt8(ascii: "x"), bytes[start + 2] == UInt8(ascii: "{")
        else {
            throw .badEmbeddedUnicode(at: start)
        }
        var index = start + 3
        var value: UInt32 = 0
        while index < bytes.count, let digit = bytes[index].hexDigitValue, index - start - 3 < 6 {
            value = value << 4 | UInt32(digit)
            index += 1
        }
        let digits = index - start - 3
        guard (2...6).contains(digits), index < bytes.count, bytes[index] == UInt8(ascii: "}"),
            value != 0, let scalar = Unicode.Scalar(value)
        else { throw .badEmbeddedUnicode(at: start) }
        return (scalar, index + 1 - start)
    }
}
