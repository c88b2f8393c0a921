/// Why a mailbox or path from `MAIL FROM` / `RCPT TO` was refused.
///
/// Three kinds, so the SMTP layer can pick its reply (RFC 5321 §4.2.2,
/// §4.5.3.1.10; RFC 6531 §3.7.4; RFC 3463 §3.2):
///
/// | kind                | reply | sender  | recipient |
/// |---------------------|-------|---------|-----------|
/// | `.malformed`        | 501   | 5.1.7   | 5.1.3     |
/// | `.tooLong`          | 501   | 5.1.7   | 5.1.3     |
/// | `.utf8NotPermitted` | 553   | 5.6.7   | 5.6.7     |
///
/// The `description` is plain ASCII without CR or LF and echoes at most one
/// printable character of the client's input, so it can go straight into a
/// reply:
///
///     501 5.1.3 Bad address syntax: consecutive dots (at octet 1)
public struct MailAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely.
    public enum Kind: Hashable, Sendable {
        /// The text does not follow the RFC 5321 §4.1.2 grammar.
        case malformed
        /// A part is longer than RFC 5321 §4.5.3.1 allows.
        case tooLong
        /// The address holds non-ASCII characters and `SMTPUTF8` (RFC 6531) was not given.
        case utf8NotPermitted
    }

    /// The size limits of RFC 5321 §4.5.3.1, counted in octets as written on the wire.
    public enum Limit: Hashable, Sendable, CaseIterable {
        /// 64 octets of local part, quotes and backslashes included (§4.5.3.1.1).
        case localPart
        /// 63 octets per domain label (RFC 1035 §2.3.4).
        case domainLabel
        /// 255 octets of domain or address literal (§4.5.3.1.2).
        case domain
        /// 256 octets of path, angle brackets and source route included (§4.5.3.1.3).
        case path

        /// The largest permitted length in octets.
        public var octets: Int {
            switch self {
            case .localPart: 64
            case .domainLabel: 63
            case .domain: 255
            case .path: 256
            }
        }

        fileprivate var name: String {
            switch self {
            case .localPart: "local part"
            case .domainLabel: "domain label"
            case .domain: "domain"
            case .path: "path"
            }
        }
    }

    /// Whether the address was the sender's (`MAIL FROM`) or a recipient's (`RCPT TO`).
    public enum Role: Hashable, Sendable {
        /// The reverse path of `MAIL FROM`.
        case sender
        /// A forward path of `RCPT TO`.
        case recipient
    }

    private enum Code: Hashable, Sendable {
        case malformed(reason: String, offset: Int)
        case tooLong(Limit)
        case utf8NotPermitted(offset: Int)
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    static func malformed(_ reason: String, at offset: Int) -> MailAddressError {
        MailAddressError(.malformed(reason: reason, offset: offset))
    }

    static func tooLong(_ limit: Limit) -> MailAddressError {
        MailAddressError(.tooLong(limit))
    }

    static func utf8NotPermitted(at offset: Int) -> MailAddressError {
        MailAddressError(.utf8NotPermitted(offset: offset))
    }

    /// The kind of failure.
    public var kind: Kind {
        switch code {
        case .malformed: .malformed
        case .tooLong: .tooLong
        case .utf8NotPermitted: .utf8NotPermitted
        }
    }

    /// The limit that was exceeded, for `.tooLong`.
    public var limit: Limit? {
        if case .tooLong(let limit) = code { return limit }
        return nil
    }

    /// The octet offset into the parsed text where the problem was found,
    /// for `.malformed` and `.utf8NotPermitted`.
    public var offset: Int? {
        switch code {
        case .malformed(_, let offset), .utf8NotPermitted(let offset): offset
        case .tooLong: nil
        }
    }

    /// A short reason for `.malformed`, such as `consecutive dots`.
    public var reason: String? {
        if case .malformed(let reason, _) = code { return reason }
        return nil
    }

    /// The SMTP reply code to answer with: 501 for syntax and length, 553 for
    /// a non-ASCII address without `SMTPUTF8` (RFC 6531 §3.7.4).
    public var replyCode: Int {
        kind == .utf8NotPermitted ? 553 : 501
    }

    /// The enhanced status code (RFC 3463) for the address's role.
    public func enhancedStatus(for role: Role) -> EnhancedStatus {
        switch (kind, role) {
        case (.utf8NotPermitted, _): .nonASCIIAddressNotPermitted
        case (_, .sender): .badSenderAddressSyntax
        case (_, .recipient): .badRecipientAddressSyntax
        }
    }

    /// The complete reply for the address's role, e.g. `553 5.6.7 Non-ASCII address requires SMTPUTF8`.
    public func reply(for role: Role) -> SMTPReply {
        SMTPReply(code: replyCode, status: enhancedStatus(for: role), description)
    }

    /// The reason as reply text: `Bad address syntax: consecutive dots (at octet 2)`.
    public var description: String {
        switch code {
        case .malformed(let reason, let offset):
            "Bad address syntax: \(reason) (at octet \(offset))"
        case .tooLong(let limit):
            "Address \(limit.name) longer than \(limit.octets) octets"
        case .utf8NotPermitted:
            "Non-ASCII address requires SMTPUTF8"
        }
    }
}
