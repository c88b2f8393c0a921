/// A user name and password for `AUTH` (RFC 4954) at a smarthost.
///
/// The client uses `PLAIN` when the server offers it, else `LOGIN`, and
/// only over TLS unless `allowsPlaintext` says otherwise. The password is
/// never printed.
public struct SMTPClientCredentials: Hashable, Sendable, CustomStringConvertible {
    /// The authentication identity.
    public var username: String
    /// The secret; never logged.
    public var password: String
    /// Whether to authenticate over a connection without TLS (e.g. to a
    /// smarthost on loopback).
    public var allowsPlaintext: Bool

    /// Credentials, used only over TLS unless `allowsPlaintext`.
    public init(username: String, password: String, allowsPlaintext: Bool = false) {
        self.username = username
        self.password = password
        self.allowsPlaintext = allowsPlaintext
    }

    /// `username` with the password hidden.
    public var description: String { "\(username) (password hidden)" }
}
