import Envelope

/// Every default of the configuration language, in one place.
///
/// A setting the configuration does not mention takes the value here;
/// ``Configuration/effectiveDescription`` prints them all explicitly. Relative
/// paths resolve against the daemon's working directory.
public enum ConfigDefaults {
    // MARK: - Listeners

    /// The listener used when the configuration has no `listen` statement: `127.0.0.1`.
    public static let listenAddress = IPLiteral(ipv4: 127, 0, 0, 1)
    /// The port of the listener used when there is no `listen` statement: 2525.
    public static let listenPort = 2525
    /// The port of a `listen on ADDRESS` without `port`: 25 (SMTP, RFC 5321 §4.5.4).
    public static let smtpPort = 25
    /// The port of a `listen on ADDRESS smtps` without `port`: 465 (RFC 8314 §7.3).
    public static let smtpsPort = 465

    // MARK: - Queue

    /// `queue path`: the LMDB journal directory, `./var/queue`.
    public static let queuePath = "./var/queue"
    /// `queue retry MIN..`: the first retry delay, 5 minutes.
    public static let retryMinimum: Duration = .seconds(5 * 60)
    /// `queue retry ..MAX`: the largest retry delay backoff grows to, 1 hour.
    public static let retryMaximum: Duration = .seconds(60 * 60)
    /// `queue expire`: how long a recipient is retried before it fails with 4.4.7, 4 days.
    public static let expire: Duration = .seconds(4 * 24 * 60 * 60)
    /// `queue warn`: when a delay DSN is sent (once), 4 hours.
    public static let warn: Duration = .seconds(4 * 60 * 60)
    /// `delivery priority`: delivery runs on CPU the listeners and the journal leave over, `idle`.
    public static let deliveryPriority = DeliveryPriority.idle
    /// `queue retention`: how long completed messages stay in history for replay, 24 hours.
    public static let retention: Duration = .seconds(24 * 60 * 60)
    /// `queue map-size`: the initial LMDB map size, 16 GiB (it grows on `MDB_MAP_FULL`).
    public static let mapSize = 16 << 30

    // MARK: - SMTP server

    /// `smtp max-message-size`: the SIZE limit (RFC 1870), 35 MiB.
    public static let maxMessageSize = 35 << 20
    /// `smtp limits recipients`: recipients per message, 1000 (at least 100, RFC 5321 §4.5.3.1.8).
    public static let recipientsPerMessage = 1000
    /// `smtp limits sessions`: concurrent inbound sessions, 1000.
    public static let sessions = 1000
    /// `smtp limits per-client`: concurrent inbound sessions from one client address, 50.
    public static let sessionsPerClient = 50
    /// `smtp limits errors`: failed commands before the session is closed with 421, 10.
    public static let errorsPerSession = 10
    /// `smtp limits line-length`: text line length including CRLF, 1000 (RFC 5321 §4.5.3.1.6).
    public static let lineLength = 1000
    /// `smtp limits command-length`: command line length including CRLF, 512 (RFC 5321 §4.5.3.1.4).
    public static let commandLength = 512
    /// The smallest `smtp limits recipients` RFC 5321 §4.5.3.1.8 allows: 100.
    public static let minimumRecipientsPerMessage = 100
    /// The smallest `smtp limits line-length` RFC 5321 §4.5.3.1.6 allows: 1000.
    public static let minimumLineLength = 1000
    /// The smallest `smtp limits command-length` RFC 5321 §4.5.3.1.4 allows: 512.
    public static let minimumCommandLength = 512
    /// `smtp reject-delay`: the pause before a 5xx reply (a tarpit), none.
    public static let rejectDelay: Duration = .zero
    /// `smtp bare-lf`: bare LF in DATA is rejected (SMTP smuggling defence).
    public static let bareLineFeed = SMTPConfig.BareLineFeedPolicy.reject

    // MARK: - SMTP timeouts (RFC 5321 §4.5.3.2)

