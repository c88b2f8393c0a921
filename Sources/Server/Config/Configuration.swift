/// Tern's configuration: the parsed, validated model of one `tern.conf`.
///
/// The language reads like OpenSMTPD's `smtpd.conf`: one statement per line,
/// `\` at the end of a line continues it, `#` comments, double-quoted strings
/// with `\"` `\\` `\n` `\t` escapes, and macros (`lan = "192.0.2.1"`, then
/// `listen on $lan`; not expanded inside quotes). Keywords are lowercase and
/// never quoted; any value may be quoted, and must be when it contains blanks
/// or any of `" # { } , < > = \`.
///
///     hostname NAME
///     user NAME
///     smtp max-message-size SIZE
///     smtp limits (recipients N | sessions N | per-client N | errors N | line-length N | command-length N)+
///     smtp timeout (command | data | initial | mail | rcpt | data-init | data-block | data-termination) DURATION …
///     smtp reject-delay DURATION
///     smtp bare-lf reject|normalize
///     pki NAME cert PATH key PATH
///     table NAME { VALUE, … } | { KEY = VALUE, … } | file:PATH | sqlite:PATH
///     queue (path PATH | retry MIN..MAX | expire D | warn D | retention D | map-size SIZE)+
///     queue domain DOMAIN (retry MIN..MAX | expire D | warn D)+
///     limit default|domain DOMAIN (connections N | messages-per-connection N | rate N/s|N/m|N/h|unlimited)+
///     delivery priority idle|low|normal
///     resolver system | resolver ADDRESS [port N]
///     metrics none | metrics listen on ADDRESS [port N]
///     control socket PATH
///     bounce warn-on-missing-notify yes|no | return full|headers | max-return-size SIZE | postmaster ADDRESS|none
///     listen on ADDRESS|INTERFACE [port N] [tls | tls-require | smtps] [pki NAME]
///            [auth <T> [insecure] | auth-optional <T> [insecure]] [hostname NAME] [tag NAME] [mask-src] [no-dsn]
///     action NAME maildir [PATH] | mbox [PATH] | mda COMMAND | lmtp DEST [rcpt-to]
///            | relay [host URL | backup [mx NAME]] [helo NAME] [src ADDRESS] [tls [verify|opportunistic]] [auth <T>]
///            [alias <T> | virtual <T>] [userbase <T>] [forward-file]   (local methods and lmtp)
///     match [!] CRITERION … action NAME | reject
///       CRITERION = from any | from local | from src <T>|NET | from auth [<T>] | from mail-from <T>|ADDR
///                 | tag NAME | for any | for local | for domain <T>|DOMAIN | for rcpt <T>|ADDR
///
/// Tables: `file:PATH` is a text file of `key value` (or `key: value`)
/// lines, or lone keys (``TableLoader``); `sqlite:PATH` is an SQLite
/// database answering `SELECT value FROM entries WHERE key = ?`, or a settings
/// file with `dbpath PATH` and one `query_SERVICE SQL` line per lookup service
/// (`domain alias virtual credentials userinfo netaddr mailaddr`; see
/// ``SQLiteTableSettings``). `alias`, `virtual`, `userbase` and
/// `forward-file` apply to maildir, mbox, mda and lmtp actions
/// (``RecipientExpander``; an lmtp action names the expanded accounts in its
/// RCPT commands, and without `userbase` leaves it to the store which exist).
/// `lmtp` without `rcpt-to` names a recipient by its local part, with it by
/// the whole address.
///
/// Durations are `30s 5m 4h 4d 1w` (bare numbers are seconds), sizes
/// `512 64K 35M 1G` (1024-based). Every default is in ``ConfigDefaults``, and
/// ``effectiveDescription`` prints the whole effective configuration in this
/// same language.
///
/// Errors name the file, line and column and what was expected there (see
/// ``ConfigError``). Beyond syntax, parsing checks that every referenced table,
/// pki and action exists and fits its use, that no name or setting is defined
/// twice, that ports are 1–65535, that retry minimums do not exceed maximums
/// and delay warnings come before expiry, that TLS listeners have a pki, that
/// AUTH is not offered in plaintext unless marked `insecure`, that no rule is
/// shadowed by an earlier one or can never match, and that no rule relays
/// mail from any client to any domain (an open relay).
public struct Configuration: Hashable, Sendable {
    /// `hostname`: the name in greetings, Received headers and HELO; the system host name by default.
    public var hostname: String
    /// `smtp`: SMTP server limits, timeouts and policies.
    public var smtp = SMTPConfig()
    /// `pki`: certificates by name.
    public var pkis: [String: PKIConfig] = [:]
    /// `table`: tables by name.
    public var tables: [String: TableDefinition] = [:]
    /// `listen`: the SMTP listeners, in file order; 127.0.0.1 port 2525 when the file has none.
    public var listeners: [ListenerConfig]
    /// `action`: delivery actions by name.
    public var actions: [String: ActionConfig] = [:]
    /// `match`: the rules, in file order; the first match wins.
    public var rules: [MatchRule] = []
    /// `queue`: the journal and the retry policy.
    public var queue = QueueConfig()
    /// `limit`: outbound traffic shaping.
    public var limits = DeliveryLimitsConfig()
    /// `delivery priority`: the delivery thread's CPU priority.
    public var deliveryPriority = ConfigDefaults.deliveryPriority
    /// `resolver`: the DNS server for MX lookups; nil for the system's.
    public var resolver: ResolverConfig?
    /// `metrics`: the Prometheus endpoint; nil when disabled.
    public var metrics: MetricsConfig?
    /// `control socket`: the Unix socket `ternctl` uses.
    public var controlSocketPath = ConfigDefaults.controlSocketPath
    /// `bounce`: DSN policy.
    public var bounce = BounceConfig()
    /// `user`: the account ternd switches to once its listeners are bound,
    /// when started as root; nil keeps the user it was started as.
    public var user: String?

    /// The configuration of an empty file: every default, the default listener and no rules.
    public init(hostname: String) {
        self.hostname = hostname
        self.listeners = [
            ListenerConfig(address: .ip(ConfigDefaults.listenAddress), port: ConfigDefaults.listenPort, hostname: hostname)
        ]
    }

    /// Parses and validates configuration text.
    ///
    /// - Parameters:
    ///   - text: the configuration.
    ///   - fileName: the name errors give for the text.
    ///   - hostname: the system host name, the default of `hostname`.
    /// - Throws: the first ``ConfigError`` in the file (use ``diagnose(text:fileName:hostname:)`` for all).
    public static func parse(text: String, fileName: String = "tern.conf", hostname: String) throws(ConfigError) -> Configuration {
        let (configuration, errors) = ConfigParser.parse(text: text, fileName: fileName, hostname: hostname)
        if let first = errors.first { throw first }
        return configuration
    }

    /// Every error in configuration text, in file order: all syntax errors, or,
    /// when there are none, all errors of the cross-statement checks. Empty when the text is valid.
    public static func diagnose(text: String, fileName: String = "tern.conf", hostname: String) -> [ConfigError] {
        ConfigParser.parse(text: text, fileName: fileName, hostname: hostname).1
    }

    /// The effective configuration in the configuration language, every default
    /// explicit, names sorted where the file order does not matter. This is what
    /// `ternd -n -f FILE` prints; parsing it gives back an equal configuration.
    public var effectiveDescription: String {
        ConfigPrinter.print(self)
    }
}
