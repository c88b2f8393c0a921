/// The addresses of an RFC 5322 address list, as found in `To:`, `Cc:` and
/// `Bcc:` headers and on a sendmail command line.
///
///     address-list = (address *("," address)) / obs-addr-list
///     address      = mailbox / group
///     mailbox      = name-addr / addr-spec
///     name-addr    = [display-name] "<" addr-spec ">"
///     group        = display-name ":" [group-list] ";" [CFWS]
///
///     Alice <alice@example.org>, "Smith, Bob" <bob@example.org> (work), carol
///
/// Display names, comments and group names are dropped. A bare local part
/// (`carol`, as sendmail accepts for local users) yields an address with an
/// empty domain, which the daemon qualifies with its host name.
public enum AddressList {
    /// The mailboxes in `text`, in order.
    ///
    /// - Throws: `SubmissionError` (`.dataError`) naming the first address
    ///   that is not a valid mailbox.
    public static func parse(_ text: some StringProtocol) throws(SubmissionError) -> [MailAddress] {
        var addresses: [MailAddress] = []
        for element in split(String(text)) {
            let spec = element.trimmingWhitespace
            guard !spec.isEmpty else { continue }
            if spec.contains("@") {
                do {
                    addresses.append(try MailAddress.parse(Substring(spec), allowUTF8: true))
                } catch {
                    throw SubmissionError(.dataError, "bad address \(spec): \(error)")
                }
            } else if spec.utf8.allSatisfy(isLocalUserCharacter) {
                addresses.append(MailAddress(localPart: spec, domain: ""))
            } else {
                throw SubmissionError(.dataError, "bad address \(spec)")
            }
        }
        return addresses
    }

    /// Characters allowed in a bare local user name.
    private static func isLocalUserCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"): true
        default: false
        }
    }

    /// Splits a list at top-level commas and returns each element's addr-spec:
    /// the text in angle brackets when there is one, otherwise the element
    /// without comments; group names (`name:`) and group ends (`;`) separate
    /// elements too.
    private static func split(_ text: String) -> [String] {
        var elements: [String] = []
        var plain = ""          // the element outside comments, quotes and brackets
        var bracketed: String?  // the text inside <...>, once seen
        var inBrackets = false
        var inQuotes = false
        var commentDepth = 0
        var escaped = false
        func finish() {
            elements.append(bracketed ?? plain)
            plain = ""
            bracketed = nil
        }
        for character in text {
            if escaped {
                if inBrackets { bracketed?.append(character) } else if commentDepth == 0 { plain.append(character) }
                escaped = false
                continue
            }
            if commentDepth > 0 {
                switch character {
                case "\\": escaped = true
                case "(": commentDepth += 1
                case ")": commentDepth -= 1
                default: break
                }
                continue
            }
            if inQuotes {
                switch character {
                case "\\": escaped = true
                case "\"": inQuotes = false
                default: break
                }
                // A quoted display name is dropped; a quoted local part stays.
                plain.append(character)
                continue
            }
            if inBrackets {
                if character == ">" { inBrackets = false } else { bracketed?.append(character) }
                continue
            }
            switch character {
            case "\"":
                inQuotes = true
                plain.append(character)
            case "(": commentDepth = 1
            case "<":
                inBrackets = true
                bracketed = ""
            case ",", ";": finish()
            case ":" where bracketed == nil && !plain.contains("@"):
                plain = ""  // a group's display name
            default: plain.append(character)
            }
        }
        finish()
        return elements
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
