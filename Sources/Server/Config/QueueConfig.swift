/// The `queue` statements: where the journal lives and how long and how often
/// undelivered recipients are retried, with per-domain overrides.
///
///     queue path "/var/spool/tern" retry 5m..1h expire 4d warn 4h retention 24h
///     queue map-size 16G
///     queue domain "slow.example" retry 10m..2h expire 2d
public struct QueueConfig: Hashable, Sendable {
    /// The retry and expiry settings that apply to one destination domain.
    public struct Policy: Hashable, Sendable {
        /// The first retry delay; backoff starts here.
        public var retryMinimum: Duration
        /// The largest retry delay backoff grows to.
        public var retryMaximum: Duration
        /// How long a recipient is retried before it fails with 4.4.7.
        public var expire: Duration
        /// When the delay DSN is sent.
        public var warn: Duration

        /// Creates a policy.
        public init(retryMinimum: Duration, retryMaximum: Duration, expire: Duration, warn: Duration) {
            self.retryMinimum = retryMinimum
            self.retryMaximum = retryMaximum
            self.expire = expire
            self.warn = warn
        }
    }

    /// `queue domain "d" …`: settings for one destination domain; nil fields inherit the global ones.
    public struct DomainOverride: Hashable, Sendable {
        /// `retry MIN..`, or nil to inherit.
        public var retryMinimum: Duration?
        /// `retry ..MAX`, or nil to inherit.
        public var retryMaximum: Duration?
        /// `expire`, or nil to inherit.
        public var expire: Duration?
        /// `warn`, or nil to inherit.
        public var warn: Duration?

        /// An override that changes nothing.
        public init(retryMinimum: Duration? = nil, retryMaximum: Duration? = nil, expire: Duration? = nil, warn: Duration? = nil) {
            self.retryMinimum = retryMinimum
            self.retryMaximum = retryMaximum
            self.expire = expire
            self.warn = warn
        }
    }

    /// `path`: the journal directory.
    public var path = ConfigDefaults.queuePath
    /// `retry MIN..MAX`: the smallest retry delay.
    public var retryMinimum = ConfigDefaults.retryMinimum
    /// `retry MIN..MAX`: the largest retry delay.
    public var retryMaximum = ConfigDefaults.retryMaximum
    /// `expire`: the lifetime of an undelivered recipient.
    public var expire = ConfigDefaults.expire
    /// `warn`: the age at which a delay DSN is sent.
    public var warn = ConfigDefaults.warn
    /// `retention`: how long completed messages stay in history.
    public var retention = ConfigDefaults.retention
    /// `map-size`: the initial LMDB map size in bytes.
    public var mapSize = ConfigDefaults.mapSize
    /// `queue domain` overrides, keyed by lowercase domain.
    public var domainOverrides: [String: DomainOverride] = [:]

    /// The defaults of ``ConfigDefaults``.
    public init() {}

    /// The global policy.
    public var globalPolicy: Policy {
        Policy(retryMinimum: retryMinimum, retryMaximum: retryMaximum, expire: expire, warn: warn)
    }

    /// The policy for `domain` (any case): its override, with unset fields taken from the global policy.
    public func policy(forDomain domain: String) -> Policy {
        guard let override = domainOverrides[domain.lowercased()] else { return globalPolicy }
        return Policy(
            retryMinimum: override.retryMinimum ?? retryMinimum,
            retryMaximum: override.retryMaximum ?? retryMaximum,
            expire: override.expire ?? expire,
            warn: override.warn ?? warn
        )
    }
}
