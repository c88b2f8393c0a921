import Envelope

/// The `BODY` parameter of `MAIL FROM` (RFC 6152, RFC 3030).
public enum MessageBodyType: String, Hashable, Sendable {
    case sevenBit = "7BIT"
    case eightBitMIME = "8BITMIME"
    case binaryMIME = "BINARYMIME"
}

/// The ESMTP parameters of `MAIL FROM` that Tern understands.
public struct MailParameters: Hashable, Sendable {
    /// `SIZE=` (RFC 1870): the size the client declares.
    public var size: Int?
    /// `BODY=` (RFC 6152).
    public var body: MessageBodyType?
    /// `SMTPUTF8` (RFC 6531).
    public var smtpUTF8 = false
    /// `RET=` (RFC 3461).
    public var ret: DSNReturn?
    /// `ENVID=` (RFC 3461), decoded.
    public var envelopeID: String?
    /// `AUTH=` (RFC 4954 §5), xtext-decoded; `<>` when the client gives none.
    public var auth: String?

    public init() {}
}

/// The ESMTP parameters of `RCPT TO` that Tern understands (RFC 3461).
public struct RecipientParameters: Hashable, Sendable {
    public var notify: DSNNotify?
    public var originalRecipient: OriginalRecipient?

    public init(notify: DSNNotify? = nil, originalRecipient: OriginalRecipient? = nil) {
        self.notify = notify
        self.originalRecipient = originalRecipient
    }
}

/// A client command (RFC 5321 §4.1, with ESMTP extensions).
///
///     MAIL FROM:<alice@example.com> SIZE=1024 BODY=8BITMIME
public enum SMTPCommand: Hashable, Sendable {
    case helo(String)
    case ehlo(String)
    case mail(ReversePath, MailParameters)
    case rcpt(MailAddress, RecipientParameters)
    case data
    /// `BDAT size [LAST]` (RFC 3030).
    case bdat(size: Int, last: Bool)
    case rset
    case noop
    case quit
    case vrfy(String)
    case expn(String)
    case help
    case startTLS
    /// `AUTH mechanism [initial-response]` (RFC 4954).
    case auth(mechanism: String, initialResponse: String?)
}
