import Envelope

/// Why a recipient could not be expanded into targets.
struct ExpansionError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Code: Hashable, Sendable {
        /// An entry leads back to itself (`a: b`, `b: a`): permanent, 5.4.6.
        case loop
        /// More nested entries than ``RecipientExpander/maxDepth``: permanent, 5.4.6.
        case tooDeep
        /// Neither an alias, a virtual entry nor a local user: permanent, 5.1.1.
        case unknownUser
        /// A table or `:include:` file cannot be read now: temporary, 4.3.0.
        case unavailable
    }

    let code: Code
    /// What happened, naming the entries involved (`alias loop: staff -> team -> staff`).
    let reason: String

    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// The enhanced status a delivery reports (RFC 3463).
    var status: EnhancedStatus {
        switch code {
        case .loop, .tooDeep: .routingLoop
        case .unknownUser: .mailboxUnknown
        case .unavailable: .temporarySystemFailure
        }
    }

    /// Whether retrying cannot help until the tables change.
    var isPermanent: Bool { code != .unavailable }

    var description: String { "\(status) \(reason)" }
}
