import Envelope
import Foundation

/// Expands the `%{…}` variables of action paths and commands (the names
/// OpenSMTPD users know): `sender`, `sender.user`, `sender.domain`, `rcpt`,
/// `rcpt.user`, `rcpt.domain`, `dest`, `dest.user`, `dest.domain`,
/// `user.username`, `user.directory`. Values that end up in a path cannot
/// climb out of it: `/` becomes `_` and a leading `.` becomes `_`.
struct PathTemplate {
    let sender: ReversePath
    let recipient: MailAddress
    /// The local user the recipient maps to.
    let username: String
    /// That user's home directory.
    let homeDirectory: String

    /// The template with every known variable replaced; unknown ones stay as written.
    func expand(_ template: String, forPath: Bool = true) -> String {
        var result = ""
        var rest = template[...]
        while let start = rest.range(of: "%{") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                result += rest[start.lowerBound...]
                return result
            }
            let name = String(rest[start.upperBound..<end])
            if let value = value(of: name) {
                result += forPath && name != "user.directory" ? Self.pathSafe(value) : value
            } else {
                result += rest[start.lowerBound...end]
            }
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    private func value(of name: String) -> String? {
        switch name {
        case "sender": sender.address?.description ?? ""
        case "sender.user": sender.address?.localPart ?? ""
        case "sender.domain": sender.address?.domain ?? ""
        case "rcpt", "dest": recipient.description
        case "rcpt.user", "dest.user": recipient.localPart
        case "rcpt.domain", "dest.domain": recipient.domain
        case "user.username": username
        case "user.directory": homeDirectory
        default: nil
        }
    }

    static func pathSafe(_ value: String) -> String {
        var safe = value.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\0", with: "_")
        if safe.hasPrefix(".") { safe = "_" + safe.dropFirst() }
        return safe.isEmpty ? "_" : safe
    }
}
