/// An RFC 3463 enhanced mail system status code: `class "." subject "." detail`.
///
///     250 2.1.5 Ok
public struct EnhancedStatus: Hashable, Sendable {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    public let statusClass: UInt8
    public let subject: UInt16
    public let detail: UInt16

    public init(_ statusClass: UInt8, _ subject: UInt16, _ detail: UInt16) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }
}
