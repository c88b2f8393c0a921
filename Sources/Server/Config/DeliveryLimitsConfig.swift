/// The `limit` statements: traffic shaping per destination domain.
///
///     limit default connections 10 messages-per-connection 100 rate unlimited
///     limit domain "gmail.com" connections 20 messages-per-connection 100 rate 100/s
public struct DeliveryLimitsConfig: Hashable, Sendable {
    /// A rate limit unit: `/s`, `/m` or `/h`.
    public enum RateUnit: String, Hashable, Sendable, CaseIterable {
        /// Per second, `/s`.
        case second = "s"
        /// Per minute, `/m`.
        case minute = "m"
        /// Per hour, `/h`.
        case hour = "h"

        /// The length of one unit.
        public var duration: Duration {
            switch self {
            case .second: .seconds(1)
            case .minute: .seconds(60)
            case .hour: .seconds(3600)
            }
        }
    }

    /// `rate N/UNIT` or `rate unlimited`.
    public enum RateSetting: Hashable, Sendable {
        /// No rate limit.
        case unlimited
        /// At most `count` messages per `unit`.
        case limited(count: Int, per: RateUnit)
    }

    /// The limits that apply to one destination.
    public struct Limits: Hashable, Sendable {
        /// `connections`: concurrent connections.
        public var connections: Int
        /// `messages-per-connection`: messages before a connection is closed.
        public var messagesPerConnection: Int
        /// `rate`: messages per unit of time.
        public var rate: RateSetting

        /// Creates limits.
        public init(connections: Int, messagesPerConnection: Int, rate: RateSetting) {
            self.connections = connections
            self.messagesPerConnection = messagesPerConnection
            self.rate = rate
        }
    }

    /// `limit domain "d" …`: nil fields inherit the `limit default` ones.
    public struct DomainOverride: Hashable, Sendable {
        /// `connections`, or nil to inherit.
        public var connections: Int?
        /// `messages-per-connection`, or nil to inherit.
        public var messagesPerConnection: Int?
        /// `rate`, or nil to inherit.
        public var rate: RateSetting?

        /// An override that changes nothing.
        public init(connections: Int? = nil, messagesPerConnection: Int? = nil, rate: RateSetting? = nil) {
            self.connections = connections
            self.messagesPerConnection = messagesPerConnection
            self.rate = rate
        }
    }

    /// `limit default …`.
    public var defaultLimits = Limits(
        connections: ConfigDefaults.connectionsPerDomain,
        messagesPerConnection: ConfigDefaults.messagesPerConnection,
        rate: ConfigDefaults.rate
    )
    /// `limit domain` overrides, keyed by lowercase domain.
    public var domainOverrides: [String: DomainOverride] = [:]

    /// The defaults of ``ConfigDefaults``.
    public init() {}

    /// The limits for `domain` (any case): its override, with unset fields taken from the defaults.
    public func limits(forDomain domain: String) -> Limits {
        guard let override = domainOverrides[domain.lowercased()] else { return defaultLimits }
        return Limits(
            connections: override.connections ?? defaultLimits.connections,
            messagesPerConnection: override.messagesPerConnection ?? defaultLimits.messagesPerConnection,
            rate: override.rate ?? defaultLimits.rate
        )
    }
}
