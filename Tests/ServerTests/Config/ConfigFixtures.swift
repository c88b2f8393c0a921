import Envelope
import Testing

@testable import Server

/// Configuration texts shared by the configuration tests.
enum ConfigFixtures {
    /// The host name tests pass as the system's.
    static let hostname = "host.example"

    /// Every statement of the language at least once, with most options.
    static let full = #"""
        # global
        hostname "mx.example.com"
        smtp max-message-size 35M
        smtp limits recipients 1000 sessions 1000 per-client 50 errors 10 line-length 1000 command-length 512
        smtp timeout command 5m data 10m
        smtp reject-delay 0s
        smtp bare-lf normalize
        pki mx.example.com cert "/etc/tern/mx.crt" key "/etc/tern/mx.key"
        table aliases file:/etc/tern/aliases
        table secrets file:/etc/tern/secrets
        table trusted { 192.0.2.0/24, ::1 }
        table senders { alice@example.com, @example.org }
        table rcpts { postmaster@example.com }
        table domains { example.com, example.org }      # inline list
        table users { alice = alice@example.net, bob = "bob@x" }   # inline map
        table vusers sqlite:/etc/tern/users.db
        queue path "/var/spool/tern" retry 5m..1h expire 4d warn 4h retention 24h
        queue map-size 16G
        queue domain "slow.example" retry 10m..2h expire 2d
        resolver 127.0.0.1 port 5353
        limit domain "gmail.com" connections 20 messages-per-connection 100 rate 100/s
        limit default connections 10
        delivery priority low
        metrics listen on 127.0.0.1 port 9125
        control socket "/var/run/tern/control.sock"
        bounce warn-on-missing-notify no
        bounce return headers
        bounce max-return-size 128K
        bounce postmaster postmaster@example.com
        submit_port = 587

        listen on 127.0.0.1 port 2525
        listen on ::1 port 2525
        listen on 0.0.0.0 port $submit_port tls-require pki mx.example.com auth <secrets> \
            hostname submit.example.com tag SUBMIT
        listen on 0.0.0.0 port 465 smtps pki mx.example.com auth-optional <secrets> mask-src
        listen on lo port 25 tls pki mx.example.com no-dsn

        action "local" maildir "/var/mail/%{user.username}/Maildir" alias <aliases>
        action "mbox" mbox alias <aliases>
        action "mda" mda "/usr/bin/procmail -f %{sender}" virtual <vusers>
        action "store" lmtp "127.0.0.1:24" rcpt-to
        action "store2" lmtp "/var/run/dovecot/lmtp"
        action "outbound" relay helo mx.example.com src 192.0.2.1 tls verify
        action "smarthost" relay host smtps://user@smtp.example.com:465 auth <secrets>
        action "backup" relay backup mx mx1.example.com
        action "users" maildir userbase <users> forward-file

