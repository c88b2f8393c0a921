import ArgumentParser
import Foundation

/// The time from writing the final `.` of DATA to reading the server's reply, under
/// N concurrent SMTP sessions, each sending messages in a loop; one thread drives them all
/// with poll(2), as `smtp-source` does with select(2), so that the client competes with the server for the
/// CPU as one thread rather than one per session.
///
/// Each session connects, reads the greeting, sends EHLO, then carries transactions
/// (MAIL, RCPT, DATA, the body; every command waits for its reply, no pipelining)
/// until `--messages-per-connection` or the end of the run, then QUITs and connects
/// again. The sessions' first connections are spread over the first half of the
/// warm-up, so that a server with a short listen backlog (OpenSMTPD's is 5) does not
/// drop their SYNs. Only the end-of-data → 250 time of transactions that end after the warm-up
/// counts. Prints one line of `key=value` pairs for scripts (`tools/bench latency`).
struct LatencyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "End-of-data → 250 latency (p50/p90/p99/max ms) of an SMTP server under N concurrent sessions."
    )

    @Option(help: "Server address (IPv4).")
    var host: String = "127.0.0.1"

    @Option(help: "Server port.")
    var port: Int

    @Option(help: "Concurrent sessions.")
    var sessions: Int = 50

    @Option(help: "Seconds measured (after the warm-up).")
    var seconds: Double = 5

    @Option(help: "Seconds of warm-up, not measured.")
    var warmup: Double = 1

    @Option(help: "Message size in bytes (headers and body).")
    var size: Int = 1024

    @Option(help: "Transactions per connection before QUIT and a new connection.")
    var messagesPerConnection: Int = 100

    @Option(help: "Envelope sender.")
    var from: String = "from@bench.test"

    @Option(help: "Envelope recipient.")
    var to: String = "to@bench.test"

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port takes 1-65535") }
        guard sessions > 0, size > 0, messagesPerConnection > 0 else {
            throw ValidationError("--sessions, --size and --messages-per-connection take positive integers")
        }
        guard seconds > 0, warmup >= 0 else { throw ValidationError("--seconds must be positive, --warmup not negative") }
    }

    func run() throws {
        let plan = LatencySession.Plan(
            host: host, port: UInt16(port), sender: from, recipient: to,
            message: LatencySession.message(size: size, sender: from, recipient: to),
            messagesPerConnection: messagesPerConnection
        )
        let start = LatencySession.now()
        let measureFrom = start + UInt64(warmup * 1e9)
        let rampStep = UInt64(warmup * 0.5e9) / UInt64(sessions)
        var driver = LatencyDriver(
            sessions: (0..<sessions).map { LatencySession(plan: plan, startAt: start + UInt64($0) * rampStep) },
            measureFrom: measureFrom, end: measureFrom + UInt64(seconds * 1e9)
        )
        let outcome = try driver.run()
        let sorted = outcome.samples.sorted()
        func percentile(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "nan" }
            let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
            return String(format: "%.2f", Double(sorted[min(rank, sorted.count) - 1]) / 1e6)
        }
        print(
            "latency: sessions=\(sessions) size=\(size) messages=\(sorted.count)"
                + String(format: " rate=%.1f", Double(sorted.count) / seconds)
                + " p50=\(percentile(0.5)) p90=\(percentile(0.9)) p99=\(percentile(0.99)) max=\(percentile(1))"
                + " failures=\(outcome.failures)"
        )
        if let lastFailure = outcome.lastFailure {
            FileHandle.standardError.write(Data("tern-bench latency: \(outcome.failures) failures, the last: \(lastFailure)\n".utf8))
        }
    }
}
