import ArgumentParser
import Envelope
import Foundation
import Queue

/// Benchmarks for Tern. `tools/bench` runs them with a release build.
@main
struct TernBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern-bench",
        abstract: "Measures Tern on this machine.",
        subcommands: [JournalBench.self, PopulateQueue.self, QueueCounts.self, LatencyBench.self]
    )
}

/// Durable enqueues per second through the group committer.
struct JournalBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Durable journal enqueues/s (envelope, one recipient, body, due index) by message size and producer count."
    )

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 3

    @Option(help: "Message sizes in bytes, comma-separated.")
    var sizes: String = "1024,102400"

    @Option(help: "Concurrent producer counts, comma-separated.")
    var producers: String = "1,16,64"

    @Option(help: "Directory for the scratch journals (on the disk to measure).")
    var directory: String = "./var/bench"

    func run() async throws {
        let sizeList = try parseList(sizes, "--sizes")
        let producerList = try parseList(producers, "--producers")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        print("raw fsync rate: \(Int(try fsyncRate())) syncs/s (4 KB write + fdatasync)")
        print("")
        print("| size | producers | enqueues/s | MB/s | commits | avg batch | × 1 producer |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for size in sizeList {
            var single: Double?
            for count in producerList {
                let result = try await measure(size: size, producers: count)
                if count == 1 { single = result.rate }
                let ratio = single.map { String(format: "%.1f×", result.rate / $0) } ?? "–"
                print(String(
                    format: "| %d | %d | %.0f | %.1f | %d | %.1f | %@ |",
                    size, count, result.rate, result.rate * Double(size) / 1_048_576, result.commits,
                    Double(result.submissions) / Double(max(1, result.commits)), ratio
                ))
            }
        }
    }

    private func parseList(_ text: String, _ name: String) throws -> [Int] {
        let values = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 > 0 }) else { throw ValidationError("\(name) takes positive integers, comma-separated") }
        return values
    }

    private func fsyncRate() throws -> Double {
        let path = directory + "/fsync-probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create \(path)") }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        let start = ContinuousClock.now
        var syncs = 0
        while ContinuousClock.now - start < .seconds(1) {
            _ = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            fdatasync(fd)
            syncs += 1
        }
        return Double(syncs) / ((ContinuousClock.now - start) / .seconds(1))
    }

    private func measure(size: Int, producers: Int) async throws -> (rate: Double, commits: Int, submissions: Int) {
        let path = directory + "/journal-\(size)-\(producers)"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try Journal(path: path)
        defer { journal.close() }
        let generator = MessageIDGenerator()
        let body = [UInt8](repeating: 0x61, count: size)
        let duration = Duration.milliseconds(Int(seconds * 1000))
        let start = ContinuousClock.now
        let deadline = start + duration
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<producers {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < deadline {
                        let now = Date()
                        let envelope = Envelope(
                            id: generator.next(now: now),
                            sender: .mailbox(MailAddress(localPart: "bench", domain: "example.test")),
                            size: body.count, arrival: now, expiry: now.addingTimeInterval(345_600),
                            clientAddress: "127.0.0.1", heloName: "bench.example.test"
                        )
                        let recipient = Recipient(address: MailAddress(localPart: "user", domain: "example.test"), nextAttempt: now)
                        try await journal.enqueue(NewMessage(envelope: envelope, recipients: [recipient], body: .bytes(body)))
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - start) / .seconds(1)
        let stats = journal.commitStatistics
        return (Double(total) / elapsed, stats.commits, stats.submissions)
    }
}
