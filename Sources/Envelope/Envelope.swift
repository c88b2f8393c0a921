import Foundation

/// A queued message's envelope: the sender, DSN request and the session facts
/// that routing needs at every attempt (DESIGN.md, the `messages` table).
public struct Envelope: Hashable, Sendable {
    /// Facts about a message beyond its addresses.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The message is a delivery status notification we generated.
        public static let isDSN = Flags(rawValue: 1 << 0)
        /// The client used `SMTPUTF8` (RFC 6531).
        public static let smtpUTF8 = Flags(rawValue: 1 << 1)
        /// The client declared `BODY=8BITMIME` (RFC 6152).
        public static let eightBitMIME = Flags(rawValue: 1 << 2)
        /// The message arrived from the local machine (loopback or enqueuer).
        public static let fromLocal = Flags(rawValue: 1 << 3)
        /// The message arrived on a listener marked `no-dsn`: no delivery
        /// status notification is ever sent for it (failure, delay or success).
        public static let suppressReports = Flags(rawValue: 1 << 4)
        /// The message is a notice to the postmaster about a DSN we generated
        /// that could not be delivered; its own failure is only logged.
        public static let isPostmasterNotice = Flags(rawValue: 1 << 5)
    }

    public var id: MessageID
    public var sender: ReversePath
    /// `ENVID`, xtext-decoded.
    public var envelopeID: String?
    /// `RET`, when given.
    public var ret: DSNReturn?
    /// The size of the stored message in bytes (including our `Received` header).
    public var size: Int
    public var arrival: Date
    /// When undelivered recipients fail with `4.4.7`.
    public var expiry: Date
    /// The client's IP address, or `local`.
    public var clientAddress: String
    /// The name the client gave in `EHLO`/`HELO`.
    public var heloName: String
    /// The authenticated user, if any.
    public var authUser: String?
    /// The tag of the listener the message arrived on.
    public var listenerTag: String?
    public var flags: Flags

    public init(
        id: MessageID,
        sender: ReversePath,
        envelopeID: String? = nil,
        ret: DSNReturn? = nil,
        size: Int,
        arrival: Date,
        expiry: Date,
        clientAddress: String,
        heloName: String,
        authUser: String? = nil,
        listenerTag: String? = nil,
        flags: Flags = []
    ) {
        self.id = id
        self.sender = sender
        self.envelopeID = envelopeID
        self.ret = ret
        self.size = size
        self.arrival = arrival
        self.expiry = expiry
        self.clientAddress = clientAddress
        self.heloName = heloName
        self.authUser = authUser
        self.listenerTag = listenerTag
        self.flags = flags
    }
}
