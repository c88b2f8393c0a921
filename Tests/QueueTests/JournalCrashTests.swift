import Envelope
import Foundation
import Testing
import TestSupport
@testable import Queue

/// Kills a writer process with SIGKILL at random moments, many times, and
/// checks after each kill that every acknowledged change is in the journal
/// and every index agrees with its records (DESIGN.md, durability contract 1).
@Suite("Journal crash safety")
struct JournalCrashTests {
    /// Kills per run: 50 by default, `TERN_CRASH_KILLS` to change it.
    static let kills = ProcessInfo.processInfo.environment["TERN_CRASH_KILLS"].flatMap(Int.init) ?? 50
    /// A fresh journal every few kills keeps the run bounded while still
    /// reopening journals that survived several crashes.
    static let killsPerJournal = 5

    @Test("nothing acknowledged is lost across SIGKILLs")
    func killRepeatedly() throws {
        let writer = try #require(Self.writerExecutable(), "JournalCrashWriter was not built next to the tests")
        var directory = TemporaryDirectory("tern-crash")
        defer { directory.remove() }
        var acknowledged = 0
        for round in 0..<Self.kills {
            if round > 0 && round % Self.killsPerJournal == 0 {
                directory.remove()
                directory = TemporaryDirectory("tern-crash")
            }
            let output = try Self.runAndKill(writer, arguments: [directory.path], after: .milliseconds(Int.random(in: 30...300)))
            acknowledged += try Self.check(journalAt: directory.path, against: output, round: round)
        }
        #expect(acknowledged > Self.kills, "the writer acknowledged too little to prove anything")
    }

    static func writerExecutable() -> String? {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidate = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("JournalCrashWriter").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// Starts `executable`, kills it with SIGKILL after `delay`, returns all it printed.
    static func runAndKill(_ executable: String, arguments: [String], after delay: Duration) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let collected = PipeReader(pipe.fileHandleForReading)
        try process.run()
        try pipe.fileHandleForWriting.close()
        Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the writer exited by itself: status \(process.terminationStatus)")
        return String(decoding: collected.wait(), as: UTF8.self)
    }

    /// Opens the journal left behind and checks every acknowledged line; returns how many there were.
    static func check(journalAt path: String, against output: String, round: Int) throws -> Int {
        let journal = try Journal(path: path)
        defer { journal.close() }
        let problems = try journal.verify()
        #expect(problems.isEmpty, "round \(round): \(problems.prefix(5))")
        var acknowledgedAttempts: [String: UInt32] = [:]
        var count = 0
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 4, let id = MessageID(fields[1]) else {
                // Only the last line can be cut short, by the kill itself: it was never acknowledged.
                continue
            }
            count += 1
            switch fields[0] {
            case "E":
                let body = try journal.body(of: id)
                #expect(body?.count == Int(fields[2]), "round \(round): body of acknowledged \(id) missing or wrong size")
                #expect(body.map { String(fnv1a($0)) } == String(fields[3]), "round \(round): body of \(id) differs")
            case "U":
                acknowledgedAttempts["\(id)/\(fields[2])"] = UInt32(fields[3])
            default:
                Issue.record("round \(round): unexpected line \(line)")
            }
        }
        for (key, attempts) in acknowledgedAttempts {
            let parts = key.split(separator: "/")
            let message = try journal.message(MessageID(parts[0])!)
            let stored = message?.recipients[Int(parts[1])!].attempts ?? 0
            #expect(stored >= attempts, "round \(round): update \(key) to attempt \(attempts) lost (found \(stored))")
        }
        return count
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
