import Envelope
import Foundation
import Logging
import NIOEmbedded
import Prometheus
import Queue
import Testing
import Transport

@testable import Server

/// The scheduler over a real journal in a temporary directory, delivering
/// with MDA commands only (no network): how the batches of one message are
/// recorded together.
@Suite("DeliveryScheduler", .serialized)
struct DeliverySchedulerTests {
    /// A temporary directory with the journal, the MDA scripts and the sender's maildir.
    final class Site: @unchecked Sendable {
        // @unchecked: only immutable lets after init.
        let path: String
        let journal: Journal
        let scheduler: DeliveryScheduler

        /// `a.test` answers with `aScript`, `b.test` with `bScript` (shell bodies); DSNs go to a maildir.
        init(aScript: String, bScript: String, maxConcurrentDeliveries: Int) throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-scheduler-\(UUID().uuidString)").path
            let configuration = try Configuration.parse(text: """
                queue path "\(path)/queue" retry 1s..1s expire 4h warn 1h
                action "a" mda "\(path)/a.sh"
                action "b" mda "\(path)/b.sh"
                action "local" maildir "\(path)/mail/%{user.username}"
                match from any for domain "a.test" action "a"
                match from any for domain "b.test" action "b"
                match from any for domain "sender.test" action "local"
                """, hostname: "mx.test")
            // Made once the configuration is known to parse, so a bad one leaves nothing behind.
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for (name, script) in [("a.sh", aScript), ("b.sh", bScript)] {
                _ = FileManager.default.createFile(atPath: "\(path)/\(name)", contents: Data("#!/bin/sh\ncat >/dev/null\n\(script)\n".utf8))
                chmod("\(path)/\(name)", 0o755)
            }
            let store = ConfigurationStore(try ConfigurationStore.load(configuration))
            let logger = Logger(label: "tern.delivery", factory: { _ in SwiftLogNoOpLogHandler() })
            let metrics = DaemonMetrics(factory: DaemonMetrics.prometheusFactory(registry: PrometheusCollectorRegistry()))
            journal = try Journal(path: configuration.queue.path)
            let remote = RemoteDeliveryAgent(
                resolver: SystemResolver(), group: NIOAsyncTestingEventLoop(), store: store, hostname: "mx.test",
                pool: ConnectionPool(metrics: metrics), limiter: DestinationLimiter(limits: configuration.limits), logger: logger
            )
            scheduler = DeliveryScheduler(
                journal: journal, store: store, agents: DeliveryAgents(local: LocalDeliveryAgent(store: store), remote: remote),
                metrics: metrics, logger: logger, maxConcurrentDeliveries: maxConcurrentDeliveries, idlePoll: .milliseconds(100)
            )
        }

        deinit {
            journal.close()
            try? FileManager.default.removeItem(atPath: path)
        }

        /// Enqueues a message from alice@sender.test to `recipients`.
        func enqueue(to recipients: [String]) async throws -> MessageID {
            let body = Array("Subject: grouped\r\n\r\nbody\r\n".utf8)
            let now = Date()
            let envelope = Envelope(
                id: MessageIDGenerator().next(now: now), sender: .mailbox(MailAddress(localPart: "alice", domain: "sender.test")),
                size: body.count, arrival: now, expiry: now.addingTimeInterval(3600), clientAddress: "192.0.2.1", heloName: "client.test"
            )
            let parsed = recipients.map { address in
                let parts = address.split(separator: "@")
                return Recipient(address: MailAddress(localPart: String(parts[0]), domain: String(parts[1])), nextAttempt: now)
            }
            try await journal.enqueue(NewMessage(envelope: envelope, recipients: parsed, body: .bytes(body)))
            scheduler.notify()
            return envelope.id
        }

        /// The messages in the journal, the DSNs among them apart.
        func messages() throws -> (originals: [QueuedMessage], reports: [QueuedMessage]) {
            let all = try journal.messageIDs().compactMap { try journal.message($0) }
            return (all.filter { !$0.envelope.flags.contains(.isDSN) }, all.filter { $0.envelope.flags.contains(.isDSN) })
        }