    /// `smtp timeout command`: the server waits 5 minutes for the next command (§4.5.3.2.7).
    public static let commandTimeout: Duration = .seconds(5 * 60)
    /// `smtp timeout data`: the server waits 10 minutes for the next DATA line or BDAT chunk,
    /// as long as a client waits for the reply to the final dot (§4.5.3.2.6).
    public static let dataTimeout: Duration = .seconds(10 * 60)
    /// `smtp timeout initial`: the client waits 5 minutes for the greeting (§4.5.3.2.1).
    public static let initialTimeout: Duration = .seconds(5 * 60)
    /// `smtp timeout mail`: the client waits 5 minutes for the reply to MAIL (§4.5.3.2.2).
    public static let mailTimeout: Duration = .seconds(5 * 60)
    /// `smtp timeout rcpt`: the client waits 5 minutes for the reply to RCPT (§4.5.3.2.3).
    public static let recipientTimeout: Duration = .seconds(5 * 60)
    /// `smtp timeout data-init`: the client waits 2 minutes for the 354 to DATA (§4.5.3.2.4).
    public static let dataInitiationTimeout: Duration = .seconds(2 * 60)
    /// `smtp timeout data-block`: the client allows 3 minutes per data block sent (§4.5.3.2.5).
    public static let dataBlockTimeout: Duration = .seconds(3 * 60)
    /// `smtp timeout data-termination`: the client waits 10 minutes for the reply to the final dot (§4.5.3.2.6).
    public static let dataTerminationTimeout: Duration = .seconds(10 * 60)

    // MARK: - Outbound limits

    /// `limit … connections`: concurrent connections to one destination domain, 10.
    public static let connectionsPerDomain = 10
    /// `limit … messages-per-connection`: messages sent over one connection before it is closed, 100.
    public static let messagesPerConnection = 100
    /// `limit … rate`: no rate limit.
    public static let rate = DeliveryLimitsConfig.RateSetting.unlimited

    // MARK: - Other services

    /// `control socket`: the Unix control socket `ternctl` talks to, `./var/control.sock`.
    public static let controlSocketPath = "./var/control.sock"
    /// The `resolver ADDRESS` port when `port` is omitted: 53.
    public static let resolverPort = 53
    /// The `metrics listen on ADDRESS` port when `port` is omitted: 9125.
    public static let metricsPort = 9125
    /// `bounce warn-on-missing-notify`: a recipient without NOTIFY gets delay warnings, yes
    /// (RFC 3461 §4.1 leaves this to the MTA).
    public static let warnOnMissingNotify = true
    /// `bounce return`: a failure report returns the whole message when the sender gave no RET, `full`.
    public static let bounceReturn = DSNReturn.full
    /// `bounce max-return-size`: the most octets of the original message a report returns, 64K.
    public static let bounceMaxReturnSize = 64 * 1024
    /// `bounce postmaster`: nobody is told of double bounces, `none`.
    public static let bouncePostmaster: MailAddress? = nil

    // MARK: - Actions

    /// `maildir` without a path: the user's home `Maildir`.
    public static let maildirPath = "%{user.directory}/Maildir"
    /// `mbox` without a path: the system spool file of the user.
    public static let mboxPath = "/var/mail/%{user.username}"
    /// The default port of each `relay host` URL scheme.
    public static func relayPort(for scheme: RelayConfig.Scheme) -> Int {
        switch scheme {
        case .smtp, .smtpStartTLS: 25
        case .smtps: 465
        case .lmtp: 24
        }
    }

    // MARK: - Rules

    /// Domains that `for local` always matches, besides the configured `hostname`:
    /// `localhost` and `localhost.localdomain`.
    public static let localDomains = ["localhost", "localhost.localdomain"]
    /// The table whose entries `for local` also matches, when the configuration defines it: `localnames`.
    public static let localNamesTable = "localnames"
}
