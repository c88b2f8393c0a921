// MARK: - Parsing (RFC 5321 §4.1.2, RFC 6531 §3.3)
//
//     Path         = "<" [ A-d-l ":" ] Mailbox ">"
//     Mailbox      = Local-part "@" ( Domain / address-literal )
//     Local-part   = Dot-string / Quoted-string
//     Domain       = sub-domain *("." sub-domain)
//
// Limits (RFC 5321 §4.5.3.1) are counted in octets as written on the wire:
// the local part with its quotes and backslashes, the domain or literal with
// its brackets, the path with its angle brackets and any source route. A
// bare mailbox is measured as the path `<mailbox>` it would travel in, so it
// may be at most 254 octets. Syntax is checked first, then the limits (local
// part, label, domain, path), then whether non-ASCII text is permitted.

extension MailAddress {
    /// Parses a bare mailbox, `local@domain`, without angle brackets.
    ///
    /// The local part may be a Dot-string or a Quoted-string; a quoted local
    /// part is stored unquoted (`"a\"b"@example.com` has the local part
    /// `a"b`). The domain may be a name (labels of letters, digits and inner
    /// hyphens, at most 63 octets each, no trailing dot) or an address literal
    /// (`[192.0.2.1]`, `[IPv6:2001:db8::1]`, `[tag:content]`), kept as written.
    /// Non-ASCII characters are accepted only with `allowUTF8` (RFC 6531
    /// `SMTPUTF8`); control characters, NUL, U+FFFD and unquoted spaces never.
    ///
    ///     alice@example.com
    ///     "john smith"@example.com
    ///     user@[IPv6:2001:db8::1]
    ///
    /// - Throws: `MailAddressError` of kind `.malformed`, `.tooLong` or `.utf8NotPermitted`.
    public static func parse(_ text: Substring, allowUTF8: Bool) throws(MailAddressError) -> MailAddress {
        var scanner = MailboxScanner(text)
        let mailbox = try scanner.scanMailbox()
        try scanner.expectEnd()
        return try scanner.validate(mailbox, pathLength: scanner.count + 2, allowUTF8: allowUTF8)
    }

    /// Parses the argument of `RCPT TO:`, a forward path in angle brackets.
    ///
    /// A source route (`<@a.example,@b.example:user@c.example>`) is accepted
    /// and dropped (RFC 5321 §4.1.2, Appendix C). The null path `<>` is
    /// refused. RFC 5321 §4.1.1.3 requires `<Postmaster>` without a domain to
    /// be accepted in any case: it returns
    /// `MailAddress(localPart: "postmaster", domain: "")`, the only address
    /// with an empty domain, meaning the postmaster of this host.
    ///
    ///     RCPT TO:<bob@example.org>
    ///     RCPT TO:<Postmaster>
    ///
    /// - Throws: `MailAddressError`.
    public static func parseForwardPath(_ text: Substring, allowUTF8: Bool) throws(MailAddressError) -> MailAddress {
        var scanner = MailboxScanner(text)
        try scanner.expect(MailboxScanner.lessThan, "\"<\"")
        if scanner.remainderEqualsCaseInsensitive("postmaster>") {
            return .postmaster
        }
        if scanner.consume(MailboxScanner.greaterThan) {
            throw .malformed("empty forward path", at: scanner.position - 1)
        }
        let mailbox = try scanner.scanBracketedMailbox()
        return try scanner.validate(mailbox, pathLength: scanner.count, allowUTF8: allowUTF8)
    }

    /// The domain-less `<Postmaster>` recipient (RFC 5321 §4.1.1.3): the
    /// postmaster of the receiving host.
    public static let postmaster = MailAddress(localPart: "postmaster", domain: "")

    /// Whether this is the domain-less postmaster from `RCPT TO:<Postmaster>`.
    public var isLocalPostmaster: Bool { domain.isEmpty && localPart.lowercased() == "postmaster" }

    /// Whether the domain is an address literal such as `[192.0.2.1]` (RFC 5321 §4.1.3).
    public var isAddressLiteral: Bool { domain.hasPrefix("[") }

    /// Whether the local part or the domain holds non-ASCII characters, so the
    /// address can only be relayed with `SMTPUTF8` (RFC 6531).
    public var requiresSMTPUTF8: Bool {
        !localPart.utf8.allSatisfy { $0 < 0x80 } || !domain.utf8.allSatisfy { $0 < 0x80 }
    }
}

extension ReversePath {
    /// Parses the argument of `MAIL FROM:`, a reverse path in angle brackets.
    ///
    /// `<>` is the null path. A source route is accepted and dropped
    /// (RFC 5321 §4.1.2, Appendix C); the mailbox follows the rules of
    /// `MailAddress.parse(_:allowUTF8:)`, and the whole path, brackets
    /// included, may be at most 256 octets.
    ///
    ///     MAIL FROM:<alice@example.com>
    ///     MAIL FROM:<>
    ///
    /// - Throws: `MailAddressError`.
    public static func parse(_ text: Substring, allowUTF8: Bool) throws(MailAddressError) -> ReversePath {
        var scanner = MailboxScanner(text)
        try scanner.expect(MailboxScanner.lessThan, "\"<\"")
        if scanner.consume(MailboxScanner.greaterThan) {
            try scanner.expectEnd()
            return .null
        }
        let mailbox = try scanner.scanBracketedMailbox()
        return .mailbox(try scanner.validate(mailbox, pathLength: scanner.count, allowUTF8: allowUTF8))
    }
}