        /// The text of every report delivered to alice's maildir.
        func deliveredReports() -> [String] {
            let directory = "\(path)/mail/alice/new"
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return files.compactMap { try? String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8) }
        }

        /// Runs the scheduler while `body` runs.
        func running(_ body: () async throws -> Void) async throws {
            let task = Task { try await scheduler.run() }
            do {
                try await body()
            } catch {
                task.cancel()
                _ = try? await task.value
                throw error
            }
            task.cancel()
            _ = try? await task.value
        }
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    static let reject = "echo 'no such user here'; exit 67"

    @Test("log delays have two decimals", arguments: [(0.0, "0.00"), (0.004, "0.00"), (0.005, "0.01"), (1.5, "1.50"), (12.345, "12.35"), (3600.07, "3600.07"), (-1, "0.00")])
    func logDelay(interval: Double, expected: String) {
        #expect(DeliveryScheduler.seconds(interval) == expected)
    }

    @Test("recipients at two destinations that fail in one pass get one failure DSN listing both, even with one delivery slot")
    func oneReportForTwoDestinations() async throws {
        let site = try Site(aScript: Self.reject, bScript: "sleep 0.5; \(Self.reject)", maxConcurrentDeliveries: 1)
        try await site.running {
            let id = try await site.enqueue(to: ["x@a.test", "y@b.test"])
            #expect(try await Self.eventually { try site.journal.message(id)?.completed != nil })
            #expect(await Self.eventually { site.deliveredReports().count == 1 })
            let (_, reports) = try site.messages()
            #expect(reports.count == 1)
            let report = try #require(site.deliveredReports().first)
            #expect(report.contains("Final-Recipient: rfc822; x@a.test"))
            #expect(report.contains("Final-Recipient: rfc822; y@b.test"))
            #expect(report.components(separatedBy: "Action: failed").count - 1 == 2)
            let recipients = try #require(try site.journal.message(id)).recipients
            #expect(recipients.map(\.state) == [.failed, .failed])
            #expect(recipients.map(\.attempts) == [1, 1])
        }
    }

    @Test("when one destination fails and the other delivers, the one DSN names only the failed recipient")
    func failedAndDelivered() async throws {
        let site = try Site(aScript: Self.reject, bScript: "sleep 0.5; exit 0", maxConcurrentDeliveries: 64)
        try await site.running {
            let id = try await site.enqueue(to: ["x@a.test", "y@b.test"])
            #expect(try await Self.eventually { try site.journal.message(id)?.completed != nil })
            #expect(await Self.eventually { site.deliveredReports().count == 1 })
            let report = try #require(site.deliveredReports().first)
            #expect(report.contains("Final-Recipient: rfc822; x@a.test"))
            #expect(!report.contains("y@b.test"))
            let recipients = try #require(try site.journal.message(id)).recipients
            #expect(recipients.map(\.state) == [.failed, .delivered])
            #expect(recipients.map(\.attempts) == [1, 1])
        }
    }

    @Test("many two-destination messages through one delivery slot: each completes with exactly one DSN")
    func manyGroupsThroughOneSlot() async throws {
        let site = try Site(aScript: "sleep 0.1; \(Self.reject)", bScript: Self.reject, maxConcurrentDeliveries: 1)
        try await site.running {
            var ids: [MessageID] = []
            for number in 0..<6 { ids.append(try await site.enqueue(to: ["x\(number)@a.test", "y\(number)@b.test", "z\(number)@b.test"])) }
            #expect(try await Self.eventually(40) { try ids.allSatisfy { try site.journal.message($0)?.completed != nil } })
            let (_, reports) = try site.messages()
            #expect(reports.count == ids.count)
            #expect(await Self.eventually { site.deliveredReports().count == ids.count })
            for number in 0..<6 {
                let report = site.deliveredReports().filter { $0.contains("x\(number)@a.test") }
                #expect(report.count == 1)
                #expect(report.first?.contains("y\(number)@b.test") == true)
                #expect(report.first?.contains("z\(number)@b.test") == true)
            }
        }
    }

    @Test("a temporary failure at one destination and a permanent one at the other: one DSN, the deferred recipient retried")
    func failedAndDeferred() async throws {
        let marker = "$(dirname $0)/b-once"
        let site = try Site(
            aScript: Self.reject, bScript: "if [ -e \(marker) ]; then exit 0; fi; touch \(marker); echo busy; exit 75", maxConcurrentDeliveries: 64
        )
        try await site.running {
            let id = try await site.enqueue(to: ["x@a.test", "y@b.test"])
            #expect(try await Self.eventually { try site.journal.message(id)?.completed != nil })
            #expect(await Self.eventually { site.deliveredReports().count == 1 })
            let report = try #require(site.deliveredReports().first)
            #expect(report.contains("Final-Recipient: rfc822; x@a.test"))
            #expect(!report.contains("y@b.test"))
            let recipients = try #require(try site.journal.message(id)).recipients
            #expect(recipients.map(\.state) == [.failed, .delivered])
            #expect(recipients.map(\.attempts) == [1, 2])
            try await Task.sleep(for: .milliseconds(300))
            #expect(site.deliveredReports().count == 1)
        }
    }

    /// Waits until destination a's script has run while b's (sleeping) is still running.
    static func waitForFirstBatch(_ site: Site) async -> Bool {
        await eventually { FileManager.default.fileExists(atPath: "\(site.path)/a-ran") }
    }

    static let markRan = "touch \"$(dirname \"$0\")/a-ran\""

    @Test("hold while one batch of the message waits for the other: both recipients held when the group is recorded")
    func holdWhileWaiting() async throws {
        let site = try Site(aScript: "\(Self.markRan); echo busy; exit 75", bScript: "sleep 1.5; echo busy; exit 75", maxConcurrentDeliveries: 64)
        try await site.running {
            let id = try await site.enqueue(to: ["x@a.test", "y@b.test"])
            #expect(await Self.waitForFirstBatch(site))
            try await Task.sleep(for: .milliseconds(200))
            let summary = try await site.scheduler.perform(.hold, on: [id])
            #expect(summary.contains("1 message in flight, held when the attempt ends"), "\(summary)")
            #expect(try await Self.eventually { try site.journal.message(id)?.recipients.map(\.state) == [.held, .held] })
            let recipients = try #require(try site.journal.message(id)).recipients
            #expect(recipients.map(\.attempts) == [1, 1])
            #expect(await site.scheduler.pendingHolds.isEmpty)
        }
    }

    @Test("remove while one batch of the message waits for the other: removed with the group's outcomes and its one DSN")
    func removeWhileWaiting() async throws {
        let site = try Site(aScript: "\(Self.markRan); \(Self.reject)", bScript: "sleep 1.5; \(Self.reject)", maxConcurrentDeliveries: 64)
        try await site.running {
            let id = try await site.enqueue(to: ["x@a.test", "y@b.test"])
            #expect(await Self.waitForFirstBatch(site))
            try await Task.sleep(for: .milliseconds(200))
            let summary = try await site.scheduler.perform(.remove, on: [id])
            #expect(summary.contains("1 message in flight, removed when the attempt ends"), "\(summary)")
            #expect(try await Self.eventually { try site.journal.message(id) == nil })
            #expect(await Self.eventually { site.deliveredReports().count == 1 })
            let report = try #require(site.deliveredReports().first)
            #expect(report.contains("Final-Recipient: rfc822; x@a.test"))
            #expect(report.contains("Final-Recipient: rfc822; y@b.test"))
            #expect(await site.scheduler.pendingRemovals.isEmpty)
        }
    }
}
