import Foundation
import Testing

@testable import Server

@Suite("Configuration")
struct ConfigurationTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let expected: Configuration
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ change: (inout Configuration) -> Void = { _ in }) {
            self.name = name
            self.text = text
            var config = Configuration(hostname: ConfigFixtures.hostname)
            change(&config)
            self.expected = config
        }
    }

    typealias C = MatchRule.Criterion
    static let ip = ConfigFixtures.ip

    static let fixtures: [Fixture] = [
        Fixture("an empty file is every default", ""),
        Fixture("comments and blank lines are nothing", "# a comment\n\n   # another\n"),
        Fixture("a listener without port gets 25 and the global host name", "listen on 192.0.2.1") {
            $0.listeners = [ListenerConfig(address: .ip(ip("192.0.2.1")), port: 25, hostname: ConfigFixtures.hostname)]
        },
        Fixture("an smtps listener without port gets 465", "pki p cert c key k\nlisten on ::1 smtps pki p") {
            $0.pkis["p"] = PKIConfig(name: "p", certificatePath: "c", keyPath: "k")
            $0.listeners = [ListenerConfig(address: .ip(ip("::1")), port: 465, tls: .implicitTLS, pki: "p", hostname: ConfigFixtures.hostname)]
        },
        Fixture("user names the account to run as after binding", "user _tern") {
            $0.user = "_tern"
        },
        Fixture("a hostname set after a listener still applies to it", "listen on lo port 26\nhostname late.example") {
            $0.hostname = "late.example"
            $0.listeners = [ListenerConfig(address: .interface("lo"), port: 26, hostname: "late.example")]
        },
        Fixture(
            "plaintext auth is allowed when marked insecure",
            "table s { u = p }\npki p cert c key k\nlisten on ::1 port 25 auth <s> insecure\nlisten on ::1 port 26 tls pki p auth-optional <s> insecure"
        ) {
            $0.tables["s"] = .map(["u": "p"])
            $0.pkis["p"] = PKIConfig(name: "p", certificatePath: "c", keyPath: "k")
            $0.listeners = [
                ListenerConfig(address: .ip(ip("::1")), port: 25, auth: .required(table: "s"), allowsPlaintextAuth: true, hostname: ConfigFixtures.hostname),
                ListenerConfig(
                    address: .ip(ip("::1")), port: 26, tls: .startTLS, pki: "p", auth: .optional(table: "s"),
                    allowsPlaintextAuth: true, hostname: ConfigFixtures.hostname
                ),
            ]
        },
        Fixture("macros expand in unquoted positions only", "addr = \"192.0.2.9\"\nport = 2600\nlisten on $addr port $port\nqueue path \"$addr\"") {
            $0.listeners = [ListenerConfig(address: .ip(ip("192.0.2.9")), port: 2600, hostname: ConfigFixtures.hostname)]
            $0.queue.path = "$addr"
        },
        Fixture("durations take every unit and bare seconds", "queue retry 90..2w expire 3650d warn 1h retention 0s") {
            $0.queue.retryMinimum = .seconds(90)
            $0.queue.retryMaximum = .seconds(14 * 86_400)
            $0.queue.expire = .seconds(3650 * 86_400)
            $0.queue.warn = .seconds(3600)
            $0.queue.retention = .zero
        },
        Fixture("a single retry duration is both bounds", "queue retry 10m") {
            $0.queue.retryMinimum = .seconds(600)
            $0.queue.retryMaximum = .seconds(600)
        },
        Fixture("sizes take K, M and G in either case", "smtp max-message-size 64k\nqueue map-size 1g") {
            $0.smtp.maxMessageSize = 64 * 1024
            $0.queue.mapSize = 1 << 30
        },
        Fixture(
            "every smtp timeout can be set",
            "smtp timeout command 1m data 2m initial 3m mail 4m rcpt 5m data-init 6m data-block 7m data-termination 8m"
        ) {
            $0.smtp.timeouts.command = .seconds(60)
            $0.smtp.timeouts.data = .seconds(120)
            $0.smtp.timeouts.initial = .seconds(180)
            $0.smtp.timeouts.mail = .seconds(240)
            $0.smtp.timeouts.recipient = .seconds(300)
            $0.smtp.timeouts.dataInitiation = .seconds(360)
            $0.smtp.timeouts.dataBlock = .seconds(420)
            $0.smtp.timeouts.dataTermination = .seconds(480)
        },
        Fixture("smtp limits may span several statements", "smtp limits sessions 5\nsmtp limits per-client 2 errors 3 line-length 2000") {
            $0.smtp.limits.sessions = 5
            $0.smtp.limits.sessionsPerClient = 2
            $0.smtp.limits.errorsPerSession = 3
            $0.smtp.limits.lineLength = 2000
        },
        Fixture("resolver system and metrics none are the defaults", "resolver system\nmetrics none\nsmtp reject-delay 2s") {
            $0.smtp.rejectDelay = .seconds(2)
        },
        Fixture("resolver and metrics ports default", "resolver ::1\nmetrics listen on 127.0.0.1") {
            $0.resolver = ResolverConfig(address: ip("::1"), port: 53)
            $0.metrics = MetricsConfig(address: ip("127.0.0.1"), port: 9125)
        },
        Fixture("limit default merges over the defaults; domains inherit", "limit default rate 5/m\nlimit domain \"Big.Example\" connections 3") {
            $0.limits.defaultLimits.rate = .limited(count: 5, per: .minute)
            $0.limits.domainOverrides["big.example"] = DeliveryLimitsConfig.DomainOverride(connections: 3)
        },
        Fixture("delivery priority", "delivery priority normal") {
            $0.deliveryPriority = .normal
        },
        Fixture("inline tables may span lines and end with a comma", "table t {\n  a = 1,   # first\n  b = \"two\",\n}\ntable u { }\ntable v ./aliases") {
            $0.tables = ["t": .map(["a": "1", "b": "two"]), "u": .list([]), "v": .file(path: "./aliases")]
        },
        Fixture(
            "relay hosts get their scheme's port",
            "table s { l = \"u:p\" }\naction r1 relay host smtp+tls://l@relay.example auth <s>\naction r2 relay host lmtp://[::1]\naction r3 relay host smtp://192.0.2.1:2525 tls"
        ) {
            $0.tables["s"] = .map(["l": "u:p"])
            let host = ConfigFixtures.hostname
            $0.actions = [
                "r1": ActionConfig(name: "r1", method: .relay(RelayConfig(
                    route: .host(RelayConfig.Host(scheme: .smtpStartTLS, user: "l", host: "relay.example", port: 25)),
                    helo: host, tls: .required, authTable: "s"
                ))),
                "r2": ActionConfig(name: "r2", method: .relay(RelayConfig(
                    route: .host(RelayConfig.Host(scheme: .lmtp, host: "::1", port: 24)), helo: host
                ))),
                "r3": ActionConfig(name: "r3", method: .relay(RelayConfig(
                    route: .host(RelayConfig.Host(scheme: .smtp, host: "192.0.2.1", port: 2525)), helo: host, tls: .required
                ))),
            ]
        },
        Fixture("backup without mx uses the host name", "action b relay backup tls opportunistic") {
            $0.actions["b"] = ActionConfig(name: "b", method: .relay(RelayConfig(
                route: .backup(mxName: ConfigFixtures.hostname), helo: ConfigFixtures.hostname
            )))
        },
        Fixture("lmtp reaches IPv6 hosts in brackets", "action s lmtp \"[2001:db8::24]:24\"") {
            $0.actions["s"] = ActionConfig(name: "s", method: .lmtp(destination: .tcp(host: "2001:db8::24", port: 24), usesRecipientAddress: false))
        },
        Fixture("a maildir path may be a bare word", "action m maildir /srv/mail/%{rcpt.domain}/%{rcpt.user}") {
            $0.actions["m"] = ActionConfig(name: "m", method: .maildir(pathTemplate: "/srv/mail/%{rcpt.domain}/%{rcpt.user}"))
        },
        Fixture(
            "rules get from local and for local when they leave them out",
            "action a mbox\nmatch action a\nmatch for domain \"x.example\" reject\nmatch from any reject\nlisten on ::1 tag T\nmatch tag T for any reject"
        ) {
            $0.actions["a"] = ActionConfig(name: "a", method: .mbox(pathTemplate: "/var/mail/%{user.username}"))
            $0.listeners = [ListenerConfig(address: .ip(ip("::1")), port: 25, hostname: ConfigFixtures.hostname, tag: "T")]
            $0.rules = [
                MatchRule(criteria: [C(.fromLocal), C(.forLocal)], decision: .action("a")),
                MatchRule(criteria: [C(.fromLocal), C(.forDomain(.literal("x.example")))], decision: .reject),
                MatchRule(criteria: [C(.fromAny), C(.forLocal)], decision: .reject),
                MatchRule(criteria: [C(.tag("T")), C(.forAny)], decision: .reject),
            ]
        },
        Fixture(
            "criteria keep their order and negations",
            "match ! for domain \"a.example\" from src \"10.0.0.0/8\" ! from mail-from \"<>\" for rcpt \"@b.example\" reject"
        ) {
            $0.rules = [
                MatchRule(criteria: [
                    C(.forDomain(.literal("a.example")), negated: true),
                    C(.fromSource(.network(ConfigFixtures.netmask("10.0.0.0/8")))),
                    C(.fromSender(.literal("<>")), negated: true),
                    C(.forRecipient(.literal("@b.example"))),
                ], decision: .reject)
            ]
        },
    ]

    @Test("parses configuration text into the model", arguments: fixtures)
    func parses(_ fixture: Fixture) throws {
        let config = try Configuration.parse(text: fixture.text, hostname: ConfigFixtures.hostname)
        #expect(config == fixture.expected)
    }

    @Test("parses the full example into the hand-built model")
    func full() throws {
        let config = try Configuration.parse(text: ConfigFixtures.full, hostname: ConfigFixtures.hostname)
        let expected = ConfigFixtures.fullModel
        #expect(config.listeners == expected.listeners)
        #expect(config.actions == expected.actions)
        #expect(config.rules == expected.rules)
        #expect(config.tables == expected.tables)
        #expect(config == expected)
    }

    @Test("resolves queue and limit overrides against the globals")
    func overrides() throws {
        let config = try Configuration.parse(text: ConfigFixtures.full, hostname: ConfigFixtures.hostname)
        let slow = config.queue.policy(forDomain: "SLOW.example")
        #expect(slow == QueueConfig.Policy(retryMinimum: .seconds(600), retryMaximum: .seconds(7200), expire: .seconds(2 * 86_400), warn: .seconds(4 * 3600)))
        #expect(config.queue.policy(forDomain: "other.example") == config.queue.globalPolicy)
        let gmail = config.limits.limits(forDomain: "gmail.com")
        #expect(gmail == DeliveryLimitsConfig.Limits(connections: 20, messagesPerConnection: 100, rate: .limited(count: 100, per: .second)))
        #expect(config.limits.limits(forDomain: "x.example") == config.limits.defaultLimits)
    }

    @Test("loads a file and names it in errors")
    func load() throws {
        let path = "/tmp/tern-config-test-\(UInt32.random(in: 0...UInt32.max)).conf"
        try "hostname file.example\nlisten on ::1 port abc\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigError.self) { try Configuration.load(path: path) }
        do {
            _ = try Configuration.load(path: path, hostname: "h.example")
        } catch {
            #expect(error.description == "\(path):2:20: expected a port number after 'port', found 'abc'")
        }
        try "listen on ::1 port 2600\n".write(toFile: path, atomically: true, encoding: .utf8)
        let config = try Configuration.load(path: path, hostname: "h.example")
        #expect(config.listeners.map(\.port) == [2600])
        #expect(config.hostname == "h.example")
    }

    @Test("reports an unreadable file without a line")
    func unreadable() {
        do {
            _ = try Configuration.load(path: "/nonexistent/tern.conf", hostname: "h")
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error.kind == .unreadableFile)
            #expect(error.description == "/nonexistent/tern.conf: cannot open the file: No such file or directory")
        }
    }

    @Test("finds the system host name")
    func systemHostname() {
        #expect(ConfigValue.isHostName(Configuration.systemHostname()))
    }
}
