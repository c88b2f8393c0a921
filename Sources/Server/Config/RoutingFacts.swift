/// What the SMTP layer knows about one recipient when it asks the rules for a
/// route (``Configuration/route(for:tables:)``): the session, the sender and
/// the recipient. The journal stores these facts so the route can be resolved
/// again from the current configuration at each delivery attempt.
public struct RoutingFacts: Hashable, Sendable {
    /// The client connected over a Unix socket or is the local enqueuer.
    /// (Loopback IP clients count as local even when this is false.)
    public var clientIsLocal: Bool
    /// The client's IP address as text (`192.0.2.7`, `2001:db8::7`); empty when there is none.
    public var clientAddress: String
    /// The user name the session authenticated as, if it did.
    public var authenticatedUser: String?
    /// The `tag` of the listener the session came in on, if it has one.
    public var listenerTag: String?
    /// The envelope sender (`MAIL FROM`) address; empty for the null sender `<>`.
    public var sender: String
    /// The recipient's local part.
    public var recipientLocalPart: String
    /// The recipient's domain.
    public var recipientDomain: String

    /// Creates routing facts.
    public init(
        clientIsLocal: Bool = false,
        clientAddress: String,
        authenticatedUser: String? = nil,
        listenerTag: String? = nil,
        sender: String,
        recipientLocalPart: String,
        recipientDomain: String
    ) {
        self.clientIsLocal = clientIsLocal
        self.clientAddress = clientAddress
        self.authenticatedUser = authenticatedUser
        self.listenerTag = listenerTag
        self.sender = sender
        self.recipientLocalPart = recipientLocalPart
        self.recipientDomain = recipientDomain
    }
}
