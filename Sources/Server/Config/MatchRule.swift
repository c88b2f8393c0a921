/// A `match` statement: criteria that all must hold for a recipient, and what
/// to do with it. Rules are tried in order; the first that matches decides.
///
///     match from any for domain "example.com" action "store"
///     match from src <trusted> for any action "outbound"
///     match from auth <secrets> for any action "outbound"
///     match tag SUBMIT for any action "outbound"
///     match from mail-from <senders> for rcpt <rcpts> action "local"
///     match ! from local for any reject
///
/// A rule without any `from` criterion and without `tag` gets `from local`;
/// a rule without any `for` criterion gets `for local` (as in OpenSMTPD), so
/// leaving a criterion out never opens a relay. Those implied criteria are part
/// of the parsed rule and are printed.
public struct MatchRule: Hashable, Sendable {
    /// What an address criterion compares against: a table, or one literal.
    ///
    /// Addresses match an entry equal to the whole address or to `@domain`;
    /// comparison ignores case. The null sender matches only `<>`.
    public enum Pattern: Hashable, Sendable {
        /// `<table>`.
        case table(String)
        /// `"value"`.
        case literal(String)
    }

    /// What `from src` compares the client address against.
    public enum SourcePattern: Hashable, Sendable {
        /// `<table>` of addresses and netmasks.
        case table(String)
        /// `"192.0.2.0/24"`, `"::1"`.
        case network(IPNetmask)
    }

    /// One test on a recipient and its session.
    public enum Condition: Hashable, Sendable {
        /// `from any`: every client.
        case fromAny
        /// `from local`: loopback and Unix-socket clients, and the local enqueuer.
        case fromLocal
        /// `from src <table>|"net"`: the client address is in a block.
        case fromSource(SourcePattern)
        /// `from auth [<table>]`: the session authenticated (as a user in the table, if given).
        case fromAuthenticated(table: String?)
        /// `from mail-from <table>|"addr"`: the envelope sender.
        case fromSender(Pattern)
        /// `tag NAME`: the session came in on a listener with this tag.
        case tag(String)
        /// `for any`: every recipient domain.
        case forAny
        /// `for local`: `localhost`, `localhost.localdomain`, the configured
        /// `hostname`, and the entries of the table `localnames` if one is defined.
        case forLocal
        /// `for domain <table>|"domain"`: the recipient domain.
        case forDomain(Pattern)
        /// `for rcpt <table>|"addr"`: the recipient address.
        case forRecipient(Pattern)

        /// Whether this is a session (`from`, `tag`) rather than a destination (`for`) criterion.
        public var isSessionCriterion: Bool {
            switch self {
            case .fromAny, .fromLocal, .fromSource, .fromAuthenticated, .fromSender, .tag: true
            case .forAny, .forLocal, .forDomain, .forRecipient: false
            }
        }
    }

    /// A condition, possibly negated with `!`.
    public struct Criterion: Hashable, Sendable {
        /// `!` before the criterion.
        public var isNegated: Bool
        /// The test.
        public var condition: Condition

        /// Creates a criterion.
        public init(_ condition: Condition, negated: Bool = false) {
            self.isNegated = negated
            self.condition = condition
        }
    }

    /// What a matching rule does.
    public enum Decision: Hashable, Sendable {
        /// `action NAME`: accept the recipient for this action.
        case action(String)
        /// `reject`: refuse the recipient (550 5.7.1).
        case reject
    }

    /// The criteria, in the order written, implied ones first.
    public var criteria: [Criterion]
    /// The outcome when every criterion holds.
    public var decision: Decision

    /// Creates a rule.
    public init(criteria: [Criterion], decision: Decision) {
        self.criteria = criteria
        self.decision = decision
    }
}