        match from any for domain "example.com" action "store"
        match from local for local action "local"
        match from src <trusted> for any action "outbound"
        match from auth <secrets> for any action "outbound"
        match from auth for any action "smarthost"
        match tag SUBMIT for any action "outbound"
        match from any for domain <domains> action "store"
        match from mail-from <senders> for rcpt <rcpts> action "local"
        match from any for rcpt "postmaster@example.com" action "users"
        match from any for domain "backup.example" action "backup"
        match ! from local for any reject
        """#

    /// The configuration ``full`` describes, built by hand.
    static var fullModel: Configuration {
        var config = Configuration(hostname: "mx.example.com")
        config.smtp.bareLineFeed = .normalize
        config.deliveryPriority = .low
        config.pkis["mx.example.com"] = PKIConfig(name: "mx.example.com", certificatePath: "/etc/tern/mx.crt", keyPath: "/etc/tern/mx.key")
        config.tables = [
            "aliases": .file(path: "/etc/tern/aliases"),
            "secrets": .file(path: "/etc/tern/secrets"),
            "trusted": .list(["192.0.2.0/24", "::1"]),
            "senders": .list(["alice@example.com", "@example.org"]),
            "rcpts": .list(["postmaster@example.com"]),
            "domains": .list(["example.com", "example.org"]),
            "users": .map(["alice": "alice@example.net", "bob": "bob@x"]),
            "vusers": .sqlite(path: "/etc/tern/users.db"),
        ]
        config.queue.path = "/var/spool/tern"
        config.queue.domainOverrides["slow.example"] = QueueConfig.DomainOverride(
            retryMinimum: .seconds(600), retryMaximum: .seconds(7200), expire: .seconds(2 * 86_400)
        )
        config.resolver = ResolverConfig(address: ip("127.0.0.1"), port: 5353)
        config.limits.domainOverrides["gmail.com"] = DeliveryLimitsConfig.DomainOverride(
            connections: 20, messagesPerConnection: 100, rate: .limited(count: 100, per: .second)
        )
        config.metrics = MetricsConfig(address: ip("127.0.0.1"), port: 9125)
        config.controlSocketPath = "/var/run/tern/control.sock"
        config.bounce.warnOnMissingNotify = false
        config.bounce.defaultReturn = .headers
        config.bounce.maximumReturnedSize = 128 * 1024
        config.bounce.postmaster = MailAddress(localPart: "postmaster", domain: "example.com")
        config.listeners = [
            ListenerConfig(address: .ip(ip("127.0.0.1")), port: 2525, hostname: "mx.example.com"),
            ListenerConfig(address: .ip(ip("::1")), port: 2525, hostname: "mx.example.com"),
            ListenerConfig(
                address: .ip(ip("0.0.0.0")), port: 587, tls: .startTLSRequired, pki: "mx.example.com",
                auth: .required(table: "secrets"), hostname: "submit.example.com", tag: "SUBMIT"
            ),
            ListenerConfig(
                address: .ip(ip("0.0.0.0")), port: 465, tls: .implicitTLS, pki: "mx.example.com",
                auth: .optional(table: "secrets"), hostname: "mx.example.com", masksSource: true
            ),
            ListenerConfig(
                address: .interface("lo"), port: 25, tls: .startTLS, pki: "mx.example.com", hostname: "mx.example.com",
                suppressesReports: true
            ),
        ]
        let actions = [
            ActionConfig(name: "local", method: .maildir(pathTemplate: "/var/mail/%{user.username}/Maildir"), aliasTable: "aliases"),
            ActionConfig(name: "mbox", method: .mbox(pathTemplate: "/var/mail/%{user.username}"), aliasTable: "aliases"),
            ActionConfig(name: "mda", method: .mda(command: "/usr/bin/procmail -f %{sender}"), virtualTable: "vusers"),
            ActionConfig(name: "store", method: .lmtp(destination: .tcp(host: "127.0.0.1", port: 24), usesRecipientAddress: true)),
            ActionConfig(name: "store2", method: .lmtp(destination: .unix(path: "/var/run/dovecot/lmtp"), usesRecipientAddress: false)),
            ActionConfig(
                name: "outbound",
                method: .relay(RelayConfig(route: .mx, helo: "mx.example.com", sourceAddress: ip("192.0.2.1"), tls: .verified))
            ),
            ActionConfig(
                name: "smarthost",
                method: .relay(RelayConfig(
                    route: .host(RelayConfig.Host(scheme: .smtps, user: "user", host: "smtp.example.com", port: 465)),
                    helo: "mx.example.com", tls: .required, authTable: "secrets"
                ))
            ),
            ActionConfig(name: "backup", method: .relay(RelayConfig(route: .backup(mxName: "mx1.example.com"), helo: "mx.example.com"))),
            ActionConfig(name: "users", method: .maildir(pathTemplate: "%{user.directory}/Maildir"), userbaseTable: "users", usesForwardFile: true),
        ]
        config.actions = Dictionary(uniqueKeysWithValues: actions.map { ($0.name, $0) })
        typealias C = MatchRule.Criterion
        config.rules = [
            MatchRule(criteria: [C(.fromAny), C(.forDomain(.literal("example.com")))], decision: .action("store")),
            MatchRule(criteria: [C(.fromLocal), C(.forLocal)], decision: .action("local")),
            MatchRule(criteria: [C(.fromSource(.table("trusted"))), C(.forAny)], decision: .action("outbound")),
            MatchRule(criteria: [C(.fromAuthenticated(table: "secrets")), C(.forAny)], decision: .action("outbound")),
            MatchRule(criteria: [C(.fromAuthenticated(table: nil)), C(.forAny)], decision: .action("smarthost")),
            MatchRule(criteria: [C(.tag("SUBMIT")), C(.forAny)], decision: .action("outbound")),
            MatchRule(criteria: [C(.fromAny), C(.forDomain(.table("domains")))], decision: .action("store")),
            MatchRule(criteria: [C(.fromSender(.table("senders"))), C(.forRecipient(.table("rcpts")))], decision: .action("local")),
            MatchRule(criteria: [C(.fromAny), C(.forRecipient(.literal("postmaster@example.com")))], decision: .action("users")),
            MatchRule(criteria: [C(.fromAny), C(.forDomain(.literal("backup.example")))], decision: .action("backup")),
            MatchRule(criteria: [C(.fromLocal, negated: true), C(.forAny)], decision: .reject),
        ]
        return config
    }

    /// A literal address that is known to parse.
    static func ip(_ text: String) -> IPLiteral {
        guard let address = IPLiteral(text) else {
            Issue.record("fixture address \(text) does not parse")
            return ConfigDefaults.listenAddress
        }
        return address
    }
}

extension ConfigFixtures {
    /// A netmask that is known to parse.
    static func netmask(_ text: String) -> IPNetmask {
        guard let netmask = IPNetmask(text) else {
            Issue.record("fixture netmask \(text) does not parse")
            return IPNetmask(address: ConfigDefaults.listenAddress, prefixLength: 32)
        }
        return netmask
    }
}
