import Envelope

/// What a server announced in its reply to `EHLO` or `LHLO` (RFC 5321 §4.1.1.1).
///
///     250-mx.example.org Hello
///     250-PIPELINING
///     250-SIZE 10240000
///     250-8BITMIME
///     250-SMTPUTF8
///     250-DSN
///     250-STARTTLS
///     250-AUTH PLAIN LOGIN
///     250-CHUNKING
///     250 ENHANCEDSTATUSCODES
///
/// The first line names the server; every later line is a keyword with
/// optional parameters (`ehlo-line = ehlo-keyword *( SP ehlo-param )`).
/// Keywords are compared without regard to case; unknown ones are ignored.
/// After `HELO` nothing is announced.
public struct SMTPServerCapabilities: Hashable, Sendable {
    /// The server's name from the first line, when there was one.
    public var serverName: String?
    /// `PIPELINING` (RFC 2920).
    public var pipelining = false
    /// `SIZE` (RFC 1870): the announced limit in octets, 0 for "no fixed
    /// limit", nil when `SIZE` was not announced.
    public var size: Int?
    /// `8BITMIME` (RFC 6152).
    public var eightBitMIME = false
    /// `SMTPUTF8` (RFC 6531).
    public var smtpUTF8 = false
    /// `DSN` (RFC 3461).
    public var dsn = false
    /// `STARTTLS` (RFC 3207).
    public var startTLS = false
    /// The `AUTH` (RFC 4954) mechanisms, upper-cased.
    public var authMechanisms: Set<String> = []
    /// `CHUNKING` (RFC 3030).
    public var chunking = false
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    public var enhancedStatusCodes = false

    /// Nothing announced, as after `HELO`.
    public init() {}

    /// The capabilities in a positive reply to `EHLO` or `LHLO`.
    public init(ehloReply reply: SMTPReply) {
        let greeting = reply.lines[0].split(separator: " ", maxSplits: 1).first
        serverName = greeting.map(String.init)
        for line in reply.lines.dropFirst() {
            // The legacy form "AUTH=LOGIN PLAIN" is read like "AUTH LOGIN PLAIN".
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" })
            guard let keyword = words.first?.uppercased() else { continue }
            let parameters = words.dropFirst()
            switch keyword {
            case "PIPELINING": pipelining = true
            case "SIZE": size = parameters.first.flatMap { Int($0) }.map { max(0, $0) } ?? 0
            case "8BITMIME": eightBitMIME = true
            case "SMTPUTF8": smtpUTF8 = true
            case "DSN": dsn = true
            case "STARTTLS": startTLS = true
            case "AUTH": authMechanisms.formUnion(parameters.map { $0.uppercased() })
            case "CHUNKING": chunking = true
            case "ENHANCEDSTATUSCODES": enhancedStatusCodes = true
            default: continue
            }
        }
    }
}
