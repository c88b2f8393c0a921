import Envelope
import Foundation
import Testing

@testable import Server

@Suite("ConfigDefaults")
struct ConfigDefaultsTests {
    /// The repository's `etc/tern.conf`, found from this source file.
    static func shippedText() throws -> String {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("etc/tern.conf"), encoding: .utf8)
    }

    @Test("the embedded default parses and listens on loopback port 2525")
    func embedded() throws {
        let config = try Configuration.embeddedDefault(hostname: ConfigFixtures.hostname)
        #expect(config.listeners.map { "\($0.address) \($0.port)" } == ["127.0.0.1 2525", "::1 2525"])
        #expect(config.listeners.allSatisfy { $0.tls == .none && $0.auth == .none })
        #expect(config.queue.path == "./var/queue")
        #expect(config.controlSocketPath == "./var/control.sock")
        #expect(config.actions["local"]?.method == .maildir(pathTemplate: "./var/mail/%{user.username}/Maildir"))
    }

    @Test("the embedded default delivers local names and relays nothing", arguments: [
        ("localhost", RouteDecision.action("local")),
        ("LOCALHOST.", .action("local")),
        ("localhost.localdomain", .action("local")),
        (ConfigFixtures.hostname, .action("local")),
        ("example.com", .reject),
    ])
    func embeddedRoutes(domain: String, decision: RouteDecision) throws {
        let config = try Configuration.embeddedDefault(hostname: ConfigFixtures.hostname)
        for client in ["127.0.0.1", "192.0.2.1"] {
            let facts = RoutingFacts(clientAddress: client, sender: "a@b.example", recipientLocalPart: "user", recipientDomain: domain)
            #expect(config.route(for: facts) == decision)
        }
    }

    @Test("the shipped etc/tern.conf is the embedded default plus comments")
    func shipped() throws {
        let text = try Self.shippedText()
        #expect(text.hasPrefix(Configuration.embeddedDefaultText))
        let rest = text.dropFirst(Configuration.embeddedDefaultText.count)
        #expect(rest.split(separator: "\n").allSatisfy { $0.hasPrefix("#") })
        let shipped = try Configuration.parse(text: text, fileName: "etc/tern.conf", hostname: ConfigFixtures.hostname)
        #expect(shipped == (try Configuration.embeddedDefault(hostname: ConfigFixtures.hostname)))
    }

    @Test("the commented examples in etc/tern.conf form a valid configuration")
    func shippedExamples() throws {
        let text = try Self.shippedText()
        let examples = text.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("# ----") }.dropFirst()
            .drop { !$0.hasPrefix("# ----") }.dropFirst()
            .filter { $0.hasPrefix("# ") }
            .map { $0.dropFirst(2) }
            .joined(separator: "\n")
        #expect(examples.contains("match"))
        let errors = Configuration.diagnose(text: examples, fileName: "examples", hostname: ConfigFixtures.hostname)
        #expect(errors.map(\.description) == [])
    }

    @Test("an empty configuration is exactly the documented defaults")
    func emptyIsDefaults() throws {
        let config = try Configuration.parse(text: "", hostname: "h.example")
        #expect(config == Configuration(hostname: "h.example"))
        #expect(config.listeners == [ListenerConfig(address: .ip(ConfigFixtures.ip("127.0.0.1")), port: 2525, hostname: "h.example")])
        #expect(config.queue.path == "./var/queue")
        #expect(config.queue.globalPolicy == QueueConfig.Policy(
            retryMinimum: .seconds(300), retryMaximum: .seconds(3600), expire: .seconds(4 * 86_400), warn: .seconds(4 * 3600)
        ))
        #expect(config.queue.retention == .seconds(86_400))
        #expect(config.queue.mapSize == 16 * 1024 * 1024 * 1024)
        #expect(config.smtp.maxMessageSize == 35 * 1024 * 1024)
        let limits = config.smtp.limits
        let limitValues: [Int] = [
            limits.recipientsPerMessage, limits.sessions, limits.sessionsPerClient, limits.errorsPerSession, limits.lineLength, limits.commandLength,
        ]
        #expect(limitValues == [1000, 1000, 50, 10, 1000, 512])
        let timeouts = config.smtp.timeouts
        let seconds: [Int64] = [timeouts.command, timeouts.data, timeouts.initial, timeouts.mail, timeouts.recipient, timeouts.dataInitiation, timeouts.dataBlock, timeouts.dataTermination]
            .map(\.components.seconds)
        #expect(seconds == [300, 600, 300, 300, 300, 120, 180, 600])
        #expect(config.smtp.rejectDelay == .zero)
        #expect(config.smtp.bareLineFeed == .reject)
        #expect(config.controlSocketPath == "./var/control.sock")
        #expect(config.resolver == nil)
        #expect(config.metrics == nil)
        #expect(config.bounce.warnOnMissingNotify)
        #expect(config.bounce.defaultReturn == .full)
        #expect(config.bounce.maximumReturnedSize == 64 * 1024)
        #expect(config.bounce.postmaster == nil)
        #expect(config.bounce.dsnOptions == DSNOptions())
        #expect(config.listeners.allSatisfy { !$0.suppressesReports })
        #expect(config.rules.isEmpty)
        #expect(config.route(for: RoutingFacts(clientAddress: "127.0.0.1", sender: "", recipientLocalPart: "a", recipientDomain: "localhost")) == .noMatch)
    }
}
