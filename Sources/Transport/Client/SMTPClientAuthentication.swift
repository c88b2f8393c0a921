/// The client side of `AUTH` (RFC 4954) with the `PLAIN` (RFC 4616) and
/// `LOGIN` mechanisms:
///
///     C: AUTH PLAIN AGFsaWNlAHNlY3JldA==          C: AUTH LOGIN
///     S: 235 2.7.0 Authentication successful       S: 334 VXNlcm5hbWU6
///                                                  C: YWxpY2U=
///                                                  S: 334 UGFzc3dvcmQ6
///                                                  C: c2VjcmV0
///                                                  S: 235 2.7.0 Authentication successful
enum SMTPClientAuthentication {
    enum Mechanism: String, Hashable, Sendable {
        case plain = "PLAIN"
        case login = "LOGIN"
    }

    /// `PLAIN` when offered, else `LOGIN` when offered, else nil.
    static func mechanism(offered: Set<String>) -> Mechanism? {
        if offered.contains(Mechanism.plain.rawValue) { return .plain }
        if offered.contains(Mechanism.login.rawValue) { return .login }
        return nil
    }

    /// `AUTH PLAIN` with the initial response `base64(NUL username NUL password)`.
    static func plainCommand(_ credentials: SMTPClientCredentials) -> String {
        let message = [0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8)
        return "AUTH PLAIN " + base64(message) + "\r\n"
    }

    static let loginCommand = "AUTH LOGIN\r\n"

    /// One response line of the `LOGIN` exchange: `text` in base64.
    static func response(_ text: String) -> String {
        base64(Array(text.utf8)) + "\r\n"
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Base64 with padding (RFC 4648 §4).
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            let b0 = bytes[index]
            let b1 = count > 1 ? bytes[index + 1] : 0
            let b2 = count > 2 ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
