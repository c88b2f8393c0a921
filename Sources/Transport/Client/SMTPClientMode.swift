/// The protocol the client speaks.
public enum SMTPClientMode: Hashable, Sendable {
    /// SMTP (RFC 5321): `EHLO` (falling back to `HELO`), one reply after the data.
    case smtp
    /// LMTP (RFC 2033): `LHLO`, and after the data one reply per accepted
    /// recipient, in the order they were accepted.
    case lmtp
}
