/// What the connection learned while setting up the session.
struct SMTPClientSession: Sendable {
    let capabilities: SMTPServerCapabilities
    let isTLSActive: Bool
}
