// MARK: - Formatting (RFC 5321 §4.1.2)

extension MailAddress: CustomStringConvertible {
    /// The mailbox as written on the wire without brackets: `local@domain`.
    ///
    /// The local part is written as a Quoted-string, with `"` and `\` as
    /// quoted-pairs, whenever it is not a valid Dot-string, so that
    /// `MailAddress.parse(description)` gives back an equal address:
    ///
    ///     alice@example.com
    ///     "john smith"@example.com
    ///     "a\"b"@example.com
    ///
    /// The domain-less postmaster (see `parseForwardPath`) is written as
    /// the local part alone, `postmaster`; it reads back through
    /// `MailAddress.parseForwardPath(wireForm)` rather than `parse`.
    public var description: String {
        domain.isEmpty ? wireLocalPart : wireLocalPart + "@" + domain
    }

    /// The address as a path in angle brackets, for `MAIL FROM:`, `RCPT TO:`
    /// and log lines: `<alice@example.com>`, `<postmaster>`.
    public var wireForm: String { "<" + description + ">" }

    /// The local part as written on the wire: itself when it is a Dot-string,
    /// else a Quoted-string.
    public var wireLocalPart: String {
        Self.isDotString(localPart) ? localPart : Self.quoted(localPart)
    }

    /// `Dot-string = Atom *("." Atom)` with UTF-8 atoms (RFC 6531).
    /// One pass without allocating: every `MAIL FROM` and `RCPT TO` the
    /// client writes, and every `Received` header, asks.
    private static func isDotString(_ text: String) -> Bool {
        var atomIsEmpty = true
        for scalar in text.unicodeScalars {
            if scalar == "." {
                guard !atomIsEmpty else { return false }
                atomIsEmpty = true
                continue
            }
            let allowed =
                scalar.isASCII
                ? MailboxScanner.isAtext(UInt8(scalar.value))
                : MailboxScanner.isPermittedNonASCII(scalar)
            guard allowed else { return false }
            atomIsEmpty = false
        }
        return !atomIsEmpty
    }

    /// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`, escaping `"` and `\`.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        out.append("\"")
        return out
    }
}

extension ReversePath: CustomStringConvertible {
    /// The sender for humans: `alice@example.com`, or `<>` for the null path
    /// (which has no other written form).
    public var description: String {
        switch self {
        case .null: "<>"
        case .mailbox(let address): address.description
        }
    }

    /// The path in angle brackets as sent in `MAIL FROM:`: `<>` or
    /// `<alice@example.com>`. `ReversePath.parse(wireForm)` gives back an equal value.
    public var wireForm: String {
        switch self {
        case .null: "<>"
        case .mailbox(let address): address.wireForm
        }
    }
}
