/// The `Diagnostic-Code` of one recipient in a delivery status notification
/// (RFC 3464 §2.3.6): the diagnostic exactly as the mail transport gave it,
/// labelled with its type.
///
///     diagnostic-code-field = "Diagnostic-Code" ":" diagnostic-type ";" *text
///
///     Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: No such user
///
/// A reply from the next hop is of type `smtp`; a diagnostic of this MTA's
/// own (a DNS failure, an expired queue lifetime) is of type `X-Tern`.
public struct DSNDiagnostic: Hashable, Sendable {
    /// The `diagnostic-type` atom, e.g. `smtp`.
    public var type: String
    /// The diagnostic text, e.g. `550 5.1.1 No such user`.
    public var text: String

    /// A diagnostic of any type.
    public init(type: String, text: String) {
        self.type = type
        self.text = text
    }

    /// The remote server's reply as received: `550 5.1.1 No such user`.
    public static func smtp(_ text: String) -> DSNDiagnostic {
        DSNDiagnostic(type: "smtp", text: text)
    }

    /// The remote server's reply, its lines joined by spaces:
    /// `550 5.1.1 No such user`.
    public static func smtp(_ reply: SMTPReply) -> DSNDiagnostic {
        DSNDiagnostic(type: "smtp", text: reply.description)
    }

    /// A diagnostic of this MTA's own, in plain words.
    public static func local(_ text: String) -> DSNDiagnostic {
        DSNDiagnostic(type: localType, text: text)
    }

    /// The diagnostic type of `local(_:)`, an extension type (RFC 3464 §2.4).
    public static let localType = "X-Tern"
}
